namespace TaskTracker.Domain;

/// <summary>
/// 节点: one dated step the lead agency or the office broke a milestone into. Rows are never deleted: replacing the list
/// marks the steps not yet done as removed, and marking a step done records when, so any past view (knownAt) can be
/// rebuilt from the times recorded here.
/// </summary>
internal sealed class MilestoneStep
{
    public long Id { get; set; }
    public int MeasureId { get; set; }
    public Measure Measure { get; set; } = null!;
    /// <summary>The step's number within its milestone (1, 2, …), stable for its life: routes name steps by it.</summary>
    public int Number { get; set; }
    public required string Title { get; set; }
    public DateOnly Due { get; set; }
    public DateTime RecordedAtUtc { get; set; }
    public int? RecordedByTokenId { get; set; }
    /// <summary>Set when a later list replaced this step before it was done.</summary>
    public DateTime? RemovedAtUtc { get; set; }
    /// <summary>The day the step was done, as the lead or the office says.</summary>
    public DateOnly? DoneOn { get; set; }
    public string? DoneNote { get; set; }
    /// <summary>When the step was recorded as done: a knownAt view before it does not see it done.</summary>
    public DateTime? DoneRecordedAtUtc { get; set; }
    public int? DoneByTokenId { get; set; }
}

/// <summary>
/// 计划值: the value a target is planned to reach by the end of a month or quarter. The expected line follows them.
/// A new list (from the seed or the office) marks the previous one removed, so a knownAt view uses the list then in force.
/// </summary>
internal sealed class PlannedValue
{
    public long Id { get; set; }
    public int MeasureId { get; set; }
    public Measure Measure { get; set; } = null!;
    /// <summary>As written: 2025-03 (a month) or 2025-Q1 (a quarter).</summary>
    public required string Period { get; set; }
    /// <summary>The last day of the period: the date the value is planned for.</summary>
    public DateOnly PeriodEnd { get; set; }
    public decimal Value { get; set; }
    /// <summary>seed or office.</summary>
    public required string Source { get; set; }
    public DateTime RecordedAtUtc { get; set; }
    public int? RecordedByTokenId { get; set; }
    public DateTime? RemovedAtUtc { get; set; }
}

internal static class PlannedValueSources
{
    public const string Seed = "seed";
    public const string Office = "office";
}
