namespace TaskTracker.Features.Bulletin;

/// <summary>The Bulletin module: what it registers and the routes it answers.</summary>
internal static class BulletinModule
{
    public static WebApplicationBuilder AddBulletin(this WebApplicationBuilder builder)
    {
        BulletinSetup.AddBulletinServices(builder.Services, builder.Configuration);
        builder.Services.AddModuleValidators(typeof(BulletinModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapBulletin(this IEndpointRouteBuilder app)
    {
        return BulletinSetup.MapEndpoints(app);
    }
}
