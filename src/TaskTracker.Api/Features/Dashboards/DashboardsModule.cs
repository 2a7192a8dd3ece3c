namespace TaskTracker.Features.Dashboards;

/// <summary>The Dashboards module: what it registers and the routes it answers.</summary>
internal static class DashboardsModule
{
    public static WebApplicationBuilder AddDashboards(this WebApplicationBuilder builder)
    {
        builder.Services.AddModuleValidators(typeof(DashboardsModule));
        return builder;
    }

    /// <summary>The dashboard page at / needs no token itself; the API calls it makes are authorised like any other client's.</summary>
    public static WebApplication UseDashboardPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = ctx =>
            {
                var h = ctx.Context.Response.Headers;
                h.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
                h.XContentTypeOptions = "nosniff";
                h.XFrameOptions = "DENY";
                h["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }

    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app)
    {
        return DashboardEndpoints.MapEndpoints(app);
    }
}
