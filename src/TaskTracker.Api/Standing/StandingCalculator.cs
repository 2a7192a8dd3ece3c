using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Standing;

/// <summary>
/// A plan's standing: every figure and status from the seed and the reports known at the end of the as-of date, so
/// the same request for a past date always gives the same answer. Dashboards, the review lists, the inbox and the
/// deadline watcher all read it from here; within one request (one scope) it is computed once per plan and date.
/// </summary>
internal sealed class StandingCalculator(TaskTrackerDb db, Microsoft.Extensions.Options.IOptions<OversightOptions> options, Responsibility responsibility)
{
    private sealed record MeasureRow(int Id, string Code, bool IsTarget, int? ClauseId, int? TaskId, bool IsHeadline, string TitleZh, string TitleEn,
        string? Unit, decimal? Value, decimal? Baseline, TargetKind? Kind, Direction? Direction, Comparison? Comparison,
        Recurrence Recurrence, DateOnly Due, decimal Weight, int Ordinal);

    private sealed record TaskRow(int Id, int Number, string Numeral, int Section, string TitleZh, string TitleEn);

    private sealed record Link(int TaskId, int AgencyId, int Position, string Code, string NameZh, string NameEn, string Kind);

    public sealed record PlanHeader(int Id, string Code, string TitleZh, string TitleEn, DateOnly Start, DateOnly End, string? SeedHash);

    public async Task<PlanHeader> PlanAsync(string code, CancellationToken ct) =>
        await db.Plans.AsNoTracking().Where(p => p.Code == code)
            .Select(p => new PlanHeader(p.Id, p.Code, p.TitleZh, p.TitleEn, p.PeriodStart, p.PeriodEnd, p.SeedHash))
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Plan", code);

    /// <param name="knownAt">View the figures as they stood at the end of this day (reports filed and reviews made by then); null: everything known now.</param>
    public async Task<PlanDashboard> ComputeAsync(PlanHeader plan, DateOnly asOf, DateOnly? knownAt, CancellationToken ct)
    {
        if (_computed.TryGetValue((plan.Id, asOf, knownAt), out var done)) return done;
        var computed = await ComputeOnceAsync(plan, asOf, knownAt, ct);
        _computed[(plan.Id, asOf, knownAt)] = computed;
        return computed;
    }

    /// <summary>Tests only: load every report of the plan (the reference the selective load is compared with).</summary>
    internal bool FullHistory { get; set; }

    // One request reads a plan's standing once: the inbox and the review lists ask several times for the same date.
    private readonly Dictionary<(int Plan, DateOnly AsOf, DateOnly? KnownAt), PlanDashboard> _computed = [];

    private async Task<PlanDashboard> ComputeOnceAsync(PlanHeader plan, DateOnly asOf, DateOnly? knownAt, CancellationToken ct)
    {
        var measures = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan.Id && m.Active)
            .Select(m => new MeasureRow(m.Id, m.Code, m is Target, m.ClauseId, m.TaskId, m is Target && ((Target)m).IsHeadline,
                m is Target ? ((Target)m).MetricZh : ((Milestone)m).TitleZh,
                m is Target ? ((Target)m).MetricEn : ((Milestone)m).TitleEn,
                m is Target ? ((Target)m).Unit : null,
                m is Target ? ((Target)m).Value : null,
                m is Target && ((Target)m).Baseline != null ? ((Target)m).Baseline!.Value : null,
                m is Target ? ((Target)m).Kind : null,
                m is Target ? ((Target)m).Direction : null,
                m is Target ? ((Target)m).Comparison : null,
                m is Milestone ? ((Milestone)m).Recurrence : Recurrence.None,
                m.DueDate, m.Weight, m.Ordinal))
            .ToListAsync(ct);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.PlanId == plan.Id).OrderBy(t => t.Number)
            .Select(t => new TaskRow(t.Id, t.Number, t.Numeral, t.Section.Number, t.TitleZh, t.TitleEn)).ToListAsync(ct);
        var sections = await db.Sections.AsNoTracking().Where(s => s.PlanId == plan.Id).OrderBy(s => s.Number).ToListAsync(ct);
        var links = await LinksAsync(plan.Id, ct);
        var ctx = await ContextAsync(plan.Id, ct);
        var cutoff = KnownBefore(knownAt);
        // Only the reports the rules can use, not the plan's whole history (HistoryLoader); FullHistory is the tests' oracle.
        var facts = (FullHistory
                ? await HistoryLoader.AllAsync(db, plan.Id, cutoff, ct)
                : await HistoryLoader.NeededAsync(db, plan.Id, measures.Where(m => !m.IsTarget).Select(m => m.Id).ToList(), asOf, cutoff, ct))
            .ToLookup(x => x.MeasureId, x => x.Fact);

        var taskNumbers = tasks.ToDictionary(t => t.Id, t => t.Number);
        var figures = measures.OrderBy(m => m.Ordinal).Select(m => Figure(m, facts[m.Id], plan.Start, asOf, cutoff, m.TaskId is { } tid ? taskNumbers[tid] : null, ctx)).ToList();
        var signedOff = await SignOffsAsync(plan.Id, asOf, cutoff, ct);
        figures = figures.Select(f => signedOff.GetValueOrDefault((null, f.Id)) is { } so ? f with { SignedOff = so } : f).ToList();

        var taskFigures = tasks.Select(t =>
        {
            var ms = figures.Where(f => f.TaskNumber == t.Number).OrderBy(f => f.IsHeadline ? 0 : 1).ToList();
            var leads = links.Where(l => l.TaskId == t.Id && l.Position == Responsibility.LeadPosition).DistinctBy(l => l.Code)
                .Select(l => new AgencyRef(l.Code, l.NameZh, l.NameEn, l.Kind)).ToList();
            var (done, expected, verified) = (Completion.RollUp(ms.Select(f => (f.CappedCompletion, f.Weight))),
                Completion.RollUp(ms.Select(f => (f.Expected, f.Weight))), Completion.RollUp(ms.Select(f => (f.VerifiedCappedCompletion, f.Weight))));
            return new TaskFigure(t.Number, t.Numeral, t.Section, t.TitleZh, t.TitleEn, leads, done, expected,
                Behind(ms.Select(f => f.Status), done, verified, expected, ctx.Basis), StatusCounts.Of(ms.Select(f => f.Status)), ms, verified);
        }).ToList();

        taskFigures = taskFigures.Select(t => signedOff.GetValueOrDefault((tasks.First(r => r.Number == t.Number).Id, null)) is { } so ? t with { SignedOff = so } : t).ToList();

        var sectionFigures = sections.Select(s =>
        {
            var ts = taskFigures.Where(t => t.Section == s.Number).ToList();
            return new SectionFigure(s.Number, s.Numeral, s.TitleZh, s.TitleEn, Mean(ts.Select(t => t.Completion)), Mean(ts.Select(t => t.Expected)),
                Behind(ts.Select(t => t.Status), Mean(ts.Select(t => t.Completion)), Mean(ts.Select(t => t.VerifiedCompletion)), Mean(ts.Select(t => t.Expected)), ctx.Basis), StatusCounts.Of(ts.Select(t => t.Status)), ts.Select(t => t.Number).ToList(),
                Mean(ts.Select(t => t.VerifiedCompletion)));
        }).ToList();

        var headline = figures.Where(f => f.IsHeadline).ToList();
        // Headline targets the plan's text ties to no task form one more part of the plan figure, named as such.
        var untasked = headline.Where(f => f.TaskNumber is null).ToList();
        var group = untasked.Count == 0 ? null : new HeadlineGroupFigure("主要目标（未列入具体任务）", "Headline targets carried by no task",
            Round(Completion.RollUp(untasked.Select(f => (f.CappedCompletion, f.Weight)))),
            Round(Completion.RollUp(untasked.Select(f => (f.VerifiedCappedCompletion, f.Weight)))),
            Round(Completion.RollUp(untasked.Select(f => (f.Expected, f.Weight)))),
            Behind(untasked.Select(f => f.Status), Completion.RollUp(untasked.Select(f => (f.CappedCompletion, f.Weight))),
                Completion.RollUp(untasked.Select(f => (f.VerifiedCappedCompletion, f.Weight))), Completion.RollUp(untasked.Select(f => (f.Expected, f.Weight))), ctx.Basis),
            untasked.Select(f => f.Code).ToList());
        var parts = taskFigures.Select(t => (t.Completion, t.VerifiedCompletion, t.Expected, t.Status))
            .Concat(group is null ? [] : [(group.Completion, group.VerifiedCompletion, group.Expected, group.Status)]).ToList();
        var counted = figures.Where(f => f.TaskNumber is not null || f.IsHeadline).ToList();
        var overdue = counted.Where(f => f.Status == MeasureStatus.Overdue).OrderBy(f => f.DueDate).ThenBy(f => f.TaskNumber).ToList();
        return new PlanDashboard(plan.Code, plan.TitleZh, plan.TitleEn, asOf, plan.Start, plan.End,
            Mean(parts.Select(t => t.Completion)), Mean(parts.Select(t => t.Expected)),
            Behind(parts.Select(t => t.Status), Mean(parts.Select(t => t.Completion)), Mean(parts.Select(t => t.VerifiedCompletion)), Mean(parts.Select(t => t.Expected)), ctx.Basis),
            StatusCounts.Of(counted.Select(f => f.Status)), StatusCounts.Of(taskFigures.Select(t => t.Status)),
            headline, sectionFigures, taskFigures, overdue, Mean(parts.Select(t => t.VerifiedCompletion)), ctx.Basis, group);
    }

    public async Task<AgencyDashboard> ForAgencyAsync(PlanHeader plan, string agencyCode, DateOnly asOf, DateOnly? knownAt, CancellationToken ct)
    {
        var agency = await db.Agencies.AsNoTracking().Where(a => a.Code == agencyCode)
            .Select(a => new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind)).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Agency", agencyCode);
        var ids = (await responsibility.ActingAsAsync(agencyCode, ct))!.ToHashSet();
        var links = await LinksAsync(plan.Id, ct);
        var taskIds = await db.Tasks.AsNoTracking().Where(t => t.PlanId == plan.Id).ToDictionaryAsync(t => t.Id, t => t.Number, ct);
        var leads = links.Where(l => ids.Contains(l.AgencyId) && l.Position == Responsibility.LeadPosition).Select(l => taskIds[l.TaskId]).ToHashSet();
        var cooperates = links.Where(l => ids.Contains(l.AgencyId)).Select(l => taskIds[l.TaskId]).Where(n => !leads.Contains(n)).ToHashSet();
        var all = await ComputeAsync(plan, asOf, knownAt, ct);

        AgencyPart Part(HashSet<int> numbers)
        {
            var ts = all.Tasks.Where(t => numbers.Contains(t.Number)).ToList();
            return new AgencyPart(Mean(ts.Select(t => t.Completion)), Completion.Combine(ts.Select(t => t.Status)), StatusCounts.Of(ts.Select(t => t.Status)), ts,
                Mean(ts.Select(t => t.VerifiedCompletion)));
        }
        return new AgencyDashboard(plan.Code, asOf, agency, Part(leads), Part(cooperates));
    }

    public async Task<TargetSeriesDto> SeriesAsync(int targetId, DateOnly? asOfOrToday, DateOnly? knownAt, Func<DateOnly> today, CancellationToken ct)
    {
        var t = await db.Targets.AsNoTracking().Include(x => x.Plan).Include(x => x.Task).FirstOrDefaultAsync(x => x.Id == targetId, ct)
                ?? throw new NotFoundException("Target", targetId.ToString());
        var asOf = asOfOrToday ?? today();
        var cutoff = KnownBefore(knownAt);
        var reports = await db.Reports.AsNoTracking().Where(r => r.MeasureId == targetId && r.FiledAtUtc < cutoff)
            .Select(r => new ReportFact(r.Id, r.AsOf, r.FiledAtUtc, r.Value, r.Status, r.Period, r.SubUnit, r.SupersedesId, r.ReviewStatus, r.ReviewedAtUtc, r.AgencyId, false))
            .ToListAsync(ct);
        var ctx = await ContextAsync(t.PlanId, ct);
        var facts = Facts(t.Value, t.Kind, t.Direction, t.Comparison, t.Baseline?.Value, t.Plan.PeriodStart, t.DueDate, t.Unit) with { Planned = ctx.Planned[t.Id].ToList() };
        reports = ctx.MarkParts(ctx.Leads(t.Id, t.ClauseId, t.TaskId), reports).ToList();
        var row = new MeasureRow(t.Id, t.Code, true, t.ClauseId, t.TaskId, t.IsHeadline, t.MetricZh, t.MetricEn, t.Unit, t.Value, t.Baseline?.Value,
            t.Kind, t.Direction, t.Comparison, Recurrence.None, t.DueDate, t.Weight, t.Ordinal);
        var series = Completion.Series(facts, reports, asOf, cutoff);
        return new TargetSeriesDto(t.Id, t.Code, t.MetricZh, t.MetricEn, t.Unit, t.Value, t.Baseline?.Value, t.Plan.PeriodStart, t.DueDate, asOf,
            Figure(row, reports, t.Plan.PeriodStart, asOf, cutoff, t.Task?.Number, ctx), series.Reported, series.Expected, series.Trend);
    }

    /// <summary>
    /// The sign-offs (销号) in force at the end of <paramref name="asOf"/> and known by <paramref name="knownBefore"/>, by
    /// (task id, measure id): a sign-off counts from when it was made until it is reopened.
    /// </summary>
    private async Task<Dictionary<(int? Task, int? Measure), SignedOffFigure>> SignOffsAsync(int planId, DateOnly asOf, DateTime knownBefore, CancellationToken ct)
    {
        var end = Completion.CutoffUtc(asOf) < knownBefore ? Completion.CutoffUtc(asOf) : knownBefore;
        return await db.SignOffs.AsNoTracking().Where(s => s.PlanId == planId).Where(SignOff.InForceAt(end))
            .ToDictionaryAsync(s => (s.TaskId, s.MeasureId), s => new SignedOffFigure(s.SignedAtUtc, s.SignedBy, s.Comment), ct);
    }

    private async Task<List<Link>> LinksAsync(int planId, CancellationToken ct) =>
        await db.ClauseAgencies.AsNoTracking().Where(a => a.Clause.Task.PlanId == planId)
            .OrderBy(a => a.Clause.Seq).ThenBy(a => a.Position)
            .Select(a => new Link(a.Clause.TaskId, a.AgencyId, a.Position, a.Agency.Code, a.Agency.NameZh, a.Agency.NameEn, a.Agency.Kind))
            .ToListAsync(ct);

    private static TargetFacts Facts(decimal value, TargetKind kind, Direction direction, Comparison comparison, decimal? baseline, DateOnly start, DateOnly due, string? unit) =>
        new(value, kind, direction, comparison, kind == TargetKind.Cumulative || direction == Direction.Lower ? baseline : null, start, due,
            Completion.IsAdditive(kind, direction, unit));

    /// <summary>What a plan's figures need besides the measures and reports: who files the whole figure, who files parts, and the status basis.</summary>
    private sealed record PlanContext(int? Owner, StatusBasis Basis, List<AgencyLink> Links, List<AssignmentLink> Assigned,
        IReadOnlyDictionary<int, AgencyRef> Agencies, IReadOnlySet<int> Groups, ILookup<int, int> MembersOf)
    {
        /// <summary>Milestone steps (节点) and planned values (计划值) of the plan's measures, every version on record.</summary>
        public ILookup<int, StepFact> Steps { get; init; } = Array.Empty<StepFact>().ToLookup(_ => 0);
        public ILookup<int, PlannedFact> Planned { get; init; } = Array.Empty<PlannedFact>().ToLookup(_ => 0);

        public Responsible Leads(int measureId, int? clauseId, int? taskId) =>
            Responsibility.ForMeasure(measureId, clauseId, taskId, Owner, Links, Assigned);

        /// <summary>A report by anyone but a lead is a part (a co-operating agency's, or a member's of a responsible group).</summary>
        public IEnumerable<ReportFact> MarkParts(Responsible r, IEnumerable<ReportFact> reports) =>
            reports.Select(f => f.SubUnit is null && !r.Lead.Contains(f.AgencyId) ? f with { IsPart = true } : f);

        public string PartRole(Responsible r, int agencyId) =>
            r.Cooperating.Contains(agencyId) ? "co-operating" : "member";
    }

    private async Task<PlanContext> ContextAsync(int planId, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Id == planId).Select(p => new { p.OwnerAgencyId, p.StatusBasis }).FirstAsync(ct);
        var agencies = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind), ct);
        var members = await db.AgencyGroupMembers.AsNoTracking().Select(g => new { g.GroupId, g.MemberId }).ToListAsync(ct);
        var steps = await db.MilestoneSteps.AsNoTracking().Where(s => s.Measure.PlanId == planId)
            .Select(s => new { s.MeasureId, Fact = new StepFact(s.Number, s.Title, s.Due, s.DoneOn, s.RecordedAtUtc, s.DoneRecordedAtUtc, s.RemovedAtUtc, s.DoneNote) })
            .ToListAsync(ct);
        var planned = await db.PlannedValues.AsNoTracking().Where(p => p.Measure.PlanId == planId)
            .Select(p => new { p.MeasureId, Fact = new PlannedFact(p.Period, p.PeriodEnd, p.Value, p.RecordedAtUtc, p.RemovedAtUtc) })
            .ToListAsync(ct);
        return new PlanContext(plan.OwnerAgencyId, plan.StatusBasis, await responsibility.LinksOfPlanAsync(planId, ct),
            await responsibility.AssignmentsOfPlanAsync(planId, ct), agencies,
            agencies.Where(a => a.Value.Kind == AgencyKinds.Group).Select(a => a.Key).ToHashSet(),
            members.ToLookup(m => m.GroupId, m => m.MemberId))
        {
            Steps = steps.ToLookup(s => s.MeasureId, s => s.Fact),
            Planned = planned.ToLookup(p => p.MeasureId, p => p.Fact),
        };
    }

    /// <summary>Without knownAt everything on record counts: a report filed late about an earlier date still shows for that date.</summary>
    private static DateTime KnownBefore(DateOnly? knownAt) => knownAt is { } k ? Completion.CutoffUtc(k) : DateTime.MaxValue;

    private MeasureFigure Figure(MeasureRow m, IEnumerable<ReportFact> reports, DateOnly start, DateOnly asOf, DateTime knownBefore, int? taskNumber,
        PlanContext ctx)
    {
        var th = options.Value.Thresholds;
        var responsible = ctx.Leads(m.Id, m.ClauseId, m.TaskId);
        var marked = ctx.MarkParts(responsible, reports).ToList();
        int? instances = null;
        var planned = m.IsTarget ? ctx.Planned[m.Id].ToList() : [];
        var steps = m.IsTarget ? [] : ctx.Steps[m.Id].ToList();
        MeasureProgress Compute(IEnumerable<ReportFact> rs) => m.IsTarget
            ? Completion.ForTarget(Facts(m.Value!.Value, m.Kind!.Value, m.Direction!.Value, m.Comparison!.Value, m.Baseline, start, m.Due, m.Unit) with { Planned = planned },
                rs, asOf, th, knownBefore)
            : Completion.ForMilestone(new MilestoneFacts(m.Recurrence, start, m.Due, steps), rs, asOf, th, knownBefore);
        var p = Compute(marked);
        var v = Compute(Completion.Accepted(marked, asOf, knownBefore));
        if (!m.IsTarget && m.Recurrence == Recurrence.Quarterly) instances = Completion.QuarterInstances(start, m.Due).Count;
        var status = ctx.Basis == StatusBasis.Verified ? v.Status : p.Status;
        var parts = (p.Parts ?? []).Select(x => new PartFigure(ctx.Agencies[x.AgencyId], ctx.PartRole(responsible, x.AgencyId), x.ReportId, x.AsOf, x.Value, x.Status)).ToList();
        return new MeasureFigure(m.Id, m.Code, m.IsTarget ? "target" : "milestone", taskNumber, m.IsHeadline, m.TitleZh, m.TitleEn, m.Unit,
            m.Value, m.Baseline, m.Due, m.Weight, p.LatestReportId, p.LatestAsOf, p.LatestValue, p.LatestStatus,
            Round(p.Completion), Round(p.CappedCompletion)!.Value, Round(p.Expected)!.Value, status, p.ProjectedValueAtDue,
            p.InstancesDue, p.InstancesDone, instances,
            Round(v.Completion), Round(v.CappedCompletion)!.Value, p.Status, v.Status, p.FigureSource, parts)
        {
            Steps = p.Steps is { Count: > 0 } s ? s : null,
            PlannedValues = planned.Count == 0 ? null
                : Completion.PlannedInForce(planned, knownBefore)
                    .Select(x => new PlannedPoint(x.Period, x.PeriodEnd, x.Value)).ToList() is { Count: > 0 } pv ? pv : null,
        };
    }

    /// <summary>A roll-up's status: never on track while the figure the plan's basis names is far behind its expected line.</summary>
    private MeasureStatus Behind(IEnumerable<MeasureStatus> statuses, double? completion, double? verified, double? expected, StatusBasis basis) =>
        Completion.CombineFigure(statuses, basis == StatusBasis.Verified ? verified : completion, expected, options.Value.Thresholds);

    private static double? Round(double? x) => x is { } v ? Math.Round(v, 4) : null;

    private static double? Mean(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return list.Count == 0 ? null : Math.Round(list.Average(), 4);
    }
}
