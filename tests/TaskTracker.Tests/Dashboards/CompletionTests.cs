using System.Globalization;
using TaskTracker.Domain;
using TaskTracker.Features.Dashboards;

namespace TaskTracker.Tests.Dashboards;

/// <summary>
/// Worked cases for the completion and status rules. The schedule runs 2025-01-01 .. 2025-12-31 (364 days),
/// so as of 2025-07-02 (day 182) half the time has gone.
/// </summary>
public class CompletionTests
{
    static readonly DateOnly Start = D("2025-01-01"), Due = D("2025-12-31"), MidYear = D("2025-07-02");

    static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    static DateTime Utc(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture,
        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    static ReportFact Figure(long id, string asOf, decimal value, string filedUtc) =>
        new(id, D(asOf), Utc(filedUtc), value, null, null, null, null, ReviewStatus.Submitted, null);

    static ReportFact Step(long id, string asOf, MilestoneStatus status, string filedUtc, string? period = null) =>
        new(id, D(asOf), Utc(filedUtc), null, status, period, null, null, ReviewStatus.Submitted, null);

    static TargetFacts Target(decimal value, decimal? baseline = null, Direction direction = Direction.Higher,
        TargetKind kind = TargetKind.Cumulative, Comparison comparison = Comparison.AtLeast) =>
        new(value, kind, direction, comparison, baseline, Start, Due);

    static MeasureProgress AtMidYear(TargetFacts t, decimal value) =>
        Completion.ForTarget(t, [Figure(1, "2025-06-30", value, "2025-07-01T02:00:00Z")], MidYear);

    // --- completion formulas ---

    [Fact]
    public void Baseline_counts_progress_from_the_baseline_not_from_zero()
    {
        var p = AtMidYear(Target(150, baseline: 55), 100);

        Assert.Equal(0.4737, p.Completion!.Value, 4); // (100 − 55) / (150 − 55), not 100 / 150
        Assert.Equal(0.4737, p.CappedCompletion, 4);
        Assert.Equal(0.5, p.Expected, 4);
        Assert.Equal(MeasureStatus.OnTrack, p.Status);
        Assert.Equal(1, p.LatestReportId);
        Assert.Equal(100m, p.LatestValue);
    }

    [Fact]
    public void Without_baseline_completion_is_measured_from_zero()
    {
        Assert.Equal(0.25, AtMidYear(Target(200), 50).Completion!.Value, 4);
    }

    [Fact]
    public void Over_achievement_is_shown_uncapped_but_capped_for_roll_ups()
    {
        var p = AtMidYear(Target(100), 120);

        Assert.Equal(1.2, p.Completion!.Value, 4);
        Assert.Equal(1.0, p.CappedCompletion);
        Assert.Equal(MeasureStatus.Done, p.Status);
    }

    [Fact]
    public void Falling_below_the_baseline_gives_negative_completion_capped_at_zero()
    {
        var p = AtMidYear(Target(150, baseline: 55), 50);

        Assert.Equal(-0.0526, p.Completion!.Value, 4);
        Assert.Equal(0.0, p.CappedCompletion);
        Assert.Equal(MeasureStatus.OffTrack, p.Status);
    }

    [Fact]
    public void Lower_is_better_with_baseline_counts_the_reduction_achieved()
    {
        // From 10 down to 8: reaching 9 is half the reduction.
        Assert.Equal(0.5, AtMidYear(Target(8, baseline: 10, direction: Direction.Lower), 9).Completion!.Value, 4);
        Assert.Equal(MeasureStatus.Done, AtMidYear(Target(8, baseline: 10, direction: Direction.Lower), 7.5m).Status);
    }

    [Fact]
    public void Lower_is_better_without_baseline_is_target_over_value_until_under_the_ceiling()
    {
        var lower = Target(8, direction: Direction.Lower);

        Assert.Equal(0.8, AtMidYear(lower, 10).Completion!.Value, 4);
        Assert.Equal(1.0, AtMidYear(lower, 7).Completion!.Value, 4);
        Assert.Equal(MeasureStatus.Done, AtMidYear(lower, 7).Status);
    }

    [Fact]
    public void Growth_rate_is_measured_from_zero_and_ignores_the_baseline()
    {
        var growth = Target(6.5m, baseline: 5m, kind: TargetKind.GrowthRate);

        Assert.Equal(0.5, AtMidYear(growth, 3.25m).Completion!.Value, 4);
    }

    [Fact]
    public void Target_equal_to_baseline_is_all_or_nothing()
    {
        var hold = Target(100, baseline: 100);

        Assert.Equal(1.0, AtMidYear(hold, 100).Completion!.Value);
        Assert.Equal(0.0, AtMidYear(hold, 99.9m).Completion!.Value);
    }

    [Fact]
    public void About_target_is_done_within_tolerance()
    {
        var about = Target(100, comparison: Comparison.About);

        Assert.Equal(MeasureStatus.Done, AtMidYear(about, 96).Status);
        Assert.Equal(MeasureStatus.OnTrack, AtMidYear(about, 94).Status);
        Assert.Equal(MeasureStatus.OnTrack, AtMidYear(Target(100), 96).Status); // AtLeast has no tolerance
        Assert.Equal(MeasureStatus.OnTrack,
            Completion.ForTarget(about, [Figure(1, "2025-06-30", 96, "2025-07-01T02:00:00Z")], MidYear,
                new StatusThresholds(AboutTolerance: 0.02)).Status);
    }

    // --- which reports count ---

    [Fact]
    public void Cutoff_is_the_end_of_the_day_in_China_time()
    {
        Assert.Equal(Utc("2025-06-30T16:00:00Z"), Completion.CutoffUtc(D("2025-06-30")));
        Assert.Equal(DateTimeKind.Utc, Completion.CutoffUtc(D("2025-06-30")).Kind);
    }

    [Fact]
    public void Report_filed_before_16_00_UTC_counts_that_day_and_one_filed_at_16_00_counts_the_next()
    {
        var justIn = Figure(1, "2025-06-30", 40, "2025-06-30T15:59:00Z");
        var justLate = Figure(2, "2025-06-30", 45, "2025-06-30T16:00:00Z");

        Assert.Equal([1L], Completion.Effective([justIn, justLate], D("2025-06-30")).Select(r => r.Id));
        Assert.Equal([1L, 2L], Completion.Effective([justIn, justLate], D("2025-07-01")).Select(r => r.Id).Order());
        Assert.Equal(45m, Completion.ForTarget(Target(100), [justIn, justLate], D("2025-07-01")).LatestValue);
    }

    [Fact]
    public void Latest_is_latest_as_of_then_latest_filed_then_highest_id()
    {
        var older = Figure(1, "2025-05-31", 90, "2025-06-20T01:00:00Z");
        var first = Figure(2, "2025-06-30", 40, "2025-07-01T01:00:00Z");
        var refiled = Figure(3, "2025-06-30", 42, "2025-07-02T01:00:00Z");
        var sameTime = Figure(4, "2025-06-30", 43, "2025-07-02T01:00:00Z");

        Assert.Equal(3, Completion.Latest([older, first, refiled])!.Id);
        Assert.Equal(4, Completion.Latest([older, first, sameTime, refiled])!.Id);
        Assert.Null(Completion.Latest([]));
    }

    [Fact]
    public void Correction_wins_once_filed_and_the_original_counts_before_that()
    {
        var original = Figure(1, "2025-06-30", 40, "2025-07-01T02:00:00Z");
        var correction = Figure(2, "2025-06-30", 60, "2025-07-10T03:00:00Z") with { SupersedesId = 1 };
        var t = Target(100);

        Assert.Equal(40m, Completion.ForTarget(t, [original, correction], D("2025-07-09")).LatestValue);
        Assert.Equal(60m, Completion.ForTarget(t, [original, correction], D("2025-07-10")).LatestValue);
        Assert.Equal(0.6, Completion.ForTarget(t, [original, correction], D("2025-07-10")).Completion!.Value, 4);
    }

    [Fact]
    public void Superseded_report_counts_again_once_its_correction_is_returned()
    {
        var original = Figure(1, "2025-06-30", 40, "2025-07-01T02:00:00Z");
        var correction = Figure(2, "2025-06-30", 60, "2025-07-10T03:00:00Z") with
        {
            SupersedesId = 1, ReviewStatus = ReviewStatus.Returned, ReviewedAtUtc = Utc("2025-07-15T03:00:00Z"),
        };

        Assert.Equal(60m, Completion.ForTarget(Target(100), [original, correction], D("2025-07-14")).LatestValue);
        var after = Completion.ForTarget(Target(100), [original, correction], D("2025-07-20"));
        Assert.Equal(40m, after.LatestValue);
        Assert.Equal(0.4, after.Completion!.Value, 4);
    }

    [Fact]
    public void Returned_report_stops_counting_but_still_counts_for_dates_before_it_was_returned()
    {
        var june = Figure(1, "2025-06-30", 50, "2025-06-30T10:00:00Z");
        var july = Figure(2, "2025-07-31", 70, "2025-08-01T01:00:00Z") with
        {
            ReviewStatus = ReviewStatus.Returned, ReviewedAtUtc = Utc("2025-08-05T15:59:00Z"),
        };

        Assert.Equal(70m, Completion.ForTarget(Target(100), [june, july], D("2025-08-04")).LatestValue);
        Assert.Equal(50m, Completion.ForTarget(Target(100), [june, july], D("2025-08-05")).LatestValue);
        Assert.Equal(50m, Completion.ForTarget(Target(100), [june, july], D("2025-08-10")).LatestValue);
    }

    [Fact]
    public void Sub_unit_report_is_a_breakdown_and_ignored()
    {
        var whole = Figure(1, "2025-06-30", 40, "2025-07-01T02:00:00Z");
        var city = Figure(2, "2025-07-01", 90, "2025-07-01T03:00:00Z") with { SubUnit = "贵阳市" };

        var p = Completion.ForTarget(Target(100), [whole, city], MidYear);

        Assert.Equal(1, p.LatestReportId);
        Assert.Equal(0.4, p.Completion!.Value, 4);
    }

    [Fact]
    public void As_of_before_any_report_is_no_data()
    {
        var p = Completion.ForTarget(Target(100), [Figure(1, "2025-06-30", 40, "2025-07-01T02:00:00Z")], D("2025-06-15"));

        Assert.Equal(MeasureStatus.NoData, p.Status);
        Assert.Null(p.Completion);
        Assert.Equal(0.0, p.CappedCompletion);
        Assert.Null(p.LatestReportId);
    }

    [Fact]
    public void Report_dated_after_as_of_is_ignored_even_if_already_filed()
    {
        var june = Figure(1, "2025-06-30", 40, "2025-07-01T02:00:00Z");
        var july = Figure(2, "2025-07-31", 80, "2025-07-20T02:00:00Z");

        Assert.Equal(40m, Completion.ForTarget(Target(100), [june, july], D("2025-07-25")).LatestValue);
    }

    // --- status ---

    [Fact]
    public void Expected_fraction_is_linear_and_clamped()
    {
        Assert.Equal(0.0, Completion.ExpectedFraction(Start, Due, D("2024-12-01")));
        Assert.Equal(0.5, Completion.ExpectedFraction(Start, Due, MidYear));
        Assert.Equal(1.0, Completion.ExpectedFraction(Start, Due, D("2026-03-01")));
        Assert.Equal(1.0, Completion.ExpectedFraction(Due, Due, Start));
    }

    [Fact]
    public void Not_done_after_the_due_date_is_overdue_with_or_without_data()
    {
        var dec = Figure(1, "2025-12-31", 80, "2025-12-31T08:00:00Z");

        // On the due date itself it is merely behind (0.8 against 1.0); from the next day it is overdue.
        Assert.Equal(MeasureStatus.AtRisk, Completion.ForTarget(Target(100), [dec], D("2025-12-31")).Status);
        Assert.Equal(MeasureStatus.Overdue, Completion.ForTarget(Target(100), [dec], D("2026-01-01")).Status);
        Assert.Equal(MeasureStatus.Overdue, Completion.ForTarget(Target(100), [], D("2026-01-05")).Status);
        Assert.Equal(MeasureStatus.Done,
            Completion.ForTarget(Target(100), [dec with { Value = 100 }], D("2026-01-05")).Status);
    }

    [Fact]
    public void Gap_to_expected_decides_off_track_and_at_risk()
    {
        // Expected 0.5: off track below 0.25, at risk below 0.40.
        Assert.Equal(MeasureStatus.OffTrack, AtMidYear(Target(100), 20).Status);
        Assert.Equal(MeasureStatus.AtRisk, AtMidYear(Target(100), 35).Status);
        Assert.Equal(MeasureStatus.OnTrack, AtMidYear(Target(100), 45).Status);
        Assert.Equal(MeasureStatus.OnTrack,
            Completion.ForTarget(Target(100), [Figure(1, "2025-06-30", 35, "2025-07-01T02:00:00Z")], MidYear,
                new StatusThresholds(AtRiskGap: 0.2)).Status);
    }

    [Fact]
    public void Trend_projection_that_misses_the_target_is_at_risk_even_when_on_schedule()
    {
        // Day 90 → 30, day 182 → 50: on schedule at mid-year, but the line reaches only 89.5652 by day 364.
        var slow = new[] { Figure(1, "2025-04-01", 30, "2025-04-02T02:00:00Z"), Figure(2, "2025-07-02", 50, "2025-07-02T09:00:00Z") };
        var p = Completion.ForTarget(Target(100), slow, MidYear);

        Assert.Equal(0.5, p.Completion!.Value, 4);
        Assert.Equal(89.5652m, p.ProjectedValueAtDue);
        Assert.Equal(MeasureStatus.AtRisk, p.Status);

        // Day 90 → 20, day 182 → 50: the steeper line overshoots (109.3478), so on track.
        var fast = new[] { slow[0] with { Value = 20 }, slow[1] };
        var q = Completion.ForTarget(Target(100), fast, MidYear);
        Assert.Equal(109.3478m, q.ProjectedValueAtDue);
        Assert.Equal(MeasureStatus.OnTrack, q.Status);
    }

    [Fact]
    public void Trend_for_lower_is_better_misses_when_projected_above_the_target()
    {
        // From 10 to 8: 9.8 on day 90, 9.0 on day 182 is on schedule, but the line ends at 7.4174 — good;
        // 9.5 then 9.0 ends at 8.0109 — above the ceiling.
        var lower = Target(8, baseline: 10, direction: Direction.Lower);
        ReportFact[] Pair(decimal first) =>
            [Figure(1, "2025-04-01", first, "2025-04-02T02:00:00Z"), Figure(2, "2025-07-02", 9, "2025-07-02T09:00:00Z")];

        Assert.Equal(7.4174m, Completion.ForTarget(lower, Pair(9.8m), MidYear).ProjectedValueAtDue);
        Assert.Equal(MeasureStatus.OnTrack, Completion.ForTarget(lower, Pair(9.8m), MidYear).Status);
        Assert.Equal(8.0109m, Completion.ForTarget(lower, Pair(9.5m), MidYear).ProjectedValueAtDue);
        Assert.Equal(MeasureStatus.AtRisk, Completion.ForTarget(lower, Pair(9.5m), MidYear).Status);
    }

    [Fact]
    public void Projection_needs_two_distinct_as_of_dates_and_uses_each_dates_latest_report()
    {
        var a = Figure(1, "2025-04-01", 30, "2025-04-02T02:00:00Z");
        var aRefiled = Figure(2, "2025-04-01", 10, "2025-04-05T02:00:00Z");
        var b = Figure(3, "2025-07-02", 50, "2025-07-02T09:00:00Z");

        Assert.Null(Completion.ForTarget(Target(100), [a, aRefiled], MidYear).ProjectedValueAtDue);
        // 10 → 50 over 92 days, projected 50 + 182 × 40/92.
        Assert.Equal(129.1304m, Completion.ForTarget(Target(100), [a, aRefiled, b], MidYear).ProjectedValueAtDue);
    }

    // --- milestones ---

    static readonly MilestoneFacts Once = new(Recurrence.None, Start, Due);
    static readonly MilestoneFacts EveryQuarter = new(Recurrence.Quarterly, Start, Due);

    [Fact]
    public void Single_milestone_is_done_or_not_and_at_risk_if_not_started_past_half_time()
    {
        MeasureProgress At(MilestoneStatus s, string asOf) =>
            Completion.ForMilestone(Once, [Step(1, "2025-03-31", s, "2025-04-01T02:00:00Z")], D(asOf));

        var done = At(MilestoneStatus.Done, "2025-04-10");
        Assert.Equal((1.0, MeasureStatus.Done), (done.Completion, done.Status));
        Assert.Equal(MilestoneStatus.Done, done.LatestStatus);

        Assert.Equal(MeasureStatus.OnTrack, At(MilestoneStatus.NotStarted, "2025-04-10").Status);
        Assert.Equal(MeasureStatus.AtRisk, At(MilestoneStatus.NotStarted, "2025-07-02").Status);
        Assert.Equal(MeasureStatus.OnTrack, At(MilestoneStatus.InProgress, "2025-07-02").Status);
        Assert.Equal(0.0, At(MilestoneStatus.InProgress, "2025-07-02").Completion);
        Assert.Equal(MeasureStatus.Overdue, At(MilestoneStatus.InProgress, "2026-01-01").Status);
        Assert.Equal(MeasureStatus.NoData, Completion.ForMilestone(Once, [], MidYear).Status);
        Assert.Equal(MeasureStatus.Overdue, Completion.ForMilestone(Once, [], D("2026-01-01")).Status);
    }

    [Fact]
    public void Quarterly_milestone_counts_instances_and_an_undone_past_quarter_is_overdue()
    {
        var q1 = Step(1, "2025-03-31", MilestoneStatus.Done, "2025-04-02T02:00:00Z", "2025-Q1");
        var q2Progress = Step(2, "2025-06-30", MilestoneStatus.InProgress, "2025-07-01T02:00:00Z", "2025-Q2");
        var q2Done = Step(3, "2025-07-18", MilestoneStatus.Done, "2025-07-20T02:00:00Z", "2025-Q2");

        var onQ2Due = Completion.ForMilestone(EveryQuarter, [q1, q2Progress], D("2025-06-30"));
        Assert.Equal((2, 1, MeasureStatus.OnTrack), (onQ2Due.InstancesDue, onQ2Due.InstancesDone, onQ2Due.Status));

        var late = Completion.ForMilestone(EveryQuarter, [q1, q2Progress, q2Done], D("2025-07-15"));
        Assert.Equal((2, 1, MeasureStatus.Overdue), (late.InstancesDue, late.InstancesDone, late.Status));
        Assert.Equal(0.25, late.Completion!.Value, 4);
        Assert.Equal(0.5, late.Expected, 4);

        var caughtUp = Completion.ForMilestone(EveryQuarter, [q1, q2Progress, q2Done], D("2025-07-25"));
        Assert.Equal((2, 2, MeasureStatus.OnTrack), (caughtUp.InstancesDue, caughtUp.InstancesDone, caughtUp.Status));
        Assert.Equal(0.5, caughtUp.Completion!.Value, 4);
    }

    [Fact]
    public void Quarterly_instance_reported_early_counts_and_latest_report_per_period_decides()
    {
        var q1 = Step(1, "2025-03-31", MilestoneStatus.Done, "2025-04-02T02:00:00Z", "2025-Q1");
        var q1WalkedBack = Step(2, "2025-04-15", MilestoneStatus.InProgress, "2025-04-16T02:00:00Z", "2025-Q1");
        var q2Early = Step(3, "2025-05-10", MilestoneStatus.Done, "2025-05-11T02:00:00Z", "2025-Q2");

        var early = Completion.ForMilestone(EveryQuarter, [q1, q2Early], D("2025-05-20"));
        Assert.Equal((1, 2, MeasureStatus.OnTrack), (early.InstancesDue, early.InstancesDone, early.Status));

        var walkedBack = Completion.ForMilestone(EveryQuarter, [q1, q1WalkedBack, q2Early], D("2025-05-20"));
        Assert.Equal((1, MeasureStatus.Overdue), (walkedBack.InstancesDone, walkedBack.Status));
    }

    [Fact]
    public void Quarterly_milestone_is_done_when_every_instance_is_done_and_no_data_before_any_report()
    {
        var all = new[] { "Q1", "Q2", "Q3", "Q4" }.Select((q, i) =>
            Step(i + 1, "2025-12-20", MilestoneStatus.Done, "2025-12-21T02:00:00Z", "2025-" + q)).ToArray();

        var done = Completion.ForMilestone(EveryQuarter, all, D("2026-01-10"));
        Assert.Equal((4, 4, 1.0, MeasureStatus.Done), (done.InstancesDue, done.InstancesDone, done.Completion, done.Status));

        var none = Completion.ForMilestone(EveryQuarter, [], D("2025-02-01"));
        Assert.Equal((MeasureStatus.NoData, (double?)null), (none.Status, none.Completion));
        Assert.Equal(MeasureStatus.Overdue, Completion.ForMilestone(EveryQuarter, [], D("2025-04-01")).Status);
    }

    [Fact]
    public void Quarter_instances_for_a_full_year()
    {
        Assert.Equal(
            [("2025-Q1", D("2025-03-31")), ("2025-Q2", D("2025-06-30")), ("2025-Q3", D("2025-09-30")), ("2025-Q4", D("2025-12-31"))],
            Completion.QuarterInstances(Start, Due));
    }

    [Fact]
    public void Quarter_instances_for_a_partial_period_end_on_the_due_date()
    {
        Assert.Equal(
            [("2025-Q2", D("2025-06-30")), ("2025-Q3", D("2025-09-30")), ("2025-Q4", D("2025-11-15"))],
            Completion.QuarterInstances(D("2025-05-15"), D("2025-11-15")));
        Assert.Equal(
            [("2025-Q4", D("2025-12-31")), ("2026-Q1", D("2026-03-31")), ("2026-Q2", D("2026-06-30"))],
            Completion.QuarterInstances(D("2025-10-01"), D("2026-06-30")));
    }

    // --- roll-up ---

    [Fact]
    public void Roll_up_is_the_weighted_mean_of_capped_completion()
    {
        Assert.Equal(0.625, Completion.RollUp([(1.0, 2m), (0.5, 1m), (0.0, 1m)])!.Value, 6);
        Assert.Null(Completion.RollUp([]));
        Assert.Null(Completion.RollUp([(0.7, 0m)]));
    }

    [Fact]
    public void Combine_takes_the_worst_status_and_ignores_done_and_no_data()
    {
        Assert.Equal(MeasureStatus.NoData, Completion.Combine([]));
        Assert.Equal(MeasureStatus.Done, Completion.Combine([MeasureStatus.Done, MeasureStatus.Done]));
        Assert.Equal(MeasureStatus.NoData, Completion.Combine([MeasureStatus.NoData, MeasureStatus.NoData]));
        Assert.Equal(MeasureStatus.OnTrack, Completion.Combine([MeasureStatus.Done, MeasureStatus.NoData]));
        Assert.Equal(MeasureStatus.AtRisk,
            Completion.Combine([MeasureStatus.Done, MeasureStatus.OnTrack, MeasureStatus.AtRisk, MeasureStatus.NoData]));
        Assert.Equal(MeasureStatus.OffTrack, Completion.Combine([MeasureStatus.AtRisk, MeasureStatus.OffTrack]));
        Assert.Equal(MeasureStatus.Overdue,
            Completion.Combine([MeasureStatus.OffTrack, MeasureStatus.Overdue, MeasureStatus.OnTrack]));
    }

    // --- series ---

    [Fact]
    public void Series_has_daily_reported_points_a_two_point_schedule_and_a_two_point_trend()
    {
        var t = Target(150, baseline: 55);
        ReportFact[] reports =
        [
            Figure(1, "2025-04-01", 30, "2025-04-02T02:00:00Z"),
            Figure(2, "2025-07-02", 45, "2025-07-02T09:00:00Z"),
            Figure(3, "2025-07-02", 50, "2025-07-02T10:00:00Z"),
            Figure(4, "2025-07-02", 99, "2025-07-02T16:00:00Z"), // filed after the cutoff
        ];

        var s = Completion.Series(t, reports, MidYear);

        Assert.Equal([new SeriesPoint(D("2025-04-01"), 30), new SeriesPoint(MidYear, 50)], s.Reported);
        Assert.Equal([new SeriesPoint(Start, 55), new SeriesPoint(Due, 150)], s.Expected);
        Assert.Equal([new SeriesPoint(D("2025-04-01"), 30), new SeriesPoint(Due, 89.5652m)], s.Trend);
    }

    [Fact]
    public void Series_for_growth_rate_expects_the_target_rate_all_year_and_has_no_trend_from_one_point()
    {
        var s = Completion.Series(Target(6.5m, baseline: 5m, kind: TargetKind.GrowthRate),
            [Figure(1, "2025-06-30", 3.1m, "2025-07-01T02:00:00Z")], MidYear);

        Assert.Single(s.Reported);
        Assert.Equal([new SeriesPoint(Start, 6.5m), new SeriesPoint(Due, 6.5m)], s.Expected);
        Assert.Empty(s.Trend);
    }
}
