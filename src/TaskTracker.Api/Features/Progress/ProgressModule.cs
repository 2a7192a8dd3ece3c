namespace TaskTracker.Features.Progress;

/// <summary>The Progress module: what it registers and the routes it answers.</summary>
internal static class ProgressModule
{
    public static WebApplicationBuilder AddProgress(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MeasureContext>();
        builder.Services.AddScoped<StepAccess>();
        builder.Services.AddModuleValidators(typeof(ProgressModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapProgress(this IEndpointRouteBuilder app)
    {
        ProgressEndpoints.MapEndpoints(app);
        BulkEndpoints.MapEndpoints(app);
        AssignmentEndpoints.MapEndpoints(app);
        StepEndpoints.MapEndpoints(app);
        PlannedValueEndpoints.MapEndpoints(app);
        ReviewQueueEndpoints.MapEndpoints(app);
        return app;
    }
}
