using TaskTracker.Domain;

namespace TaskTracker.Standing;

internal sealed record ReportFact(long Id, DateOnly AsOf, DateTime FiledAtUtc, decimal? Value, MilestoneStatus? Status,
    string? Period, string? SubUnit, long? SupersedesId, ReviewStatus ReviewStatus, DateTime? ReviewedAtUtc,
    int AgencyId = 0, bool IsPart = false);

/// <summary>One agency's latest part of a measure (a co-operating agency's, or a group member's), shown beside the figure.</summary>
internal sealed record PartFact(int AgencyId, long ReportId, DateOnly AsOf, decimal? Value, MilestoneStatus? Status);

internal static class FigureSources
{
    /// <summary>The figure is the lead agency's report.</summary>
    public const string Lead = "lead";
    /// <summary>The figure is the sum of the latest parts: the lead has filed nothing as recent (additive measures only).</summary>
    public const string SumOfParts = "sum-of-parts";
}

/// <param name="Planned">计划值 on record (every list, with when it was recorded and replaced); the expected line follows the list in force.</param>
internal sealed record TargetFacts(decimal TargetValue, TargetKind Kind, Direction Direction, Comparison Comparison,
    decimal? Baseline, DateOnly Start, DateOnly Due, bool Additive = false, IReadOnlyList<PlannedFact>? Planned = null);

/// <param name="Steps">节点 on record (every step ever defined, with when it was recorded, done and replaced).</param>
internal sealed record MilestoneFacts(Recurrence Recurrence, DateOnly Start, DateOnly Due, IReadOnlyList<StepFact>? Steps = null);

/// <summary>One milestone step as recorded: a knownAt view sees it only if recorded (and done) before the cut-off.</summary>
internal sealed record StepFact(int Number, string Title, DateOnly Due, DateOnly? DoneOn, DateTime RecordedAtUtc, DateTime? DoneRecordedAtUtc,
    DateTime? RemovedAtUtc, string? DoneNote = null);

/// <summary>One planned value as recorded: the value planned for the end of a month or quarter.</summary>
internal sealed record PlannedFact(string Period, DateOnly PeriodEnd, decimal Value, DateTime RecordedAtUtc, DateTime? RemovedAtUtc);

/// <summary>A step as it stood at the as-of date (and knowledge cut-off): done on that date, or late (past its due date, not done).</summary>
internal sealed record StepState(int Number, string Title, DateOnly Due, DateOnly? DoneOn, bool Done, bool Late);

/// <param name="GrowthAtRiskPoints">Growth rates: at risk when the year-to-date rate is more than this many rate points below the target rate.</param>
/// <param name="GrowthOffTrackPoints">Growth rates: off track when more than this many rate points below.</param>
internal sealed record StatusThresholds(double AtRiskGap = 0.10, double OffTrackGap = 0.25, double AboutTolerance = 0.05,
    double GrowthAtRiskPoints = 2, double GrowthOffTrackPoints = 5)
{
    public static StatusThresholds Default { get; } = new();
}

internal enum MeasureStatus { Done, OnTrack, AtRisk, OffTrack, Overdue, NoData }

/// <param name="Completion">Uncapped fraction (1.2 = 120%), so over-achievement is shown as reported; null when no data.</param>
/// <param name="CappedCompletion">Completion clamped to 0..1 (0 when no data): what roll-ups use.</param>
/// <param name="Expected">Fraction expected by a linear schedule at the as-of date, 0..1.</param>
/// <param name="ProjectedValueAtDue">Targets: linear trend at the due date; null with fewer than two as-of dates.</param>
/// <param name="InstancesDue">Recurring milestones: instances due on or before the as-of date (0 otherwise).</param>
/// <param name="InstancesDone">Recurring milestones: instances done, including any reported early (0 otherwise).</param>
internal sealed record MeasureProgress(
    long? LatestReportId, DateOnly? LatestAsOf, decimal? LatestValue, MilestoneStatus? LatestStatus,
    double? Completion, double CappedCompletion, double Expected, MeasureStatus Status,
    decimal? ProjectedValueAtDue, int InstancesDue, int InstancesDone,
    string? FigureSource = null, IReadOnlyList<PartFact>? Parts = null, IReadOnlyList<StepState>? Steps = null);

internal sealed record SeriesPoint(DateOnly Date, decimal Value);

internal sealed record TargetSeries(IReadOnlyList<SeriesPoint> Reported, IReadOnlyList<SeriesPoint> Expected, IReadOnlyList<SeriesPoint> Trend);

/// <summary>
/// The product's definitions of completion and status. Everything is a function of the reports and an as-of date,
/// so a figure shown for a past date can always be reproduced.
/// </summary>
internal static class Completion
{
    /// <summary>End of <paramref name="asOf"/> in China time (UTC+08:00, no daylight saving), as UTC.</summary>
    public static DateTime CutoffUtc(DateOnly asOf) => asOf.ToDateTime(new TimeOnly(16, 0), DateTimeKind.Utc);

    /// <param name="knownBeforeUtc">
    /// Knowledge cut-off: only reports filed (and reviews made) before it count. Default: the end of <paramref name="asOf"/>,
    /// i.e. the figure as it could have been seen that day. Dashboards pass "now" unless asked for a past view.
    /// </param>
    public static IReadOnlyList<ReportFact> Effective(IEnumerable<ReportFact> reports, DateOnly asOf, DateTime? knownBeforeUtc = null) =>
        EffectiveWithParts(reports, asOf, knownBeforeUtc).Where(r => !r.IsPart).ToList();

    /// <summary><see cref="Effective"/> including the parts filed by co-operating agencies and group members.</summary>
    public static IReadOnlyList<ReportFact> EffectiveWithParts(IEnumerable<ReportFact> reports, DateOnly asOf, DateTime? knownBeforeUtc = null)
    {
        var cutoff = knownBeforeUtc ?? CutoffUtc(asOf);
        var known = reports.Where(r => r.FiledAtUtc < cutoff).ToList();
        var correctedBy = known.Where(r => r.SupersedesId is not null && r.SupersedesId != r.Id)
            .GroupBy(r => r.SupersedesId!.Value).ToDictionary(g => g.Key, g => g.First());
        // A correction stands while it is not returned, or while a later correction of it stands: a returned correction
        // gives the word back to the report it superseded, until the agency corrects again.
        bool Stands(ReportFact c, int depth) =>
            !ReturnedBy(c, cutoff) || (depth < 1000 && correctedBy.TryGetValue(c.Id, out var next) && Stands(next, depth + 1));
        bool Superseded(ReportFact r) => correctedBy.TryGetValue(r.Id, out var c) && Stands(c, 0);
        return known.Where(r => r.AsOf <= asOf && r.SubUnit is null && !Superseded(r) && !ReturnedBy(r, cutoff)).ToList();
    }

    /// <summary>Only what the office accepted by the cut-off: the basis of <c>verifiedCompletion</c>.</summary>
    public static IEnumerable<ReportFact> Accepted(IEnumerable<ReportFact> reports, DateOnly asOf, DateTime? knownBeforeUtc = null)
    {
        var cutoff = knownBeforeUtc ?? CutoffUtc(asOf);
        return reports.Where(r => r.ReviewStatus == ReviewStatus.Accepted && r.ReviewedAtUtc is { } at && at < cutoff);
    }

    /// <summary>Each agency's latest part, in agency order.</summary>
    public static IReadOnlyList<PartFact> Parts(IEnumerable<ReportFact> effectiveWithParts, bool valued) =>
        effectiveWithParts.Where(r => r.IsPart && (valued ? r.Value is not null : r.Status is not null))
            .GroupBy(r => r.AgencyId).Select(g => Latest(g)!).OrderBy(r => r.AgencyId)
            .Select(r => new PartFact(r.AgencyId, r.Id, r.AsOf, r.Value, r.Status)).ToList();

    // A Returned report without a review time cannot show it still counted on any date, so it never does.
    static bool ReturnedBy(ReportFact r, DateTime cutoff) =>
        r.ReviewStatus == ReviewStatus.Returned && (r.ReviewedAtUtc is not { } at || at < cutoff);

    public static ReportFact? Latest(IEnumerable<ReportFact> effective) => effective.MaxBy(r => (r.AsOf, r.FiledAtUtc, r.Id));

    /// <summary>Counts and amounts add up across agencies; rates, percentages and lower-is-better figures do not.</summary>
    public static bool IsAdditive(TargetKind kind, Direction direction, string? unit) =>
        kind != TargetKind.GrowthRate && direction == Direction.Higher && unit is not null && unit != "%";

    public static double ExpectedFraction(DateOnly start, DateOnly due, DateOnly asOf)
    {
        var span = due.DayNumber - start.DayNumber;
        return span <= 0 ? 1 : Math.Clamp((double)(asOf.DayNumber - start.DayNumber) / span, 0, 1);
    }

    public static MeasureProgress ForTarget(TargetFacts t, IEnumerable<ReportFact> reports, DateOnly asOf, StatusThresholds? th = null, DateTime? knownBeforeUtc = null)
    {
        th ??= StatusThresholds.Default;
        // A report without a value (narrative only) says nothing about the figure, so it must not hide the last one.
        var all = EffectiveWithParts(reports, asOf, knownBeforeUtc);
        var valued = all.Where(r => !r.IsPart && r.Value is not null).ToList();
        var parts = Parts(all, valued: true);
        var latest = Latest(valued);
        var source = latest is null ? null : FigureSources.Lead;
        (long? Id, DateOnly AsOf, decimal Value)? figure = latest is null ? null : (latest.Id, latest.AsOf, latest.Value!.Value);
        // Counts and amounts add up: while the lead has filed nothing as recent as the parts, their sum is the figure.
        if (t.Additive && t.Kind != TargetKind.GrowthRate && parts.Count > 0 && (latest is null || latest.AsOf < parts.Max(p => p.AsOf)))
        {
            figure = (null, parts.Max(p => p.AsOf), parts.Sum(p => p.Value!.Value));
            source = FigureSources.SumOfParts;
        }
        double? completion = figure is not { } f ? null : TargetCompletion(t, f.Value);
        if (t.Kind == TargetKind.GrowthRate) return ForGrowthRate(t, figure, completion, asOf, th, parts);
        var expected = ExpectedFor(t, asOf, knownBeforeUtc ?? CutoffUtc(asOf));
        var projected = TrendLine(DailyPoints(valued))?.Invoke(t.Due);
        var done = completion >= (t.Comparison == Comparison.About ? 1 - th.AboutTolerance : 1);
        var trendMisses = projected is { } p && (t.Direction == Direction.Higher ? p < t.TargetValue : p > t.TargetValue);

        var status = done ? MeasureStatus.Done
            : asOf > t.Due ? MeasureStatus.Overdue
            : completion is not { } c ? MeasureStatus.NoData
            : c < expected - th.OffTrackGap ? MeasureStatus.OffTrack
            : c < expected - th.AtRiskGap || trendMisses ? MeasureStatus.AtRisk
            : MeasureStatus.OnTrack;

        return new(figure?.Id, figure?.AsOf, figure?.Value, null, completion, Cap(completion), expected, status,
            projected, 0, 0, source, parts);
    }

    /// <summary>
    /// A growth rate is held all year: the expected value is the target rate from the first day (expected = 1), the
    /// latest year-to-date rate is compared with it in rate points, and it is done only on a report covering the whole
    /// year (asOf on or after the due date, the period end).
    /// </summary>
    static MeasureProgress ForGrowthRate(TargetFacts t, (long? Id, DateOnly AsOf, decimal Value)? figure, double? completion, DateOnly asOf,
        StatusThresholds th, IReadOnlyList<PartFact> parts)
    {
        var wholeYear = figure is { } f && f.AsOf >= t.Due;
        var reached = completion >= (t.Comparison == Comparison.About ? 1 - th.AboutTolerance : 1);
        // Rate points behind the target rate (positive = behind).
        double? behind = figure is { } g ? (double)(t.Direction == Direction.Higher ? t.TargetValue - g.Value : g.Value - t.TargetValue) : null;
        var status = wholeYear && reached ? MeasureStatus.Done
            : asOf > t.Due ? MeasureStatus.Overdue
            : behind is not { } b ? MeasureStatus.NoData
            : b > th.GrowthOffTrackPoints ? MeasureStatus.OffTrack
            : b > th.GrowthAtRiskPoints ? MeasureStatus.AtRisk
            : MeasureStatus.OnTrack;
        return new(figure?.Id, figure?.AsOf, figure?.Value, null, completion, Cap(completion), 1, status, null, 0, 0,
            figure is null ? null : FigureSources.Lead, parts);
    }

    /// <summary>The planned values in force at the cut-off: recorded before it and not yet replaced, by period end.</summary>
    public static IReadOnlyList<PlannedFact> PlannedInForce(IEnumerable<PlannedFact>? planned, DateTime cutoff) =>
        (planned ?? []).Where(p => p.RecordedAtUtc < cutoff && (p.RemovedAtUtc is not { } r || r >= cutoff))
            .OrderBy(p => p.PeriodEnd).DistinctBy(p => p.PeriodEnd).ToList();

    /// <summary>
    /// Expected progress of a target at <paramref name="asOf"/>. Without planned values: linear from the start to the due
    /// date (序时进度). With them: the planned points, each turned into a completion like a report of that value, joined by
    /// straight lines from 0 at the start, through each period end, to 100% at the due date. Growth rates never use them.
    /// </summary>
    public static double ExpectedFor(TargetFacts t, DateOnly asOf, DateTime cutoff)
    {
        if (t.Kind == TargetKind.GrowthRate) return 1;
        var planned = PlannedInForce(t.Planned, cutoff).Where(p => p.PeriodEnd > t.Start && p.PeriodEnd <= t.Due).ToList();
        if (planned.Count == 0) return ExpectedFraction(t.Start, t.Due, asOf);
        var anchors = new List<(DateOnly Date, double Fraction)> { (t.Start, 0) };
        anchors.AddRange(planned.Select(p => (p.PeriodEnd, TargetCompletion(t, p.Value))));
        if (anchors[^1].Date < t.Due) anchors.Add((t.Due, 1));
        return Math.Clamp(Interpolate(anchors, asOf), 0, 1);
    }

    static double Interpolate(IReadOnlyList<(DateOnly Date, double Fraction)> anchors, DateOnly at)
    {
        if (at <= anchors[0].Date) return anchors[0].Fraction;
        for (var i = 1; i < anchors.Count; i++)
        {
            var (d0, f0) = anchors[i - 1];
            var (d1, f1) = anchors[i];
            if (at <= d1) return f0 + (f1 - f0) * (at.DayNumber - d0.DayNumber) / (d1.DayNumber - d0.DayNumber);
        }
        return anchors[^1].Fraction;
    }

    static double TargetCompletion(TargetFacts t, decimal v)
    {
        var growth = t.Kind == TargetKind.GrowthRate;
        var target = t.TargetValue;
        // A growth rate is already a change, measured from zero; a baseline would count it twice.
        var b = growth ? 0 : t.Baseline ?? 0;
        if (target == b) return (t.Direction == Direction.Higher ? v >= target : v <= target) ? 1 : 0;
        if (growth) return (double)(v / target);
        if (t.Direction == Direction.Higher) return (double)((v - b) / (target - b));
        if (t.Baseline is not null) return (double)((b - v) / (b - target));
        // Lower-is-better with nothing to measure the reduction from: how far the value still is above the ceiling.
        return v <= target ? 1 : v > 0 ? (double)(target / v) : 0;
    }

    public static MeasureProgress ForMilestone(MilestoneFacts m, IEnumerable<ReportFact> reports, DateOnly asOf, StatusThresholds? th = null, DateTime? knownBeforeUtc = null)
    {
        // th is accepted for symmetry with ForTarget; milestone rules have no gap thresholds.
        var all = EffectiveWithParts(reports, asOf, knownBeforeUtc);
        var effective = all.Where(r => !r.IsPart).ToList();
        var steps = m.Recurrence == Recurrence.None ? StepsAt(m.Steps, asOf, knownBeforeUtc ?? CutoffUtc(asOf)) : [];
        var p = m.Recurrence == Recurrence.Quarterly ? ForRecurring(m, effective, asOf)
            : steps.Count > 0 ? ForStepped(m, effective, asOf, th ?? StatusThresholds.Default, steps)
            : ForSingle(m, effective, asOf);
        return p with { FigureSource = p.LatestReportId is null ? null : FigureSources.Lead, Parts = Parts(all, valued: false) };
    }

    /// <summary>
    /// The steps in force at the cut-off (recorded before it, not replaced by then), each done only if its done date is on
    /// or before the as-of date and it was recorded done before the cut-off.
    /// </summary>
    public static IReadOnlyList<StepState> StepsAt(IEnumerable<StepFact>? steps, DateOnly asOf, DateTime cutoff) =>
        (steps ?? []).Where(s => s.RecordedAtUtc < cutoff && (s.RemovedAtUtc is not { } r || r >= cutoff)).OrderBy(s => s.Number)
            .Select(s =>
            {
                var done = s.DoneOn is { } on && on <= asOf && s.DoneRecordedAtUtc is { } at && at < cutoff;
                return new StepState(s.Number, s.Title, s.Due, done ? s.DoneOn : null, done, !done && s.Due < asOf);
            }).ToList();

    /// <summary>
    /// A milestone broken into steps: completion is the share of steps done, expected the share due by the date. A report
    /// saying done, or every step done, makes it done; a late step makes it at least at risk; the margins apply as for targets.
    /// </summary>
    static MeasureProgress ForStepped(MilestoneFacts m, IReadOnlyList<ReportFact> effective, DateOnly asOf, StatusThresholds th,
        IReadOnlyList<StepState> steps)
    {
        var latest = Latest(effective.Where(r => r.Status is not null));
        var reportedDone = latest?.Status == MilestoneStatus.Done;
        var done = steps.Count(s => s.Done);
        var completion = reportedDone ? 1 : (double)done / steps.Count;
        var expected = (double)steps.Count(s => s.Due <= asOf) / steps.Count;
        var status = reportedDone || done == steps.Count ? MeasureStatus.Done
            : asOf > m.Due ? MeasureStatus.Overdue
            : completion < expected - th.OffTrackGap ? MeasureStatus.OffTrack
            : completion < expected - th.AtRiskGap || steps.Any(s => s.Late) ? MeasureStatus.AtRisk
            : MeasureStatus.OnTrack;
        return new(latest?.Id, latest?.AsOf, latest?.Value, latest?.Status, completion, Cap(completion), expected, status,
            null, 0, 0, Steps: steps);
    }

    static MeasureProgress ForSingle(MilestoneFacts m, IReadOnlyList<ReportFact> effective, DateOnly asOf)
    {
        var latest = Latest(effective.Where(r => r.Status is not null));
        var isDone = latest?.Status == MilestoneStatus.Done;
        double? completion = latest is null ? null : isDone ? 1 : 0;
        var expected = ExpectedFraction(m.Start, m.Due, asOf);
        var status = isDone ? MeasureStatus.Done
            : asOf > m.Due ? MeasureStatus.Overdue
            : latest is null ? MeasureStatus.NoData
            : latest.Status == MilestoneStatus.NotStarted && expected >= 0.5 ? MeasureStatus.AtRisk
            : MeasureStatus.OnTrack;
        return new(latest?.Id, latest?.AsOf, latest?.Value, latest?.Status, completion, Cap(completion), expected, status,
            null, 0, 0);
    }

    static MeasureProgress ForRecurring(MilestoneFacts m, IReadOnlyList<ReportFact> effective, DateOnly asOf)
    {
        var instances = QuarterInstances(m.Start, m.Due);
        // Latest per period decides, so a period reported Done and then walked back is not done.
        var byPeriod = effective.Where(r => r.Period is not null && r.Status is not null)
            .GroupBy(r => r.Period!.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => Latest(g)!.Status, StringComparer.OrdinalIgnoreCase);
        var done = instances.Select(i => byPeriod.GetValueOrDefault(i.Period) == MilestoneStatus.Done).ToList();
        var doneCount = done.Count(d => d);
        var dueCount = instances.Count(i => i.Due <= asOf);
        var overdue = instances.Where((i, k) => i.Due < asOf && !done[k]).Any();
        var latest = Latest(effective);
        double? completion = latest is null ? null : (double)doneCount / instances.Count;

        var status = doneCount == instances.Count ? MeasureStatus.Done
            : overdue ? MeasureStatus.Overdue
            : latest is null ? MeasureStatus.NoData
            : MeasureStatus.OnTrack;
        return new(latest?.Id, latest?.AsOf, latest?.Value, latest?.Status, completion, Cap(completion),
            (double)dueCount / instances.Count, status, null, dueCount, doneCount);
    }

    public static TargetSeries Series(TargetFacts t, IEnumerable<ReportFact> reports, DateOnly asOf, DateTime? knownBeforeUtc = null)
    {
        var reported = DailyPoints(Effective(reports, asOf, knownBeforeUtc).Where(r => r.Value is not null));
        var from = t.Kind == TargetKind.GrowthRate ? t.TargetValue : t.Baseline ?? 0; // a rate is expected all year
        var line = TrendLine(reported);
        // Planned values (never for rates) put their points on the expected line between the start and the due date.
        var planned = t.Kind == TargetKind.GrowthRate ? []
            : PlannedInForce(t.Planned, knownBeforeUtc ?? CutoffUtc(asOf)).Where(p => p.PeriodEnd > t.Start && p.PeriodEnd < t.Due)
                .Select(p => new SeriesPoint(p.PeriodEnd, p.Value));
        return new(reported,
            [new(t.Start, from), .. planned, new(t.Due, t.TargetValue)],
            line is null ? [] : [new(reported[0].Date, line(reported[0].Date)), new(t.Due, line(t.Due))]);
    }

    /// <summary>
    /// Instances are labelled by the quarter they close; a due date that is not a quarter end closes a short final
    /// instance, so a measure always has at least the instance due on its due date.
    /// </summary>
    public static IReadOnlyList<(string Period, DateOnly Due)> QuarterInstances(DateOnly start, DateOnly due)
    {
        var list = new List<(string Period, DateOnly Due)>();
        for (var end = QuarterEnd(start); end <= due; end = QuarterEnd(end.AddDays(1)))
            list.Add((Periods.QuarterLabel(end), end));
        if (list.Count == 0 || list[^1].Due != due) list.Add((Periods.QuarterLabel(due), due));
        return list;
    }

    static DateOnly QuarterEnd(DateOnly d)
    {
        var month = (d.Month + 2) / 3 * 3;
        return new(d.Year, month, DateTime.DaysInMonth(d.Year, month));
    }


    public static double? RollUp(IEnumerable<(double CappedCompletion, decimal Weight)> parts)
    {
        var list = parts.ToList();
        var total = list.Sum(p => p.Weight);
        return total == 0 ? null : list.Sum(p => p.CappedCompletion * (double)p.Weight) / (double)total;
    }

    static readonly MeasureStatus[] WorstFirst =
        [MeasureStatus.Overdue, MeasureStatus.OffTrack, MeasureStatus.AtRisk, MeasureStatus.OnTrack];

    public static MeasureStatus Combine(IEnumerable<MeasureStatus> statuses)
    {
        var all = statuses.ToList();
        if (all.Count == 0) return MeasureStatus.NoData;
        if (all.All(s => s == MeasureStatus.Done)) return MeasureStatus.Done;
        var rest = all.Where(s => s is not (MeasureStatus.Done or MeasureStatus.NoData)).ToHashSet();
        // Some done, the rest unreported: nothing is known to be behind, but the group is not done either.
        if (rest.Count == 0) return all.All(s => s == MeasureStatus.NoData) ? MeasureStatus.NoData : MeasureStatus.OnTrack;
        return WorstFirst.First(rest.Contains);
    }

    /// <summary>
    /// <see cref="Combine"/> for a roll-up with its own figure: a task (section, plan, group) never says on track, or only
    /// at risk, while its completion is further behind its expected line than the off-track margin.
    /// </summary>
    public static MeasureStatus CombineFigure(IEnumerable<MeasureStatus> statuses, double? completion, double? expected, StatusThresholds? th = null)
    {
        var status = Combine(statuses);
        th ??= StatusThresholds.Default;
        return status is MeasureStatus.OnTrack or MeasureStatus.AtRisk && completion is { } c && expected is { } e && c < e - th.OffTrackGap
            ? MeasureStatus.OffTrack : status;
    }

    static double Cap(double? completion) => Math.Clamp(completion ?? 0, 0, 1);

    // For each as-of date, what was reported for that date (the latest report for it), in date order.
    static List<SeriesPoint> DailyPoints(IEnumerable<ReportFact> valued) =>
        valued.GroupBy(r => r.AsOf).Select(g => Latest(g)!).OrderBy(r => r.AsOf)
            .Select(r => new SeriesPoint(r.AsOf, r.Value!.Value)).ToList();

    // Least squares over day numbers, centred on the means so decimal arithmetic keeps its precision.
    static Func<DateOnly, decimal>? TrendLine(IReadOnlyList<SeriesPoint> points)
    {
        if (points.Count < 2) return null;
        var mx = points.Average(p => (decimal)p.Date.DayNumber);
        var my = points.Average(p => p.Value);
        var sxx = points.Sum(p => (p.Date.DayNumber - mx) * (p.Date.DayNumber - mx));
        var slope = points.Sum(p => (p.Date.DayNumber - mx) * (p.Value - my)) / sxx;
        return d => Math.Round(my + slope * (d.DayNumber - mx), 4, MidpointRounding.AwayFromZero);
    }
}
