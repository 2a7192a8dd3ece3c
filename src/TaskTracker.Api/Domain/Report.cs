namespace TaskTracker.Domain;

internal enum MilestoneStatus { NotStarted, InProgress, Done }
internal enum ReviewStatus { Submitted, Accepted, Returned }

/// <summary>
/// One progress report on a measure. Reported content is never changed or deleted: a correction is a new report
/// that supersedes an earlier one. Only the review fields change, guarded by <see cref="Version"/>.
/// </summary>
internal sealed class ProgressReport
{
    public long Id { get; set; }
    public int PlanId { get; set; }
    public int MeasureId { get; set; }
    public Measure Measure { get; set; } = null!;
    /// <summary>The agency that filed it, taken from the caller's token.</summary>
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    public int? TokenId { get; set; }

    /// <summary>Targets: the value in the target's unit (a running total for cumulative targets, year to date otherwise).</summary>
    public decimal? Value { get; set; }
    /// <summary>Milestones: where the deliverable stands.</summary>
    public MilestoneStatus? Status { get; set; }
    /// <summary>Recurring milestones: the instance reported on, e.g. 2025-Q1.</summary>
    public string? Period { get; set; }
    /// <summary>Optional breakdown (a city or sub-unit). Breakdown reports are shown but the whole-measure figure is the one without a sub-unit.</summary>
    public string? SubUnit { get; set; }
    public DateOnly AsOf { get; set; }
    public string? Narrative { get; set; }
    public List<string> Evidence { get; set; } = [];
    public DateTime FiledAtUtc { get; set; }

    public long? SupersedesId { get; set; }
    public ProgressReport? Supersedes { get; set; }
    public string? CorrectionReason { get; set; }

    public ReviewStatus ReviewStatus { get; set; } = ReviewStatus.Submitted;
    public string? ReviewComment { get; set; }
    public DateTime? ReviewedAtUtc { get; set; }
    public int? ReviewedByTokenId { get; set; }
    /// <summary>Optimistic concurrency for reviews; exposed as the ETag.</summary>
    public int Version { get; set; } = 1;
}
