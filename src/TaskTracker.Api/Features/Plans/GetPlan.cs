using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Plans;

internal sealed record SourceDto(string? Document, string? Article, string? Publisher, string? Url);
internal sealed record ReportingDto(ReportingCadence Cadence, int GraceDays);
internal sealed record SectionDto(int Number, string Numeral, string TitleZh, string TitleEn, IReadOnlyList<int> TaskNumbers);

internal sealed record PlanDetail(
    string Code, string TitleZh, string TitleEn, DateOnly PeriodStart, DateOnly PeriodEnd,
    SourceDto Source, string? PreambleZh, string? ClosingZh, AgencyRef? OwnerAgency, AgencyRef? OversightAgency,
    ReportingDto Reporting, IReadOnlyList<SectionDto> Sections, IReadOnlyList<TargetDto> HeadlineTargets,
    int TaskCount, int ClauseCount, int TargetCount, int MilestoneCount, DateTime SeededAtUtc);

internal sealed record GetPlanQuery(string Plan) : IQuery<PlanDetail>;

internal sealed class GetPlanHandler(TaskTrackerDb db) : IQueryHandler<GetPlanQuery, PlanDetail>
{
    public async ValueTask<PlanDetail> Handle(GetPlanQuery q, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking()
            .Include(p => p.OwnerAgency).Include(p => p.OversightAgency)
            .Include(p => p.Sections).ThenInclude(s => s.Tasks)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Code == q.Plan, ct) ?? throw new NotFoundException("Plan", q.Plan);

        var headline = await db.Targets.AsNoTracking().Include(t => t.Task)
            .Where(t => t.PlanId == plan.Id && t.IsHeadline && t.Active)
            .OrderBy(t => t.Ordinal).ToListAsync(ct);
        var counts = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan.Id && m.Active)
            .GroupBy(m => m is Target).Select(g => new { IsTarget = g.Key, Count = g.Count() }).ToListAsync(ct);
        var clauseCount = await db.Clauses.CountAsync(c => c.Task.PlanId == plan.Id, ct);

        return new PlanDetail(plan.Code, plan.TitleZh, plan.TitleEn, plan.PeriodStart, plan.PeriodEnd,
            new SourceDto(plan.SourceDocument, plan.SourceArticle, plan.SourcePublisher, plan.SourceUrl),
            plan.PreambleZh, plan.ClosingZh, Ref(plan.OwnerAgency), Ref(plan.OversightAgency),
            new ReportingDto(plan.ReportingCadence, plan.ReportingGraceDays),
            plan.Sections.OrderBy(s => s.Number)
                .Select(s => new SectionDto(s.Number, s.Numeral, s.TitleZh, s.TitleEn, s.Tasks.Select(t => t.Number).Order().ToList()))
                .ToList(),
            headline.Select(t => t.ToDto(plan.ReportingCadence)).ToList(),
            plan.Sections.Sum(s => s.Tasks.Count), clauseCount,
            counts.FirstOrDefault(c => c.IsTarget)?.Count ?? 0, counts.FirstOrDefault(c => !c.IsTarget)?.Count ?? 0,
            plan.SeededAtUtc);
    }

    private static AgencyRef? Ref(Agency? a) => a is null ? null : new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind);
}
