using TaskTracker.Domain;

namespace TaskTracker.Standing;

internal sealed record StatusCounts(int Done, int OnTrack, int AtRisk, int OffTrack, int Overdue, int NoData)
{
    public static StatusCounts Of(IEnumerable<MeasureStatus> statuses)
    {
        var list = statuses.ToList();
        int C(MeasureStatus s) => list.Count(x => x == s);
        return new(C(MeasureStatus.Done), C(MeasureStatus.OnTrack), C(MeasureStatus.AtRisk), C(MeasureStatus.OffTrack), C(MeasureStatus.Overdue), C(MeasureStatus.NoData));
    }
}

/// <summary>One agency's part of a measure, shown beside the figure. Role: co-operating, or member (of a responsible group).</summary>
internal sealed record PartFigure(AgencyRef Agency, string Role, long ReportId, DateOnly AsOf, decimal? Value, MilestoneStatus? Status);

/// <summary>One measure's standing as of a date.</summary>
/// <remarks>
/// Completion counts every counting report; VerifiedCompletion only reports the office accepted. Status follows the
/// plan's <c>statusBasis</c>. FigureSource says whose figure it is: <c>lead</c> or <c>sum-of-parts</c>.
/// </remarks>
internal sealed record MeasureFigure(
    int Id, string Code, string Type, int? TaskNumber, bool IsHeadline, string TitleZh, string TitleEn, string? Unit,
    decimal? TargetValue, decimal? Baseline, DateOnly DueDate, decimal Weight,
    long? LatestReportId, DateOnly? LatestAsOf, decimal? LatestValue, MilestoneStatus? LatestStatus,
    double? Completion, double CappedCompletion, double Expected, MeasureStatus Status,
    decimal? ProjectedValueAtDue, int InstancesDue, int InstancesDone, int? InstancesTotal,
    double? VerifiedCompletion, double VerifiedCappedCompletion, MeasureStatus ReportedStatus, MeasureStatus VerifiedStatus,
    string? FigureSource, IReadOnlyList<PartFigure> Parts, SignedOffFigure? SignedOff = null)
{
    /// <summary>Milestones broken into steps (节点): each step as it stood at the as-of date; null without steps.</summary>
    public IReadOnlyList<StepState>? Steps { get; init; }
    /// <summary>Targets with planned values (计划值): the list the expected line follows; null without them.</summary>
    public IReadOnlyList<PlannedPoint>? PlannedValues { get; init; }
}

/// <summary>A planned value (计划值): the value planned for the end of a month (2025-03) or quarter (2025-Q1).</summary>
internal sealed record PlannedPoint(string Period, DateOnly PeriodEnd, decimal Value);

internal sealed record TaskFigure(
    int Number, string Numeral, int Section, string TitleZh, string TitleEn, IReadOnlyList<AgencyRef> LeadAgencies,
    double? Completion, double? Expected, MeasureStatus Status, StatusCounts Counts, IReadOnlyList<MeasureFigure> Measures,
    double? VerifiedCompletion, SignedOffFigure? SignedOff = null);

/// <summary>销号: when the office signed the item off, who, and what it said; null while the item is not signed off.</summary>
internal sealed record SignedOffFigure(DateTime At, string? By, string? Comment);

internal sealed record SectionFigure(int Number, string Numeral, string TitleZh, string TitleEn, double? Completion, double? Expected,
    MeasureStatus Status, StatusCounts TaskCounts, IReadOnlyList<int> TaskNumbers, double? VerifiedCompletion);

internal sealed record PlanDashboard(
    string Plan, string TitleZh, string TitleEn, DateOnly AsOf, DateOnly PeriodStart, DateOnly PeriodEnd,
    double? Completion, double? Expected, MeasureStatus Status, StatusCounts MeasureCounts, StatusCounts TaskCounts,
    IReadOnlyList<MeasureFigure> Headline, IReadOnlyList<SectionFigure> Sections, IReadOnlyList<TaskFigure> Tasks,
    IReadOnlyList<MeasureFigure> Overdue, double? VerifiedCompletion, StatusBasis StatusBasis, HeadlineGroupFigure? HeadlineGroup);

/// <summary>
/// The headline targets no task carries (the plan's text ties them to none), as one group that the plan figure includes
/// beside the tasks; Codes names them.
/// </summary>
internal sealed record HeadlineGroupFigure(string TitleZh, string TitleEn, double? Completion, double? VerifiedCompletion, double? Expected,
    MeasureStatus Status, IReadOnlyList<string> Codes);

internal sealed record AgencyPart(double? Completion, MeasureStatus Status, StatusCounts TaskCounts, IReadOnlyList<TaskFigure> Tasks,
    double? VerifiedCompletion);

internal sealed record AgencyDashboard(string Plan, DateOnly AsOf, AgencyRef Agency, AgencyPart Leads, AgencyPart CooperatesOn);

internal sealed record TargetSeriesDto(int TargetId, string Code, string MetricZh, string MetricEn, string Unit, decimal TargetValue,
    decimal? Baseline, DateOnly Start, DateOnly DueDate, DateOnly AsOf, MeasureFigure Figure,
    IReadOnlyList<SeriesPoint> Reported, IReadOnlyList<SeriesPoint> Expected, IReadOnlyList<SeriesPoint> Trend);
