using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;

namespace TaskTracker.Features.Plans;

internal sealed record PlanSummary(
    string Code, string TitleZh, string TitleEn, DateOnly PeriodStart, DateOnly PeriodEnd,
    int SectionCount, int TaskCount, int TargetCount, int MilestoneCount, DateTime SeededAtUtc);

internal sealed record ListPlansQuery : IQuery<IReadOnlyList<PlanSummary>>;

internal sealed class ListPlansHandler(TaskTrackerDb db) : IQueryHandler<ListPlansQuery, IReadOnlyList<PlanSummary>>
{
    public async ValueTask<IReadOnlyList<PlanSummary>> Handle(ListPlansQuery query, CancellationToken ct) =>
        await db.Plans.AsNoTracking().OrderBy(p => p.Code)
            .Select(p => new PlanSummary(p.Code, p.TitleZh, p.TitleEn, p.PeriodStart, p.PeriodEnd,
                p.Sections.Count, p.Tasks.Count,
                p.Measures.Count(m => m.Active && m is Domain.Target),
                p.Measures.Count(m => m.Active && m is Domain.Milestone),
                p.SeededAtUtc))
            .ToListAsync(ct);
}
