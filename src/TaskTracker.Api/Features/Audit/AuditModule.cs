namespace TaskTracker.Features.Audit;

/// <summary>The Audit module: what it registers and the routes it answers.</summary>
internal static class AuditModule
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddModuleValidators(typeof(AuditModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        return AuditEndpoints.MapEndpoints(app);
    }
}
