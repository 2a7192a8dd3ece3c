namespace TaskTracker.Domain;

/// <summary>A plan read from its published text, waiting for the office to review and publish it (docs/plan-import.md).
/// Nothing in a draft is live until it is published through the seed loader.</summary>
internal sealed class PlanDraftRecord
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public PlanDraftStatus Status { get; set; } = PlanDraftStatus.Draft;
    public required string SourceText { get; set; }
    /// <summary>plan.json, tasks.json, agencies.json and the findings, in the seed-data format.</summary>
    public required string PlanJson { get; set; }
    public required string TasksJson { get; set; }
    public required string AgenciesJson { get; set; }
    public required string FindingsJson { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public DateTime? PublishedAtUtc { get; set; }
    public int? CreatedByTokenId { get; set; }
    public int Version { get; set; } = 1;
}

internal enum PlanDraftStatus { Draft, Published }
