namespace TaskTracker.Domain;

/// <summary>
/// Something progress is reported against: a quantitative target or a qualitative milestone.
/// Both share due dates, cadence and responsibility, so reports, dashboards and oversight treat them alike.
/// </summary>
internal abstract class Measure
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public Plan Plan { get; set; } = null!;
    public required string Code { get; set; }
    public int? TaskId { get; set; }
    public WorkTask? Task { get; set; }
    public int? ClauseId { get; set; }
    public Clause? Clause { get; set; }
    public DateOnly DueDate { get; set; }
    public decimal Weight { get; set; } = 1m;
    public ReportingCadence? Cadence { get; set; }
    public required string SourceText { get; set; }
    public string? Note { get; set; }
    /// <summary>Seed order within the task, for stable listing.</summary>
    public int Ordinal { get; set; }
    /// <summary>False once a revised seed no longer contains it; kept because reports may point at it.</summary>
    public bool Active { get; set; } = true;
}

internal enum Comparison { AtLeast, Reach, About, IncreaseBy }
internal enum TargetKind { Cumulative, NewInYear, Annual, GrowthRate }
internal enum Direction { Higher, Lower }
internal enum BaselineComparison { Exactly, MoreThan, LessThan, About }

internal sealed class Target : Measure
{
    public bool IsHeadline { get; set; }
    public required string MetricZh { get; set; }
    public required string MetricEn { get; set; }
    public decimal Value { get; set; }
    public required string Unit { get; set; }
    public required string UnitEn { get; set; }
    public string? ValueAsWritten { get; set; }
    public Comparison Comparison { get; set; }
    public TargetKind Kind { get; set; }
    public Direction Direction { get; set; }
    public Figure? Baseline { get; set; }
    public Figure? Reference2024 { get; set; }
}

/// <summary>A figure quoted from a source, e.g. a 2024 baseline.</summary>
internal sealed class Figure
{
    public decimal Value { get; set; }
    public BaselineComparison Comparison { get; set; }
    public DateOnly? AsOf { get; set; }
    public string? SourceText { get; set; }
    public string? Source { get; set; }
    public string? Note { get; set; }
}

internal enum MilestoneKind { Document, System, Event, Mechanism, Project, Other }
internal enum Recurrence { None, Quarterly }

internal sealed class Milestone : Measure
{
    public required string TitleZh { get; set; }
    public required string TitleEn { get; set; }
    public MilestoneKind Kind { get; set; }
    public Recurrence Recurrence { get; set; }
}
