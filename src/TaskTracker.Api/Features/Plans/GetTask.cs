using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Plans;

internal sealed record ClauseAgencyDto(
    string Code, string NameZh, string NameEn, string Kind, string NameAsWritten, AgencyRole Role, int Position,
    IReadOnlyList<string> Members);

internal sealed record ClauseDto(int Seq, string TextZh, string TextEn, string ResponsibleText, bool AndOthers,
    IReadOnlyList<ClauseAgencyDto> Agencies);

/// <summary>An agency's part in the task as a whole: it leads if it leads any clause.</summary>
internal sealed record TaskAgencyDto(string Code, string NameZh, string NameEn, string Kind, AgencyRole Role,
    IReadOnlyList<int> LeadsClauses, IReadOnlyList<int> CooperatesOnClauses);

internal sealed record TaskDetail(
    string Plan, int Number, string Numeral, SectionRef Section, string TitleZh, string TitleEn, string TextZh, string SummaryEn,
    IReadOnlyList<ClauseDto> Clauses, IReadOnlyList<TaskAgencyDto> Agencies,
    IReadOnlyList<TargetDto> Targets, IReadOnlyList<MilestoneDto> Milestones);

internal sealed record SectionRef(int Number, string Numeral, string TitleZh, string TitleEn);

internal sealed record GetTaskQuery(string Plan, int Number) : IQuery<TaskDetail>;

internal sealed class GetTaskHandler(TaskTrackerDb db) : IQueryHandler<GetTaskQuery, TaskDetail>
{
    public async ValueTask<TaskDetail> Handle(GetTaskQuery q, CancellationToken ct)
    {
        var task = await db.Tasks.AsNoTracking()
            .Include(t => t.Plan)
            .Include(t => t.Section)
            .Include(t => t.Clauses).ThenInclude(c => c.Agencies).ThenInclude(a => a.Agency).ThenInclude(a => a.Members).ThenInclude(m => m.Member)
            .Include(t => t.Measures.Where(m => m.Active)).ThenInclude(m => m.Clause)
            .AsSplitQuery()
            .FirstOrDefaultAsync(t => t.Plan.Code == q.Plan && t.Number == q.Number, ct);
        if (task is null)
        {
            if (!await db.Plans.AnyAsync(p => p.Code == q.Plan, ct)) throw new NotFoundException("Plan", q.Plan);
            throw new NotFoundException("Task", $"{q.Plan}/{q.Number}");
        }

        var clauses = task.Clauses.OrderBy(c => c.Seq).Select(c => new ClauseDto(c.Seq, c.TextZh, c.TextEn, c.ResponsibleText, c.AndOthers,
            c.Agencies.OrderBy(a => a.Position).Select(a => new ClauseAgencyDto(a.Agency.Code, a.Agency.NameZh, a.Agency.NameEn,
                a.Agency.Kind, a.NameAsWritten, a.Role, a.Position, a.Agency.Members.Select(m => m.Member.Code).Order().ToList())).ToList())).ToList();

        var agencies = task.Clauses.SelectMany(c => c.Agencies.Select(a => (Clause: c.Seq, Link: a)))
            .GroupBy(x => x.Link.Agency.Code)
            .Select(g =>
            {
                var a = g.First().Link.Agency;
                var leads = g.Where(x => x.Link.Role == AgencyRole.Lead).Select(x => x.Clause).Order().ToList();
                var coop = g.Where(x => x.Link.Role == AgencyRole.Cooperating).Select(x => x.Clause).Order().ToList();
                return (Order: g.Min(x => x.Clause * 100 + x.Link.Position),
                    Dto: new TaskAgencyDto(a.Code, a.NameZh, a.NameEn, a.Kind, leads.Count > 0 ? AgencyRole.Lead : AgencyRole.Cooperating, leads, coop));
            })
            .OrderBy(x => x.Dto.Role).ThenBy(x => x.Order).Select(x => x.Dto).ToList();

        var cadence = task.Plan.ReportingCadence;
        var measures = task.Measures.OrderBy(m => m is Target t && t.IsHeadline ? 0 : 1).ThenBy(m => m.Ordinal).ToList();
        foreach (var m in measures) m.Task = task;
        return new TaskDetail(task.Plan.Code, task.Number, task.Numeral,
            new SectionRef(task.Section.Number, task.Section.Numeral, task.Section.TitleZh, task.Section.TitleEn),
            task.TitleZh, task.TitleEn, task.TextZh, task.SummaryEn, clauses, agencies,
            measures.OfType<Target>().Select(t => t.ToDto(cadence)).ToList(),
            measures.OfType<Milestone>().Select(m => m.ToDto(cadence)).ToList());
    }
}
