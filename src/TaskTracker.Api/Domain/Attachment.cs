namespace TaskTracker.Domain;

/// <summary>
/// An evidence file attached to a report. The bytes live in the database, so every instance serves the same file and a
/// backup or a provider copy carries it along. Never changed after upload.
/// </summary>
internal sealed class Attachment
{
    public long Id { get; set; }
    public long ReportId { get; set; }
    /// <summary>The agency that uploaded it (the report's filing agency).</summary>
    public int AgencyId { get; set; }
    public int? TokenId { get; set; }
    public required string FileName { get; set; }
    /// <summary>Detected from the bytes, never taken from the client.</summary>
    public required string ContentType { get; set; }
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of <see cref="Content"/>.</summary>
    public required string Sha256 { get; set; }
    public required byte[] Content { get; set; }
    public DateTime UploadedAtUtc { get; set; }
}
