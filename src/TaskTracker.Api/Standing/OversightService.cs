using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Standing;

internal sealed record AgencyBrief(string Code, string NameZh, string NameEn);

internal sealed record LastReport(long ReportId, DateOnly AsOf, decimal? Value, MilestoneStatus? Status, double? Completion);

/// <summary>One thing the office should look at. DaysOverdue is negative for days still left.</summary>
internal sealed record OversightItem(
    string Kind, string Severity, int? TaskNumber, int? Section, int? MeasureId, string? Code, string TitleZh, string TitleEn,
    DateOnly Deadline, int DaysOverdue, MeasureStatus? Status, double? Completion, double? Expected,
    IReadOnlyList<AgencyBrief> LeadAgencies, IReadOnlyList<AgencyBrief> CooperatingAgencies, LastReport? LastReport,
    IReadOnlyList<string>? MissingPeriods = null, int? InstructionId = null, int? OverdueMeasures = null);

internal static class ItemKinds
{
    public const string Measure = "measure";
    public const string Task = "task";
    public const string Instruction = "instruction";
    public const string MissingReport = "missing-report";
}

internal static class Severities
{
    public const string Red = "red";
    public const string Orange = "orange";
    public const string Yellow = "yellow";
    public static int Rank(string s) => s switch { Red => 0, Orange => 1, _ => 2 };
}

/// <summary>
/// Works out what is overdue, at risk or unreported as of a date, with who answers for each item, from the same
/// figures the dashboards show.
/// </summary>
internal sealed class OversightService(TaskTrackerDb db, StandingCalculator dashboards, IOptions<OversightOptions> options, Responsibility responsibility)
{
    /// <summary>An item with the agency ids that answer for it (directly named; groups resolve through membership).</summary>
    public sealed record Scoped(OversightItem Item, IReadOnlySet<int> LeadIds, IReadOnlySet<int> CoopIds);

    private sealed record Resp(HashSet<int> Lead, HashSet<int> Coop);

    // Computed once per plan and date within a request (the inbox reads every plan's items; lists read them again).
    private readonly Dictionary<(int Plan, DateOnly AsOf, DateOnly? KnownAt), IReadOnlyList<Scoped>> _items = [];

    public Task<IReadOnlyList<Scoped>> ItemsAsync(StandingCalculator.PlanHeader plan, DateOnly asOf, CancellationToken ct) =>
        ItemsAsync(plan, asOf, null, ct);

    /// <param name="knownAt">As the dashboards: only reports filed, reviews made and instructions issued by the end of this day.</param>
    public async Task<IReadOnlyList<Scoped>> ItemsAsync(StandingCalculator.PlanHeader plan, DateOnly asOf, DateOnly? knownAt, CancellationToken ct)
    {
        if (_items.TryGetValue((plan.Id, asOf, knownAt), out var done)) return done;
        var items = await ItemsOnceAsync(plan, asOf, knownAt, ct);
        _items[(plan.Id, asOf, knownAt)] = items;
        return items;
    }

    private async Task<IReadOnlyList<Scoped>> ItemsOnceAsync(StandingCalculator.PlanHeader plan, DateOnly asOf, DateOnly? knownAt, CancellationToken ct)
    {
        var o = options.Value;
        var dashboard = await dashboards.ComputeAsync(plan, asOf, knownAt, ct);
        var knownBefore = knownAt is { } k ? Completion.CutoffUtc(k) : DateTime.MaxValue;
        var planRow = await db.Plans.AsNoTracking().Where(p => p.Id == plan.Id)
            .Select(p => new { p.ReportingCadence, p.ReportingGraceDays, p.OwnerAgencyId }).FirstAsync(ct);
        var measures = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan.Id && m.Active)
            .Select(m => new { m.Id, m.ClauseId, m.TaskId, m.Cadence }).ToDictionaryAsync(m => m.Id, ct);
        var links = await responsibility.LinksOfPlanAsync(plan.Id, ct);
        var assigned = await responsibility.AssignmentsOfPlanAsync(plan.Id, ct);
        var agencies = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => new AgencyBrief(a.Code, a.NameZh, a.NameEn), ct);
        var taskIds = await db.Tasks.AsNoTracking().Where(t => t.PlanId == plan.Id).ToDictionaryAsync(t => t.Number, t => t.Id, ct);

        Resp ForMeasure(int id)
        {
            var m = measures[id];
            var r = Responsibility.ForMeasure(id, m.ClauseId, m.TaskId, planRow.OwnerAgencyId, links, assigned);
            return new Resp(r.Lead.ToHashSet(), r.Cooperating.ToHashSet());
        }
        Resp ForTask(int number)
        {
            var r = Responsibility.ForTask(taskIds[number], links);
            return new Resp(r.Lead.ToHashSet(), r.Cooperating.ToHashSet());
        }
        List<AgencyBrief> Briefs(IEnumerable<int> ids) => ids.Select(i => agencies[i]).ToList();
        Scoped Make(OversightItem item, Resp r) => new(item with { LeadAgencies = Briefs(r.Lead), CooperatingAgencies = Briefs(r.Coop) }, r.Lead, r.Coop);

        var sectionOf = dashboard.Tasks.ToDictionary(t => t.Number, t => t.Section);
        var allMeasures = dashboard.Headline.Where(h => h.TaskNumber is null).Concat(dashboard.Tasks.SelectMany(t => t.Measures)).ToList();
        var items = new List<Scoped>();

        foreach (var f in allMeasures.Where(f => f.SignedOff is null)) // signed off (销号): closed for oversight
        {
            var deadline = Deadline(f, plan.Start, asOf);
            var days = asOf.DayNumber - deadline.DayNumber;
            var last = f.LatestReportId is { } rid ? new LastReport(rid, f.LatestAsOf!.Value, f.LatestValue, f.LatestStatus, f.Completion) : null;
            var section = f.TaskNumber is { } n ? sectionOf[n] : (int?)null;
            OversightItem Item(string severity) => new(ItemKinds.Measure, severity, f.TaskNumber, section, f.Id, f.Code, f.TitleZh, f.TitleEn,
                deadline, days, f.Status, f.Completion, f.Expected, [], [], last);
            string? severity = f.Status switch
            {
                MeasureStatus.Overdue => Severities.Red,
                MeasureStatus.OffTrack => Severities.Orange,
                MeasureStatus.AtRisk => Severities.Yellow,
                MeasureStatus.Done => null,
                _ => -days <= o.DueSoonDays ? Severities.Yellow : null, // not done and due soon
            };
            if (severity is not null) items.Add(Make(Item(severity), ForMeasure(f.Id)));
        }

        foreach (var t in dashboard.Tasks.Where(t => t.SignedOff is null))
        {
            var overdue = t.Measures.Where(m => m.Status == MeasureStatus.Overdue && m.SignedOff is null).ToList();
            if (overdue.Count == 0) continue;
            var earliest = overdue.Min(m => Deadline(m, plan.Start, asOf));
            items.Add(Make(new OversightItem(ItemKinds.Task, Severities.Red, t.Number, t.Section, null, null, t.TitleZh, t.TitleEn,
                earliest, asOf.DayNumber - earliest.DayNumber, t.Status, t.Completion, t.Expected, [], [], null, OverdueMeasures: overdue.Count), ForTask(t.Number)));
        }

        items.AddRange(await MissingReportsAsync(plan, asOf, allMeasures, planRow.ReportingCadence, planRow.ReportingGraceDays,
            id => measures[id].Cadence, sectionOf, ForMeasure, Make, knownBefore, ct));

        var instructions = await db.Instructions.AsNoTracking()
            .Where(i => i.PlanId == plan.Id && i.Status == InstructionStatus.AwaitingReply && i.ReplyBy < asOf && i.IssuedAtUtc < Completion.CutoffUtc(asOf) && i.IssuedAtUtc < knownBefore)
            .Select(i => new { i.Id, i.AgencyId, i.ReplyBy, i.Text, TaskNumber = (int?)i.Task!.Number, MeasureCode = i.Measure!.Code, i.MeasureId })
            .ToListAsync(ct);
        foreach (var i in instructions)
        {
            var title = i.Text.Length > 80 ? i.Text[..80] + "…" : i.Text;
            items.Add(Make(new OversightItem(ItemKinds.Instruction, Severities.Red, i.TaskNumber, i.TaskNumber is { } n ? sectionOf[n] : null,
                i.MeasureId, i.MeasureCode, title, title, i.ReplyBy, asOf.DayNumber - i.ReplyBy.DayNumber, null, null, null, [], [], null,
                InstructionId: i.Id), new Resp([i.AgencyId], [])));
        }

        return items
            .OrderBy(s => Severities.Rank(s.Item.Severity)).ThenByDescending(s => s.Item.DaysOverdue)
            .ThenBy(s => s.Item.TaskNumber ?? 0).ThenBy(s => s.Item.Code)
            .ToList();
    }

    /// <summary>The deadline that matters now: for a recurring milestone, the first instance still owed; else the due date.</summary>
    private static DateOnly Deadline(MeasureFigure f, DateOnly start, DateOnly asOf)
    {
        if (f.InstancesTotal is null || f.DueDate < asOf) return f.DueDate;
        var instances = Completion.QuarterInstances(start, f.DueDate);
        return instances[Math.Min(f.InstancesDone, instances.Count - 1)].Due;
    }

    private async Task<IEnumerable<Scoped>> MissingReportsAsync(StandingCalculator.PlanHeader plan, DateOnly asOf, List<MeasureFigure> figures,
        ReportingCadence planCadence, int grace, Func<int, ReportingCadence?> cadenceOf, Dictionary<int, int> sectionOf,
        Func<int, Resp> responsible, Func<OversightItem, Resp, Scoped> make, DateTime knownBefore, CancellationToken ct)
    {
        // The periods whose deadline has passed, then one existence check each (not every report date of the plan).
        var owed = new List<(MeasureFigure F, int Months, string Period, DateOnly Start, DateOnly End, DateOnly Deadline)>();
        foreach (var f in figures.Where(f => f.Status != MeasureStatus.Done && f.SignedOff is null))
        {
            var months = Periods.Months(cadenceOf(f.Id) ?? planCadence);
            var last = f.DueDate < plan.End ? f.DueDate : plan.End;
            for (var start = new DateOnly(plan.Start.Year, plan.Start.Month, 1); start <= last; start = start.AddMonths(months))
            {
                var end = start.AddMonths(months).AddDays(-1);
                var deadline = end.AddDays(grace);
                if (deadline >= asOf) break;
                owed.Add((f, months, Periods.Label(start, months), start, end < asOf ? end : asOf, deadline)); // only reports dated by asOf count
            }
        }
        var reported = await HistoryLoader.ReportedAsync(db, owed.Select(o => (o.F.Id, o.Start, o.End)).ToList(), knownBefore, ct);
        var result = new List<Scoped>();
        foreach (var group in owed.Select((o, i) => (o, i)).GroupBy(x => x.o.F.Id))
        {
            var f = group.First().o.F;
            var months = group.First().o.Months;
            var missing = group.Where(x => !reported.Contains(x.i)).Select(x => (x.o.Period, x.o.Deadline)).ToList();
            if (missing.Count == 0) continue;
            var oldest = missing[0].Deadline;
            var daysLate = asOf.DayNumber - oldest.DayNumber;
            var severity = daysLate > months * 30 ? Severities.Red : Severities.Orange;
            var lastReport = f.LatestReportId is { } rid ? new LastReport(rid, f.LatestAsOf!.Value, f.LatestValue, f.LatestStatus, f.Completion) : null;
            result.Add(make(new OversightItem(ItemKinds.MissingReport, severity, f.TaskNumber, f.TaskNumber is { } n ? sectionOf[n] : null,
                f.Id, f.Code, f.TitleZh, f.TitleEn, oldest, daysLate, f.Status, f.Completion, f.Expected, [], [], lastReport,
                MissingPeriods: missing.Select(m => m.Period).ToList()), responsible(f.Id)));
        }
        return result;
    }
}
