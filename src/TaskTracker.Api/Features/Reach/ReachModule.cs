namespace TaskTracker.Features.Reach;

/// <summary>The Reach module: what it registers and the routes it answers.</summary>
internal static class ReachModule
{
    public static WebApplicationBuilder AddReach(this WebApplicationBuilder builder)
    {
        ReachSetup.AddReachServices(builder.Services, builder.Configuration);
        builder.Services.AddModuleValidators(typeof(ReachModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapReach(this IEndpointRouteBuilder app)
    {
        return ReachEndpoints.MapEndpoints(app);
    }
}
