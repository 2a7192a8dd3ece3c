using System.Globalization;
using TaskTracker.Domain;
using TaskTracker.Standing;

namespace TaskTracker.Tests.Figures;

/// <summary>
/// Worked cases for milestone steps (节点), planned values (计划值) and the roll-up rule that a task is never on track
/// while its figure is far behind its expected line (issue 12). The same cases are written out in docs/metrics.md.
/// </summary>
public class StepAndPlanRuleTests
{
    static readonly DateOnly Start = D("2025-01-01"), Due = D("2025-12-31");

    static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    static DateTime Utc(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    static ReportFact Rep(long id, string asOf, decimal value, string filedUtc) =>
        new(id, D(asOf), Utc(filedUtc), value, null, null, null, null, ReviewStatus.Submitted, null, 1);

    static ReportFact Status(long id, string asOf, MilestoneStatus status, string filedUtc) =>
        new(id, D(asOf), Utc(filedUtc), null, status, null, null, null, ReviewStatus.Submitted, null, 1);

    const string Defined = "2025-01-10T02:00:00Z";

    static StepFact Step(int n, string due, string? doneOn = null, string? doneRecorded = null, string recorded = Defined, string? removed = null) =>
        new(n, $"step {n}", D(due), doneOn is null ? null : D(doneOn), Utc(recorded), doneRecorded is null ? null : Utc(doneRecorded),
            removed is null ? null : Utc(removed));

    // Four quarterly steps; steps 1 and 2 done on time, each recorded a few days later.
    static readonly StepFact[] FourSteps =
    [
        Step(1, "2025-03-31", "2025-03-20", "2025-03-22T02:00:00Z"),
        Step(2, "2025-06-30", "2025-06-25", "2025-07-02T02:00:00Z"),
        Step(3, "2025-09-30"),
        Step(4, "2025-12-15"),
    ];

    static MeasureProgress Milestone(IReadOnlyList<StepFact> steps, string asOf, IEnumerable<ReportFact>? reports = null, DateTime? knownBefore = null) =>
        Completion.ForMilestone(new MilestoneFacts(Recurrence.None, Start, Due, steps), reports ?? [], D(asOf), null, knownBefore);

    [Fact]
    public void Milestone_with_2_of_4_steps_done_is_half_done_and_on_track()
    {
        var p = Milestone(FourSteps, "2025-07-10", knownBefore: DateTime.MaxValue);

        Assert.Equal(0.5, p.Completion);          // 2 of 4 steps done
        Assert.Equal(0.5, p.Expected);            // 2 of 4 steps due by 10 July
        Assert.Equal(MeasureStatus.OnTrack, p.Status);
        Assert.Equal([true, true, false, false], p.Steps!.Select(s => s.Done));
        Assert.Equal(D("2025-06-25"), p.Steps![1].DoneOn);
    }

    [Fact]
    public void A_step_past_its_due_date_and_not_done_puts_the_milestone_behind()
    {
        StepFact[] oneDone = [FourSteps[0], Step(2, "2025-06-30"), FourSteps[2], FourSteps[3]];
        var p = Milestone(oneDone, "2025-07-10");
        Assert.Equal(0.25, p.Completion);
        Assert.Equal(0.5, p.Expected);
        Assert.True(p.Steps![1].Late);
        Assert.Equal(MeasureStatus.AtRisk, p.Status); // 25 points behind: not beyond the off-track margin, but a step is late

        StepFact[] noneDone = [Step(1, "2025-03-31"), Step(2, "2025-06-30"), FourSteps[2], FourSteps[3]];
        Assert.Equal(MeasureStatus.OffTrack, Milestone(noneDone, "2025-07-10").Status); // 0% against 50%

        // Past the milestone's own due date with a step still open: overdue, as for any measure.
        Assert.Equal(MeasureStatus.Overdue, Milestone(FourSteps, "2026-01-05").Status);
    }

    [Fact]
    public void Every_step_done_or_a_done_report_makes_the_milestone_done()
    {
        StepFact[] allDone = [.. FourSteps.Take(2), Step(3, "2025-09-30", "2025-09-01", "2025-09-02T02:00:00Z"), Step(4, "2025-12-15", "2025-10-01", "2025-10-02T02:00:00Z")];
        Assert.Equal(MeasureStatus.Done, Milestone(allDone, "2025-10-10").Status);

        var reported = Milestone(FourSteps, "2025-07-10", [Status(1, "2025-07-05", MilestoneStatus.Done, "2025-07-05T02:00:00Z")]);
        Assert.Equal(MeasureStatus.Done, reported.Status);
        Assert.Equal(1.0, reported.Completion);
    }

    [Fact]
    public void A_milestone_without_steps_stays_done_or_not_done()
    {
        var p = Milestone([], "2025-07-10", [Status(1, "2025-07-05", MilestoneStatus.InProgress, "2025-07-05T02:00:00Z")]);
        Assert.Equal(0.0, p.Completion);
        Assert.Null(p.Steps);
        Assert.Equal(MeasureStatus.OnTrack, p.Status);
    }

    [Fact]
    public void Steps_count_at_an_as_of_date_only_if_done_by_then_and_recorded_by_the_knowledge_cut_off()
    {
        // As of 30 June: step 2 was done on 25 June but recorded on 2 July.
        Assert.Equal(0.5, Milestone(FourSteps, "2025-06-30", knownBefore: DateTime.MaxValue).Completion);                    // everything known now (the dashboards' default)
        Assert.Equal(0.25, Milestone(FourSteps, "2025-06-30", knownBefore: Completion.CutoffUtc(D("2025-06-30"))).Completion); // as known on 30 June
        Assert.Equal(0.25, Milestone(FourSteps, "2025-06-20", knownBefore: DateTime.MaxValue).Completion);                                          // not yet done on 20 June

        // A list replaced on 1 August: a view known before then still sees the old steps.
        StepFact[] replaced = [FourSteps[0], FourSteps[1], Step(3, "2025-09-30", removed: "2025-08-01T02:00:00Z"), Step(4, "2025-12-15", removed: "2025-08-01T02:00:00Z"),
            Step(5, "2025-11-30", recorded: "2025-08-01T02:00:00Z")];
        Assert.Equal(4, Milestone(replaced, "2025-07-31", knownBefore: Completion.CutoffUtc(D("2025-07-31"))).Steps!.Count);
        Assert.Equal([1, 2, 5], Milestone(replaced, "2025-08-10", knownBefore: DateTime.MaxValue).Steps!.Select(s => s.Number));
        // Steps defined after the cut-off are unknown: the milestone is measured as before, done or not done.
        Assert.Null(Milestone(FourSteps, "2025-01-05", knownBefore: Completion.CutoffUtc(D("2025-01-05"))).Steps);
    }

    [Fact]
    public void A_task_is_never_on_track_while_its_figure_is_far_behind_its_expected_line()
    {
        // Every measure says on track, but the task stands at 10% against an expected 50%: beyond the 25-point margin.
        Assert.Equal(MeasureStatus.OffTrack, Completion.CombineFigure([MeasureStatus.OnTrack, MeasureStatus.OnTrack], 0.10, 0.50));
        Assert.Equal(MeasureStatus.OffTrack, Completion.CombineFigure([MeasureStatus.AtRisk], 0.20, 0.50));
        // Within the margin the measures' statuses decide.
        Assert.Equal(MeasureStatus.OnTrack, Completion.CombineFigure([MeasureStatus.OnTrack, MeasureStatus.Done], 0.30, 0.50));
        // Some done, the rest unreported and far behind: not on track.
        Assert.Equal(MeasureStatus.OffTrack, Completion.CombineFigure([MeasureStatus.Done, MeasureStatus.NoData, MeasureStatus.NoData], 0.20, 0.50));
        // Worse statuses and no data stay as they are.
        Assert.Equal(MeasureStatus.Overdue, Completion.CombineFigure([MeasureStatus.Overdue, MeasureStatus.OnTrack], 0.0, 0.9));
        Assert.Equal(MeasureStatus.NoData, Completion.CombineFigure([MeasureStatus.NoData], 0.0, 0.5));
    }

    static PlannedFact Planned(string period, decimal value, string recorded = Defined, string? removed = null)
    {
        PlannedValueRules.TryParse(period, out _, out var end);
        return new(period, end, value, Utc(recorded), removed is null ? null : Utc(removed));
    }

    // T02-1-like: an annual amount of 240 亿元, planned per quarter 40 / 100 / 160 / 240.
    static readonly TargetFacts Revenue = new(240, TargetKind.Annual, Direction.Higher, Comparison.Reach, null, Start, Due, true,
        [Planned("2025-Q1", 40), Planned("2025-Q2", 100), Planned("2025-Q3", 160), Planned("2025-Q4", 240)]);

    [Fact]
    public void Quarterly_planned_values_shape_the_expected_line_linearly_between_period_ends()
    {
        // 15 May lies 45 of the 91 days from 31 March (40) to 30 June (100): 40 + 60 × 45/91 = 69.67, i.e. 29.0% of 240.
        var withPlan = Completion.ForTarget(Revenue, [Rep(1, "2025-05-15", 55, "2025-05-15T02:00:00Z")], D("2025-05-15"));
        Assert.Equal(69.6703 / 240, withPlan.Expected, 4);
        Assert.Equal(MeasureStatus.OnTrack, withPlan.Status);  // 22.9% against 29.0%

        var linear = Completion.ForTarget(Revenue with { Planned = null }, [Rep(1, "2025-05-15", 55, "2025-05-15T02:00:00Z")], D("2025-05-15"));
        Assert.Equal(134.0 / 364, linear.Expected, 4);          // 序时进度 36.8%
        Assert.Equal(MeasureStatus.AtRisk, linear.Status);      // 22.9% is more than 10 points behind

        Assert.Equal(100.0 / 240, Completion.ExpectedFor(Revenue, D("2025-06-30"), DateTime.MaxValue), 6); // on a period end: the planned value
    }

    [Fact]
    public void Monthly_planned_values_for_a_stock_run_from_the_baseline()
    {
        // H2-like: 150 EFLOPS from a baseline of 55; only June planned, at 80.
        var compute = new TargetFacts(150, TargetKind.Cumulative, Direction.Higher, Comparison.AtLeast, 55, Start, Due, true,
            [Planned("2025-06", 80)]);
        Assert.Equal(25.0 / 95, Completion.ExpectedFor(compute, D("2025-06-30"), DateTime.MaxValue), 6);  // (80 − 55) / (150 − 55)
        // After the last planned point the line runs on to 100% at the due date: 30 Sept is half-way from 30 June to 31 Dec.
        Assert.Equal(25.0 / 95 + (1 - 25.0 / 95) * 92 / 184, Completion.ExpectedFor(compute, D("2025-09-30"), DateTime.MaxValue), 6);
        // Before the first planned point: from 0 at the start to the June point.
        Assert.Equal(25.0 / 95 * 90 / 180, Completion.ExpectedFor(compute, D("2025-04-01"), DateTime.MaxValue), 6);
    }

    [Fact]
    public void Planned_values_follow_the_list_in_force_at_the_knowledge_cut_off_and_never_shape_a_growth_rate()
    {
        var replaced = Revenue with
        {
            Planned = [Planned("2025-Q2", 60, removed: "2025-07-01T02:00:00Z"), Planned("2025-Q2", 120, recorded: "2025-07-01T02:00:00Z")],
        };
        Assert.Equal(60.0 / 240, Completion.ExpectedFor(replaced, D("2025-06-30"), Completion.CutoffUtc(D("2025-06-30"))), 6);
        Assert.Equal(120.0 / 240, Completion.ExpectedFor(replaced, D("2025-06-30"), DateTime.MaxValue), 6);

        var h1 = new TargetFacts(20, TargetKind.GrowthRate, Direction.Higher, Comparison.About, null, Start, Due, false, [Planned("2025-Q1", 5)]);
        Assert.Equal(1.0, Completion.ForTarget(h1, [Rep(1, "2025-03-31", 20, "2025-04-02T02:00:00Z")], D("2025-04-05")).Expected);
    }

    [Fact]
    public void The_series_expected_line_passes_through_the_planned_points()
    {
        var s = Completion.Series(Revenue, [], D("2025-07-10"));
        Assert.Equal([(D("2025-01-01"), 0m), (D("2025-03-31"), 40m), (D("2025-06-30"), 100m), (D("2025-09-30"), 160m), (D("2025-12-31"), 240m)],
            s.Expected.Select(p => (p.Date, p.Value)));
    }

    [Fact]
    public void Planned_value_rules_name_the_period_the_unit_and_a_value_that_goes_back()
    {
        static List<PlannedProblem> Check(TargetKind kind, params PlannedInput[] list) =>
            PlannedValueRules.Check(list, kind, Direction.Higher, "亿元", Start, Due);
        static PlannedInput P(string period, decimal? value, string? unit) => new(period, value, unit);

        Assert.Empty(Check(TargetKind.Annual, P("2025-Q1", 40, null), P("2025-06", 100, "亿元"), P("2025-Q4", 240, null)));
        Assert.Equal(("period", 0), Check(TargetKind.Annual, P("2025-13", 1, null)).Select(p => (p.Field, p.Index!.Value)).Single());
        Assert.Equal(("period", 0), Check(TargetKind.Annual, P("2026-Q1", 1, null)).Select(p => (p.Field, p.Index!.Value)).Single());   // outside the plan year
        Assert.Equal(("period", 1), Check(TargetKind.Annual, P("2025-03", 1, null), P("2025-Q1", 2, null)).Select(p => (p.Field, p.Index!.Value)).Single());
        Assert.Equal(("unit", 0), Check(TargetKind.Annual, P("2025-03", 1, "万元")).Select(p => (p.Field, p.Index!.Value)).Single());
        Assert.Equal(("value", 1), Check(TargetKind.Cumulative, P("2025-Q2", 80, null), P("2025-Q3", 70, null)).Select(p => (p.Field, p.Index!.Value)).Single());
        Assert.Equal(("value", 0), Check(TargetKind.Annual, P("2025-Q2", null, null)).Select(p => (p.Field, p.Index!.Value)).Single());
        Assert.Null(Check(TargetKind.GrowthRate, P("2025-Q2", 10, null)).Single().Index);

        Assert.True(PlannedValueRules.TryParse("2025-Q3", out var first, out var last));
        Assert.Equal((D("2025-07-01"), D("2025-09-30")), (first, last));
        Assert.True(PlannedValueRules.TryParse("2025-02", out _, out var feb));
        Assert.Equal(D("2025-02-28"), feb);
    }
}
