using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Standing;

internal sealed record InboxItem(string Kind, DateOnly Deadline, int DaysLeft, string? Plan, int? TaskNumber, int? MeasureId, string? Code,
    string TitleZh, string TitleEn, long? ReportId = null, int? InstructionId = null, string? Comment = null, IReadOnlyList<string>? Periods = null);

/// <summary>
/// An agency's to-do list as of a date: reports it owes (missed and coming up), reports the office returned to it, and
/// instructions awaiting its reply, soonest deadline first. One computation for the inbox route and the daily digest.
/// </summary>
internal sealed class InboxCalculator(TaskTrackerDb db, StandingCalculator dashboards, OversightService oversight,
    TimeProvider clock, IOptions<OversightOptions> options, Responsibility responsibility)
{
    public async Task<IReadOnlyList<InboxItem>> ItemsAsync(int agencyId, string agencyCode, DateOnly asOf, CancellationToken ct)
    {
        var ids = (await responsibility.ActingAsAsync(agencyCode, ct))!.ToHashSet();
        var items = new List<InboxItem>();
        int Left(DateOnly d) => d.DayNumber - asOf.DayNumber;

        foreach (var code in await db.Plans.AsNoTracking().OrderBy(p => p.Code).Select(p => p.Code).ToListAsync(ct))
        {
            var plan = await dashboards.PlanAsync(code, ct);
            var all = await oversight.ItemsAsync(plan, asOf, ct);
            foreach (var s in all.Where(s => s.Item.Kind == ItemKinds.MissingReport && s.LeadIds.Overlaps(ids)))
                items.Add(new InboxItem("report-missing", s.Item.Deadline, Left(s.Item.Deadline), code, s.Item.TaskNumber, s.Item.MeasureId,
                    s.Item.Code, s.Item.TitleZh, s.Item.TitleEn, Periods: s.Item.MissingPeriods));
            items.AddRange(await UpcomingAsync(plan, asOf, ids, all, ct));
        }

        var returned = await db.Reports.AsNoTracking()
            .Where(r => r.AgencyId == agencyId && r.ReviewStatus == ReviewStatus.Returned && !db.Reports.Any(c => c.SupersedesId == r.Id))
            .Select(r => new { r.Id, r.MeasureId, r.Measure.Code, Plan = r.Measure.Plan.Code, Task = (int?)r.Measure.Task!.Number, r.ReviewComment, r.ReviewedAtUtc, r.Measure.DueDate })
            .ToListAsync(ct);
        items.AddRange(returned.Select(r =>
        {
            // A returned report should be corrected promptly; its deadline is the measure's due date at the latest.
            var deadline = DateOnly.FromDateTime(r.ReviewedAtUtc ?? clock.GetUtcNow().UtcDateTime).AddDays(options.Value.InboxLookaheadDays);
            if (deadline > r.DueDate && r.DueDate >= asOf) deadline = r.DueDate;
            return new InboxItem("report-returned", deadline, Left(deadline), r.Plan, r.Task, r.MeasureId, r.Code,
                $"退回的报告 {r.Id}", $"Returned report {r.Id}", ReportId: r.Id, Comment: r.ReviewComment);
        }));

        var instructions = await db.Instructions.AsNoTracking()
            .Where(i => i.AgencyId == agencyId && i.Status == InstructionStatus.AwaitingReply)
            .Select(i => new { i.Id, i.ReplyBy, i.Text, i.MeasureId, Code = i.Measure!.Code, Task = (int?)i.Task!.Number, Plan = db.Plans.Where(p => p.Id == i.PlanId).Select(p => p.Code).First() })
            .ToListAsync(ct);
        items.AddRange(instructions.Select(i => new InboxItem("instruction", i.ReplyBy, Left(i.ReplyBy), i.Plan, i.Task, i.MeasureId, i.Code,
            i.Text, i.Text, InstructionId: i.Id)));

        return items.OrderBy(i => i.Deadline).ThenBy(i => i.Kind).ThenBy(i => i.Code).ToList();
    }

    /// <summary>Reporting deadlines coming up within the look-ahead window for measures the agency leads and has not yet reported for.</summary>
    private async Task<IEnumerable<InboxItem>> UpcomingAsync(StandingCalculator.PlanHeader plan, DateOnly asOf, HashSet<int> ids,
        IReadOnlyList<OversightService.Scoped> all, CancellationToken ct)
    {
        var p = await db.Plans.AsNoTracking().Where(x => x.Id == plan.Id).Select(x => new { x.ReportingCadence, x.ReportingGraceDays }).FirstAsync(ct);
        var dashboard = await dashboards.ComputeAsync(plan, asOf, null, ct);
        var measures = dashboard.Headline.Where(h => h.TaskNumber is null).Concat(dashboard.Tasks.SelectMany(t => t.Measures))
            .Where(f => f.Status != MeasureStatus.Done).ToList();
        var cadences = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan.Id).ToDictionaryAsync(m => m.Id, m => m.Cadence, ct);
        var lookahead = options.Value.InboxLookaheadDays;
        var due = new List<(MeasureFigure F, int Months, DateOnly Start, DateOnly End, DateOnly Deadline)>();
        foreach (var f in measures)
        {
            var scoped = all.FirstOrDefault(s => s.Item.MeasureId == f.Id);
            var leads = scoped?.LeadIds ?? await LeadIdsAsync(f.Id, ct);
            if (!leads.Overlaps(ids)) continue;
            var months = Periods.Months(cadences.GetValueOrDefault(f.Id) ?? p.ReportingCadence);
            var start = new DateOnly(asOf.Year, (asOf.Month - 1) / months * months + 1, 1);
            var end = start.AddMonths(months).AddDays(-1);
            var deadline = end.AddDays(p.ReportingGraceDays);
            if (start < plan.Start || start > plan.End || start > f.DueDate) continue;
            if (deadline.DayNumber - asOf.DayNumber > lookahead) continue;
            due.Add((f, months, start, end, deadline));
        }
        // One existence check per period due (any report not returned), not every report date of the plan.
        var reported = await HistoryLoader.ReportedAsync(db, due.Select(d => (d.F.Id, d.Start, d.End)).ToList(), DateTime.MaxValue, ct);
        return due.Where((d, i) => !reported.Contains(i)).Select(d => new InboxItem("report-due", d.Deadline, d.Deadline.DayNumber - asOf.DayNumber,
            plan.Code, d.F.TaskNumber, d.F.Id, d.F.Code, d.F.TitleZh, d.F.TitleEn, Periods: [Periods.Label(d.Start, d.Months)])).ToList();
    }

    private async Task<IReadOnlySet<int>> LeadIdsAsync(int measureId, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Where(x => x.Id == measureId).Select(x => new { x.ClauseId, x.TaskId, x.Plan.OwnerAgencyId }).FirstAsync(ct);
        return (await responsibility.ForMeasureAsync(measureId, m.ClauseId, m.TaskId, m.OwnerAgencyId, ct)).Lead;
    }
}
