using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace TaskTracker.Common.Security;

internal enum EndpointAccess { Open, Token, Off }

/// <summary>Settings of the service's edge (section <c>Security</c>), validated at start.</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Proxies (IP or CIDR) whose X-Forwarded-For / X-Forwarded-Proto are believed; empty: none, the socket's address counts.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary><c>/metrics</c>: open, token (any valid API token) or off. Unset: token in Production, open elsewhere.</summary>
    public EndpointAccess? Metrics { get; set; }

    /// <summary><c>/swagger</c> (UI and OpenAPI document): open, token or off. Unset: off in Production, open elsewhere.
    /// <c>Operations:SwaggerEnabled=false</c> turns it off whatever this says.</summary>
    public EndpointAccess? Swagger { get; set; }

    public EndpointAccess MetricsIn(IHostEnvironment env) => Metrics ?? (env.IsProduction() ? EndpointAccess.Token : EndpointAccess.Open);
    public EndpointAccess SwaggerIn(IHostEnvironment env) => Swagger ?? (env.IsProduction() ? EndpointAccess.Off : EndpointAccess.Open);
}

/// <summary>
/// The request's way in, in order: forwarded headers from trusted proxies only, authentication, one rate limit for
/// every route keyed on who the caller turned out to be, and the gates of /metrics and /swagger.
/// </summary>
internal static class Edge
{
    /// <summary>The rate-limit partition: the authenticated token's id (however its header was spelt), else the client address.</summary>
    public static string PartitionKey(HttpContext http) =>
        http.User.FindFirst(Claims.TokenId)?.Value is { } token
            ? "token:" + token
            : "ip:" + (http.Connection.RemoteIpAddress is { } ip ? OutboundPolicy.Normalise(ip).ToString() : "unknown");

    public static PartitionedRateLimiter<HttpContext> GlobalLimiter() => PartitionedRateLimiter.Create<HttpContext, string>(http =>
    {
        var o = http.RequestServices.GetRequiredService<IOptions<OperationsOptions>>().Value;
        if (o.RateLimitPermits == 0) return RateLimitPartition.GetNoLimiter("off");
        return RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.RateLimitPermits, Window = TimeSpan.FromSeconds(o.RateLimitWindowSeconds), QueueLimit = 0,
        });
    });

    public static WebApplication UseTaskTrackerEdge(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        // The framework trusts loopback by default; here only what the settings name.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var p in security.TrustedProxies)
        {
            OutboundPolicy.TryParseCidr(p, out var c);
            forwarded.KnownIPNetworks.Add(new System.Net.IPNetwork(c.Network, c.Prefix));
        }
        app.UseForwardedHeaders(forwarded);
        app.UseAuthentication();
        app.UseRateLimiter();

        var metrics = security.MetricsIn(app.Environment);
        var swagger = app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.SwaggerEnabled
            ? security.SwaggerIn(app.Environment) : EndpointAccess.Off;
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            EndpointAccess? access = path.StartsWithSegments("/metrics") ? metrics : path.StartsWithSegments("/swagger") ? swagger : null;
            if (access == EndpointAccess.Off)
            {
                await WriteAsync(http, 404, "Not found", "This endpoint is turned off on this instance.");
                return;
            }
            if (access == EndpointAccess.Token && http.User.Identity?.IsAuthenticated != true)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteAsync(http, 401, "Unauthorized", "This endpoint needs an API token: Authorization: Bearer <token>.");
                return;
            }
            await next(http);
        });
        return app;
    }

    public static bool SwaggerServed(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.SwaggerEnabled
        && app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.SwaggerIn(app.Environment) != EndpointAccess.Off;

    private static Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http, ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
