namespace TaskTracker.Features.Access;

/// <summary>The Access module: what it registers and the routes it answers.</summary>
internal static class AccessModule
{
    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        AccessSetup.AddTaskTrackerAccess(builder.Services, builder.Configuration);
        SignInSetup.AddTaskTrackerSignIn(builder.Services, builder.Configuration);
        builder.Services.AddModuleValidators(typeof(AccessModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        TokenEndpoints.MapEndpoints(app);
        return SignInEndpoints.MapSignIn(app);
    }
}
