namespace TaskTracker.Standing;

/// <summary>A plan's standing: its figures, statuses and oversight items as of a date, computed once per request.</summary>
internal static class StandingModule
{
    public static WebApplicationBuilder AddStanding(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<StandingCalculator>();
        builder.Services.AddScoped<OversightService>();
        builder.Services.AddOptions<OversightOptions>().Bind(builder.Configuration.GetSection(OversightOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
