using System.ComponentModel.DataAnnotations;

namespace TaskTracker.Features.Evidence;

internal sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    /// <summary>Largest evidence file in bytes; a larger upload is refused with 413 before its body is read.</summary>
    [Range(1024, 100L * 1024 * 1024)] public long MaxFileBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>How many files one report may carry.</summary>
    [Range(1, 1000)] public int MaxFilesPerReport { get; set; } = 20;

    /// <summary>Room for the multipart framing around the file (boundaries, part headers).</summary>
    public const long MultipartOverheadBytes = 64 * 1024;
}

internal sealed class EvidenceUploadLimit : IBodyLimitMetadata
{
    public long MaxBodyBytes(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EvidenceOptions>>().Value.MaxFileBytes + EvidenceOptions.MultipartOverheadBytes;
}
