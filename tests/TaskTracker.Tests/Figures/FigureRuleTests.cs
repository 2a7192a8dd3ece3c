using System.Globalization;
using TaskTracker.Domain;
using TaskTracker.Standing;

namespace TaskTracker.Tests.Figures;

/// <summary>
/// Worked cases for the kind-specific rules (issue 12): growth rates held all year, verified beside reported, a
/// returned correction, the lead's whole figure with the parts beside it, and the office's assignments.
/// </summary>
public class FigureRuleTests
{
    static readonly DateOnly Start = D("2025-01-01"), Due = D("2025-12-31");

    static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    static DateTime Utc(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    static ReportFact Rep(long id, string asOf, decimal value, string filedUtc, int agency = 1, bool part = false) =>
        new(id, D(asOf), Utc(filedUtc), value, null, null, null, null, ReviewStatus.Submitted, null, agency, part);

    // H1: 软件和信息技术服务业增长 20% 左右.
    static readonly TargetFacts H1 = new(20, TargetKind.GrowthRate, Direction.Higher, Comparison.About, null, Start, Due);

    [Fact]
    public void Growth_rate_H1_at_12_percent_in_spring_is_off_track_against_the_full_target_rate()
    {
        var p = Completion.ForTarget(H1, [Rep(1, "2025-04-30", 12, "2025-05-05T02:00:00Z")], D("2025-05-10"));

        Assert.Equal(1.0, p.Expected);               // the rate is expected from the first day, not ramped
        Assert.Equal(0.6, p.Completion!.Value, 4);   // 12 / 20
        Assert.Equal(MeasureStatus.OffTrack, p.Status); // 8 rate points behind > 5
    }

    [Fact]
    public void Growth_rate_H1_at_20_percent_in_spring_is_on_track_but_not_done()
    {
        var p = Completion.ForTarget(H1, [Rep(1, "2025-04-30", 20, "2025-05-05T02:00:00Z")], D("2025-05-10"));

        Assert.Equal(1.0, p.Completion!.Value, 4);
        Assert.Equal(MeasureStatus.OnTrack, p.Status);
    }

    [Fact]
    public void Growth_rate_is_done_only_on_a_report_covering_the_whole_year()
    {
        var june = Completion.ForTarget(H1, [Rep(1, "2025-06-30", 19, "2025-07-05T02:00:00Z")], D("2025-07-10"));
        Assert.Equal(MeasureStatus.OnTrack, june.Status); // 1 point behind, within the at-risk margin; not done in June

        var year = Completion.ForTarget(H1, [Rep(2, "2025-12-31", 19, "2025-12-31T10:00:00Z")], D("2025-12-31"));
        Assert.Equal(MeasureStatus.Done, year.Status); // asOf = period end covers the year; 19 is within 5% of 左右 20
    }

    [Fact]
    public void Growth_rate_margins_are_in_rate_points()
    {
        Assert.Equal(MeasureStatus.AtRisk, Completion.ForTarget(H1, [Rep(1, "2025-04-30", 17, "2025-05-05T02:00:00Z")], D("2025-05-10")).Status);
        var loose = new StatusThresholds(GrowthAtRiskPoints: 4, GrowthOffTrackPoints: 10);
        Assert.Equal(MeasureStatus.AtRisk, Completion.ForTarget(H1, [Rep(1, "2025-04-30", 12, "2025-05-05T02:00:00Z")], D("2025-05-10"), loose).Status);
    }

    [Fact]
    public void Stocks_still_follow_the_linear_schedule()
    {
        var compute = new TargetFacts(150, TargetKind.Cumulative, Direction.Higher, Comparison.Reach, 55, Start, Due);
        var p = Completion.ForTarget(compute, [Rep(1, "2025-06-30", 100, "2025-07-01T02:00:00Z")], D("2025-07-02"));
        Assert.Equal(0.5, p.Expected, 4);
        Assert.Equal(0.4737, p.Completion!.Value, 4);
        Assert.Equal(MeasureStatus.OnTrack, p.Status);
    }

    [Fact]
    public void Verified_counts_only_accepted_reports_and_a_pending_correction_leaves_the_accepted_one()
    {
        var t = new TargetFacts(100, TargetKind.Annual, Direction.Higher, Comparison.Reach, null, Start, Due);
        var accepted = Rep(1, "2025-05-31", 40, "2025-06-02T02:00:00Z") with { ReviewStatus = ReviewStatus.Accepted, ReviewedAtUtc = Utc("2025-06-05T02:00:00Z") };
        var pending = Rep(2, "2025-06-30", 60, "2025-07-01T02:00:00Z");
        var correction = Rep(3, "2025-05-31", 45, "2025-06-20T02:00:00Z") with { SupersedesId = 1 };
        var all = new[] { accepted, pending, correction };

        Assert.Equal(0.6, Completion.ForTarget(t, all, D("2025-07-02")).Completion!.Value, 4);
        Assert.Equal(0.4, Completion.ForTarget(t, Completion.Accepted(all, D("2025-07-02")), D("2025-07-02")).Completion!.Value, 4);
        // Before the review the office had verified nothing.
        Assert.Null(Completion.ForTarget(t, Completion.Accepted(all, D("2025-06-04")), D("2025-06-04")).Completion);
    }

    [Fact]
    public void Returning_a_correction_lets_the_report_it_superseded_count_again()
    {
        var t = new TargetFacts(100, TargetKind.Annual, Direction.Higher, Comparison.Reach, null, Start, Due);
        var original = Rep(1, "2025-06-30", 40, "2025-07-01T02:00:00Z");
        var correction = Rep(2, "2025-06-30", 60, "2025-07-10T03:00:00Z") with
        {
            SupersedesId = 1, ReviewStatus = ReviewStatus.Returned, ReviewedAtUtc = Utc("2025-07-15T03:00:00Z"),
        };
        Assert.Equal(60m, Completion.ForTarget(t, [original, correction], D("2025-07-14")).LatestValue);
        Assert.Equal(40m, Completion.ForTarget(t, [original, correction], D("2025-07-20")).LatestValue);

        // Corrected again: the new correction stands and the original stays superseded.
        var again = Rep(3, "2025-06-30", 55, "2025-07-16T03:00:00Z") with { SupersedesId = 2 };
        Assert.Equal(55m, Completion.ForTarget(t, [original, correction, again], D("2025-07-20")).LatestValue);
    }

    [Fact]
    public void Cooperating_agencys_part_is_shown_beside_the_leads_figure_and_never_overrides_it()
    {
        // T02-1: 省大数据局 (1) leads; 贵阳市 (2) co-operates.
        var t = new TargetFacts(240, TargetKind.Annual, Direction.Higher, Comparison.Reach, null, Start, Due, Additive: true);
        var lead = Rep(1, "2025-06-30", 100, "2025-07-01T02:00:00Z", agency: 1);
        var guiyang = Rep(2, "2025-06-30", 30, "2025-07-01T05:00:00Z", agency: 2, part: true);

        var p = Completion.ForTarget(t, [lead, guiyang], D("2025-07-02"));

        Assert.Equal(100m, p.LatestValue);
        Assert.Equal(FigureSources.Lead, p.FigureSource);
        var part = Assert.Single(p.Parts!);
        Assert.Equal((2, 30m, 2L), (part.AgencyId, part.Value!.Value, part.ReportId));
    }

    [Fact]
    public void Sum_of_the_latest_city_parts_counts_while_the_lead_has_filed_nothing_as_recent()
    {
        var t = new TargetFacts(20, TargetKind.NewInYear, Direction.Higher, Comparison.AtLeast, null, Start, Due, Additive: true);
        var guiyangOld = Rep(1, "2025-05-31", 1, "2025-06-01T02:00:00Z", agency: 11, part: true);
        var guiyang = Rep(2, "2025-06-30", 3, "2025-07-01T02:00:00Z", agency: 11, part: true);
        var zunyi = Rep(3, "2025-06-30", 2, "2025-07-01T03:00:00Z", agency: 12, part: true);
        var leadOld = Rep(4, "2025-05-31", 4, "2025-06-02T03:00:00Z", agency: 1);

        var p = Completion.ForTarget(t, [guiyangOld, guiyang, zunyi, leadOld], D("2025-07-02"));
        Assert.Equal(5m, p.LatestValue); // 3 + 2: the latest part of each city
        Assert.Equal(FigureSources.SumOfParts, p.FigureSource);
        Assert.Equal(0.25, p.Completion!.Value, 4);
        Assert.Null(p.LatestReportId);

        var leadNow = Rep(5, "2025-06-30", 6, "2025-07-02T03:00:00Z", agency: 1);
        var q = Completion.ForTarget(t, [guiyangOld, guiyang, zunyi, leadOld, leadNow], D("2025-07-02"));
        Assert.Equal(6m, q.LatestValue);
        Assert.Equal(FigureSources.Lead, q.FigureSource);
        Assert.Equal(2, q.Parts!.Count);
    }

    [Fact]
    public void Parts_of_a_rate_or_a_milestone_are_never_summed_or_taken_as_the_whole()
    {
        var rate = Completion.ForTarget(H1, [Rep(1, "2025-04-30", 20, "2025-05-05T02:00:00Z", agency: 2, part: true)], D("2025-05-10"));
        Assert.Equal(MeasureStatus.NoData, rate.Status);
        Assert.Single(rate.Parts!);

        var done = new ReportFact(1, D("2025-06-30"), Utc("2025-07-01T02:00:00Z"), null, MilestoneStatus.Done, null, null, null, ReviewStatus.Submitted, null, 2, true);
        var m = Completion.ForMilestone(new MilestoneFacts(Recurrence.None, Start, Due), [done], D("2025-07-02"));
        Assert.Equal(MeasureStatus.NoData, m.Status);
        Assert.Equal(MilestoneStatus.Done, Assert.Single(m.Parts!).Status);
    }

    [Fact]
    public void Assigning_a_lead_makes_the_former_leads_cooperate_and_reaches_a_memberless_group()
    {
        // T14-1: its clause names only 省有关部门和单位 (group 50, no members).
        var links = new[] { new AgencyLink(7, 3, 50, 0) };
        var groups = new HashSet<int> { 50 };
        var named = Responsibility.ForMeasure(9, 7, 3, 1, links, []);
        Assert.False(Responsibility.AnyoneCanFile(named, groups, new HashSet<int>()));

        var assigned = Responsibility.ForMeasure(9, 7, 3, 1, links, [new AssignmentLink(9, 4, AgencyRole.Lead), new AssignmentLink(8, 5, AgencyRole.Lead)]);
        Assert.Equal([4], assigned.Lead);
        Assert.Equal([50], assigned.Cooperating);
        Assert.True(Responsibility.AnyoneCanFile(assigned, groups, new HashSet<int>()));

        // A later assignment of the same agency as co-operating holds.
        var demoted = Responsibility.Assign(assigned, [new AssignmentLink(9, 4, AgencyRole.Cooperating)]);
        Assert.Empty(demoted.Lead);
        Assert.Contains(4, demoted.Cooperating);
    }
}
