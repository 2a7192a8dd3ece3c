namespace TaskTracker.Features.Plans;

/// <summary>The Plans module: what it registers and the routes it answers.</summary>
internal static class PlansModule
{
    public static WebApplicationBuilder AddPlans(this WebApplicationBuilder builder)
    {
        builder.Services.AddModuleValidators(typeof(PlansModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapPlans(this IEndpointRouteBuilder app)
    {
        // Plans and agencies are reference data: any reader may see them.
        PlanEndpoints.MapEndpoints(app.MapGroup("").RequireAuthorization(Policies.Read));
        return app;
    }
}
