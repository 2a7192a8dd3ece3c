using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Standing;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Dashboards;

/// <summary>
/// The selective load of a plan's history (Standing/HistoryLoader, issue 16) against the full load it replaces: on random
/// histories (repeated filings, corrections and chains of them, returns before and after the cut-off, acceptances,
/// narrative-only reports, city breakdowns, parts by co-operating agencies and group members, growth rates, milestones
/// and quarterly ones) every dashboard for several as-of dates and knowledge cut-offs is the same, field for field.
/// Own app: it writes reports straight into the database.
/// </summary>
public class HistoryLoaderTests(TaskTrackerApp app) : HistoryLoaderTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Selective_load_gives_the_same_dashboards_as_the_full_history_on_random_histories()
    {
        var rng = new Random(16);
        var subjects = await SubjectsAsync(rng);
        var compared = 0;
        var withFigures = 0;
        for (var round = 0; round < 3; round++)
        {
            await HistoryAsync(rng, subjects, 250);
            foreach (var asOf in new DateOnly[] { new(2025, 1, 31), new(2025, 3, 31), new(2025, 6, 30), new(2025, 9, 30), new(2025, 12, 31), new(2026, 1, 20) })
            foreach (var knownAt in new DateOnly?[] { null, asOf, asOf.AddDays(-20), asOf.AddDays(15), new(2025, 12, 31) })
            {
                var expected = await DashboardAsync(full: true, asOf, knownAt);
                var actual = await DashboardAsync(full: false, asOf, knownAt);
                Assert.True(expected == actual, $"round {round}, asOf {asOf}, knownAt {knownAt}: the selective load differs from the full history");
                compared++;
                var doc = JsonDocument.Parse(actual).RootElement;
                if (doc.GetProperty("tasks").EnumerateArray().SelectMany(t => t.GetProperty("measures").EnumerateArray())
                    .Any(m => m.GetProperty("latestReportId").ValueKind == JsonValueKind.Number)) withFigures++;
            }
        }
        Assert.Equal(90, compared);
        Assert.True(withFigures > 60, $"only {withFigures} of the compared dashboards had any reported figure");
    }

    [Fact]
    public async Task Missing_period_checks_agree_with_the_report_dates()
    {
        var rng = new Random(42);
        var subjects = await SubjectsAsync(rng);
        await HistoryAsync(rng, subjects, 200);
        var (ok, checkedPeriods) = await App.WithDb(async db =>
        {
            var all = await db.Reports.AsNoTracking().Select(r => new { r.MeasureId, r.AsOf, r.FiledAtUtc, r.ReviewStatus, r.ReviewedAtUtc }).ToListAsync();
            var periods = subjects.SelectMany(s => Enumerable.Range(0, 14).Select(k =>
            {
                var start = new DateOnly(2024, 12, 1).AddMonths(k);
                return (s.Id, start, start.AddMonths(1).AddDays(-1));
            })).ToList();
            foreach (var knownAt in new DateOnly?[] { null, new(2025, 3, 15), new(2025, 8, 1) })
            {
                var cutoff = knownAt is { } k ? Completion.CutoffUtc(k) : DateTime.MaxValue;
                var got = await HistoryLoader.ReportedAsync(db, periods, cutoff, default);
                var want = periods.Select((p, i) => (p, i)).Where(x => all.Any(r => r.MeasureId == x.p.Id && r.AsOf >= x.p.start && r.AsOf <= x.p.Item3
                        && r.FiledAtUtc < cutoff && (r.ReviewStatus != ReviewStatus.Returned || r.ReviewedAtUtc >= cutoff)))
                    .Select(x => x.i).ToHashSet();
                if (!got.SetEquals(want)) return (false, 0);
                if (want.Count == 0 || want.Count == periods.Count) return (false, 0); // both outcomes must occur
            }
            return (true, periods.Count);
        });
        Assert.True(ok, "the indexed existence checks differ from a scan of the report dates");
        Assert.True(checkedPeriods > 100);
    }
}

/// <summary>The selective load reads one row per (measure, agency, date), whatever the number of filings. Own app: it counts every report.</summary>
public class HistoryLoaderBoundTests(TaskTrackerApp app) : HistoryLoaderTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Repeated_filings_for_the_same_dates_are_not_read_back()
    {
        // Many filings for a few dates by the same agencies: the load is bounded by (measure, agency, date), not by the filings.
        var rng = new Random(7);
        var subjects = (await SubjectsAsync(rng)).Where(s => s.IsTarget).Take(3).ToList();
        var written = await HistoryAsync(rng, subjects, 600, plain: true);
        var (full, needed, keys) = await App.WithDb(async db =>
        {
            var plan = await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Id).FirstAsync();
            var all = await HistoryLoader.AllAsync(db, plan, DateTime.MaxValue, default);
            var some = await HistoryLoader.NeededAsync(db, plan, [], new DateOnly(2026, 1, 31), DateTime.MaxValue, default);
            var distinct = await db.Reports.Select(r => new { r.MeasureId, r.AgencyId, r.AsOf }).Distinct().CountAsync();
            return (all.Count, some.Count, distinct);
        });
        // This app holds only these filings: one row per (measure, agency, date) is read back.
        Assert.Equal(written, full);
        Assert.Equal(keys, needed);
        Assert.True(needed * 3 < full, $"loaded {needed} of {full} reports");
    }
}

public abstract class HistoryLoaderTestBase(TaskTrackerApp app)
{
    protected TaskTrackerApp App => app;

    private static readonly string[] Cities = ["贵阳市", "遵义市", "安顺市"];

    internal sealed record Subject(int Id, bool IsTarget, bool Quarterly, decimal Scale, List<int> Agencies);

    internal async Task<List<Subject>> SubjectsAsync(Random rng)
    {
        return await app.WithDb(async db =>
        {
            var plan = await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Id).FirstAsync();
            var measures = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan && m.Active)
                .Select(m => new { m.Id, m.Code, m.ClauseId, m.TaskId, IsTarget = m is Target, Quarterly = m is Milestone && ((Milestone)m).Recurrence == Recurrence.Quarterly,
                    Growth = m is Target && ((Target)m).Kind == TargetKind.GrowthRate, Value = m is Target ? ((Target)m).Value : 1m })
                .OrderBy(m => m.Id).ToListAsync();
            var chosen = measures.Where(m => m.Growth).Take(1)
                .Concat(measures.Where(m => m.Quarterly).Take(1))
                .Concat(measures.Where(m => !m.IsTarget && !m.Quarterly).Take(2))
                .Concat(measures.Where(m => m.Code is "T02-1" or "T15-1"))
                .Concat(measures.Where(m => m.IsTarget).OrderBy(_ => rng.Next()).Take(8))
                .DistinctBy(m => m.Id).ToList();
            var members = await db.AgencyGroupMembers.AsNoTracking().ToListAsync();
            var all = await db.Agencies.AsNoTracking().Where(a => a.Kind != AgencyKinds.Group).Select(a => a.Id).ToListAsync();
            var result = new List<Subject>();
            foreach (var m in chosen)
            {
                var named = await db.ClauseAgencies.AsNoTracking()
                    .Where(a => a.ClauseId == m.ClauseId || (m.ClauseId == null && a.Clause.TaskId == m.TaskId))
                    .OrderBy(a => a.Position).Select(a => a.AgencyId).ToListAsync();
                // The named agencies (the lead first), the members of any group among them, and one agency that is neither.
                var agencies = named.Concat(members.Where(g => named.Contains(g.GroupId)).Select(g => g.MemberId).Take(3))
                    .Append(all[rng.Next(all.Count)]).Distinct().ToList();
                result.Add(new Subject(m.Id, m.IsTarget, m.Quarterly, m.Value, agencies));
            }
            return result;
        });
    }

    /// <summary>Writes a random history for the subjects; returns the number of reports written.</summary>
    internal async Task<int> HistoryAsync(Random rng, List<Subject> subjects, int count, bool plain = false)
    {
        var dates = Enumerable.Range(0, 10).Select(_ => new DateOnly(2024, 12, 31).AddDays(rng.Next(0, 380))).Distinct().ToList();
        return await app.WithDb(async db =>
        {
            var plan = await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Id).FirstAsync();
            var written = new List<ProgressReport>();
            for (var i = 0; i < count; i++)
            {
                var s = subjects[rng.Next(subjects.Count)];
                // A correction supersedes a report of the same measure that nothing corrects yet (SupersedesId is unique).
                var open = written.Where(w => w.MeasureId == s.Id && !written.Any(c => c.SupersedesId == w.Id)).ToList();
                var original = !plain && open.Count > 0 && rng.Next(5) == 0 ? open[rng.Next(open.Count)] : null;
                var asOf = original is not null && rng.Next(3) > 0 ? original.AsOf : dates[rng.Next(dates.Count)];
                var filed = original is not null
                    ? original.FiledAtUtc.AddHours(rng.Next(1, 24 * 30))
                    : asOf.ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc).AddDays(rng.Next(0, 40)).AddMinutes(rng.Next(0, 3) * 600);
                var review = plain ? ReviewStatus.Submitted : rng.Next(10) switch { < 5 => ReviewStatus.Submitted, < 8 => ReviewStatus.Accepted, _ => ReviewStatus.Returned };
                DateTime? reviewed = review == ReviewStatus.Submitted ? null
                    : review == ReviewStatus.Returned && rng.Next(10) == 0 ? null : filed.AddDays(rng.Next(0, 30));
                var r = new ProgressReport
                {
                    PlanId = plan, MeasureId = s.Id, AgencyId = original?.AgencyId ?? s.Agencies[rng.Next(s.Agencies.Count)],
                    Value = s.IsTarget && (plain || rng.Next(10) > 0) ? Math.Round(s.Scale * (decimal)rng.NextDouble() * 1.2m, 2) : null,
                    Status = s.IsTarget ? null : (MilestoneStatus)rng.Next(3),
                    Period = s.Quarterly ? $"2025-Q{rng.Next(1, 5)}" : null,
                    SubUnit = !plain && rng.Next(7) == 0 ? Cities[rng.Next(Cities.Length)] : null,
                    AsOf = asOf, Narrative = "random history", FiledAtUtc = filed,
                    SupersedesId = original?.Id, CorrectionReason = original is null ? null : "更正",
                    ReviewStatus = review, ReviewedAtUtc = reviewed,
                };
                db.Reports.Add(r);
                await db.SaveChangesAsync(); // one at a time: corrections need the id of what they correct
                written.Add(r);
            }
            return written.Count;
        });
    }

    internal async Task<string> DashboardAsync(bool full, DateOnly asOf, DateOnly? knownAt)
    {
        using var scope = app.Services.CreateScope();
        var calc = scope.ServiceProvider.GetRequiredService<StandingCalculator>();
        calc.FullHistory = full;
        var d = await calc.ComputeAsync(await calc.PlanAsync("guizhou-2025", default), asOf, knownAt, default);
        return JsonSerializer.Serialize(d, TaskTrackerApp.Json);
    }
}
