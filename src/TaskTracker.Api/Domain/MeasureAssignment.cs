namespace TaskTracker.Domain;

/// <summary>
/// 分解落实: the office names an agency for a measure, as lead (it files the whole figure) or co-operating (it files
/// its part). Rows are never changed: the latest row for a measure and agency holds, so the history stays readable.
/// </summary>
internal sealed class MeasureAssignment
{
    public long Id { get; set; }
    public int MeasureId { get; set; }
    public Measure Measure { get; set; } = null!;
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    public AgencyRole Role { get; set; }
    public required string Reason { get; set; }
    public DateTime AssignedAtUtc { get; set; }
    public int? TokenId { get; set; }
}

/// <summary>Which figure drives a plan's statuses: every counting report, or only reports the office accepted.</summary>
internal enum StatusBasis { Reported, Verified }
