namespace TaskTracker.Features.Evidence;

/// <summary>The Evidence module: files attached to reports, and who may read them.</summary>
internal static class EvidenceModule
{
    public static WebApplicationBuilder AddEvidence(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EvidenceOptions>().Bind(builder.Configuration.GetSection(EvidenceOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<EvidenceAccess>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder app) => EvidenceEndpoints.MapEndpoints(app);
}
