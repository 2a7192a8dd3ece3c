namespace TaskTracker.Common.Security;

/// <summary>Registers and wires the security pieces, so Program.cs needs one line for each.</summary>
internal static class SecuritySetup
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddScoped<ReadScope>();
        services.AddOptions<OutboundOptions>().Bind(config.GetSection(OutboundOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.AllowedNetworks.All(n => OutboundPolicy.TryParseCidr(n, out _)),
                "Outbound:AllowedNetworks must hold CIDR networks such as 10.0.0.0/8 or ::1/128.")
            .ValidateOnStart();
        services.AddSingleton<OutboundPolicy>();
        services.AddOptions<TokenLifetimeOptions>().Bind(config.GetSection(TokenLifetimeOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.DefaultTokenLifetimeDays <= o.MaxTokenLifetimeDays, "Access:DefaultTokenLifetimeDays must not exceed Access:MaxTokenLifetimeDays.")
            .ValidateOnStart();
        services.AddOptions<DatabaseHealthOptions>().Bind(config.GetSection(Data.DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddExceptionHandler<DatabaseUnavailableHandler>(); // before the general handler, which would answer 500
        services.AddHealthChecks().AddCheck<WritableDatabaseCheck>("database-writable", tags: ["ready"]);
        services.AddOptions<SecurityOptions>().Bind(config.GetSection(SecurityOptions.Section))
            .Validate(o => o.TrustedProxies.All(p => OutboundPolicy.TryParseCidr(p, out _)),
                "Security:TrustedProxies must hold IP addresses or CIDR networks such as 10.0.0.5 or 10.0.0.0/24.")
            .Validate(o => o.Metrics is null || Enum.IsDefined(o.Metrics.Value), "Security:Metrics must be open, token or off.")
            .Validate(o => o.Swagger is null || Enum.IsDefined(o.Swagger.Value), "Security:Swagger must be open, token or off.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>Headers every response carries, API and page alike, errors included (set before the response starts).</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var h = http.Response.Headers;
            if (http.GetEndpoint()?.Metadata.GetMetadata<CarriesSecret>() is not null)
            {
                h.CacheControl = "no-store";
                h.Pragma = "no-cache";
            }
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Resource-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // The page sets its own, wider policy; API answers are data and need none of it. Swagger UI runs its own
            // inline scripts, so it only gets the framing rule.
            if (!h.ContainsKey("Content-Security-Policy"))
                h.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger")
                    ? "frame-ancestors 'none'"
                    : "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            return Task.CompletedTask;
        });
        await next(http);
    });
}
