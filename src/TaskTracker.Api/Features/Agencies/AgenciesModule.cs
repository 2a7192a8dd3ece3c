namespace TaskTracker.Features.Agencies;

/// <summary>The Agencies module: what it registers and the routes it answers.</summary>
internal static class AgenciesModule
{
    public static WebApplicationBuilder AddAgencies(this WebApplicationBuilder builder)
    {
        builder.Services.AddModuleValidators(typeof(AgenciesModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapAgencies(this IEndpointRouteBuilder app)
    {
        AgencyEndpoints.MapEndpoints(app.MapGroup("").RequireAuthorization(Policies.Read));
        return app;
    }
}
