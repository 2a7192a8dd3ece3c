namespace TaskTracker.Features.Oversight;

/// <summary>The Oversight module: what it registers and the routes it answers.</summary>
internal static class OversightModule
{
    public static WebApplicationBuilder AddOversight(this WebApplicationBuilder builder)
    {
        builder.Services.AddModuleValidators(typeof(OversightModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapOversight(this IEndpointRouteBuilder app)
    {
        OversightEndpoints.MapEndpoints(app);
        return SignOffEndpoints.MapSignOffs(app);
    }
}
