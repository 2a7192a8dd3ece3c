using Microsoft.EntityFrameworkCore;


namespace TaskTracker.Features.Bulletin;

/// <summary>
/// The only place the bulletin module reads the plan's computed standing (dashboards) and who answers for what, so both
/// can be re-pointed at one "standing as of a date" service later without touching changes, assessment or documents.
/// </summary>
internal sealed class BulletinData(TaskTrackerDb db, StandingCalculator dashboards, Responsibility responsibility)
{
    public sealed record Plan(int Id, string Code, string TitleZh, string TitleEn, DateOnly Start, DateOnly End, ReportingCadence Cadence, int GraceDays);

    public sealed record AgencyInfo(int Id, string Code, string NameZh, string NameEn);

    public sealed record InstructionRow(int Id, int? TaskNumber, string? MeasureCode, int AgencyId, string Agency, string AgencyNameZh, string Text,
        DateOnly ReplyBy, InstructionStatus Status, DateTime IssuedAtUtc, DateTime? ClosedAtUtc, DateTime? FirstReplyAtUtc, DateTime? LastReplyAtUtc);

    public sealed record ReturnedReport(long ReportId, int MeasureId, string Code, int? TaskNumber, string Agency, DateOnly AsOf, DateTime ReviewedAtUtc, string? Comment);

    public sealed record Filing(int MeasureId, DateOnly AsOf, DateTime FiledAtUtc, ReviewStatus Review);

    public async Task<Plan> PlanAsync(string code, CancellationToken ct) =>
        await db.Plans.AsNoTracking().Where(p => p.Code == code)
            .Select(p => new Plan(p.Id, p.Code, p.TitleZh, p.TitleEn, p.PeriodStart, p.PeriodEnd, p.ReportingCadence, p.ReportingGraceDays))
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Plan", code);

    /// <summary>The plan's figures as they stood at the end of <paramref name="asOf"/>, with what was known by then.</summary>
    public async Task<PlanDashboard> StandingAsync(string plan, DateOnly asOf, CancellationToken ct) =>
        await dashboards.ComputeAsync(await dashboards.PlanAsync(plan, ct), asOf, asOf, ct);

    public static IEnumerable<MeasureFigure> Measures(PlanDashboard d) =>
        d.Headline.Where(h => h.TaskNumber is null).Concat(d.Tasks.SelectMany(t => t.Measures));

    public Task<List<InstructionRow>> InstructionsAsync(int planId, CancellationToken ct) =>
        db.Instructions.AsNoTracking().Where(i => i.PlanId == planId).OrderBy(i => i.Id)
            .Select(i => new InstructionRow(i.Id, (int?)i.Task!.Number, i.Measure!.Code, i.AgencyId, i.Agency.Code, i.Agency.NameZh, i.Text, i.ReplyBy, i.Status,
                i.IssuedAtUtc, i.ClosedAtUtc,
                i.Thread.Where(e => e.Kind == InstructionEntryKind.Reply).Min(e => (DateTime?)e.AtUtc),
                i.Thread.Where(e => e.Kind == InstructionEntryKind.Reply).Max(e => (DateTime?)e.AtUtc)))
            .ToListAsync(ct);

    public Task<List<ReturnedReport>> ReturnedAsync(int planId, DateTime afterUtc, DateTime untilUtc, CancellationToken ct) =>
        db.Reports.AsNoTracking()
            .Where(r => r.PlanId == planId && r.ReviewStatus == ReviewStatus.Returned && r.ReviewedAtUtc > afterUtc && r.ReviewedAtUtc <= untilUtc)
            .OrderBy(r => r.ReviewedAtUtc).ThenBy(r => r.Id)
            .Select(r => new ReturnedReport(r.Id, r.MeasureId, r.Measure.Code, (int?)r.Measure.Task!.Number, r.Agency.Code, r.AsOf, r.ReviewedAtUtc!.Value, r.ReviewComment))
            .ToListAsync(ct);

    public sealed record SignOffRow(long Id, int? TaskNumber, int? MeasureId, string? MeasureCode, DateTime SignedAtUtc, string? SignedBy, string? Comment,
        DateTime? ReopenedAtUtc);

    /// <summary>The plan's sign-offs (销号), reopened ones included, with the task number each belongs to.</summary>
    public Task<List<SignOffRow>> SignOffsAsync(int planId, CancellationToken ct) =>
        db.SignOffs.AsNoTracking().Where(s => s.PlanId == planId).OrderBy(s => s.SignedAtUtc).ThenBy(s => s.Id)
            .Select(s => new SignOffRow(s.Id,
                s.TaskId != null ? db.Tasks.Where(t => t.Id == s.TaskId).Select(t => (int?)t.Number).FirstOrDefault()
                                 : db.Measures.Where(m => m.Id == s.MeasureId).Select(m => (int?)m.Task!.Number).FirstOrDefault(),
                s.MeasureId, db.Measures.Where(m => m.Id == s.MeasureId).Select(m => m.Code).FirstOrDefault(),
                s.SignedAtUtc, s.SignedBy, s.Comment, s.ReopenedAtUtc))
            .ToListAsync(ct);

    public Task<List<Filing>> FilingsAsync(int planId, CancellationToken ct) =>
        db.Reports.AsNoTracking().Where(r => r.PlanId == planId).Select(r => new Filing(r.MeasureId, r.AsOf, r.FiledAtUtc, r.ReviewStatus)).ToListAsync(ct);

    public Task<Dictionary<int, ReportingCadence?>> CadencesAsync(int planId, CancellationToken ct) =>
        db.Measures.AsNoTracking().Where(m => m.PlanId == planId && m.Active).ToDictionaryAsync(m => m.Id, m => m.Cadence, ct);

    public Task<Dictionary<int, AgencyInfo>> AgenciesAsync(CancellationToken ct) =>
        db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => new AgencyInfo(a.Id, a.Code, a.NameZh, a.NameEn), ct);

    /// <summary>Who leads each active measure, by the one responsibility resolver (office assignments included).</summary>
    public async Task<Dictionary<int, IReadOnlySet<int>>> LeadsByMeasureAsync(int planId, CancellationToken ct)
    {
        var measures = await db.Measures.AsNoTracking().Where(m => m.PlanId == planId && m.Active).Select(m => new { m.Id, m.ClauseId, m.TaskId }).ToListAsync(ct);
        var owner = await db.Plans.AsNoTracking().Where(p => p.Id == planId).Select(p => p.OwnerAgencyId).FirstAsync(ct);
        var links = await responsibility.LinksOfPlanAsync(planId, ct);
        var assigned = await responsibility.AssignmentsOfPlanAsync(planId, ct);
        return measures.ToDictionary(m => m.Id,
            m => (IReadOnlySet<int>)Responsibility.ForMeasure(m.Id, m.ClauseId, m.TaskId, owner, links, assigned).Lead.ToHashSet());
    }
}
