using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Plans;

internal sealed record TaskSummary(
    int Number, string Numeral, int Section, string TitleZh, string TitleEn, string SummaryEn,
    IReadOnlyList<AgencyRef> LeadAgencies, int ClauseCount, int TargetCount, int MilestoneCount);

// Role: "any" (default) = the agency is named in any clause, directly or through a group it belongs to; "lead" = it leads at least one clause.
internal sealed record ListTasksQuery(
    string Plan, int? Section, string? Agency, string? Role, bool? HasTargets, string? Q, int Page = 1, int PageSize = 50)
    : IQuery<Paged<TaskSummary>>;

internal sealed class ListTasksValidator : AbstractValidator<ListTasksQuery>
{
    public ListTasksValidator()
    {
        RuleFor(x => x.Section).GreaterThanOrEqualTo(1).When(x => x.Section is not null);
        RuleFor(x => x.Role).Must(r => r is null or "any" or "lead").WithMessage("role must be 'any' or 'lead'.");
        RuleFor(x => x.Role).Null().When(x => x.Agency is null).WithMessage("role applies only together with agency.");
        RuleFor(x => x.Q).MaximumLength(200);
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1);
        RuleFor(x => x.PageSize).InclusiveBetween(1, 200);
    }
}

internal sealed class ListTasksHandler(TaskTrackerDb db, Responsibility responsibility) : IQueryHandler<ListTasksQuery, Paged<TaskSummary>>
{
    public async ValueTask<Paged<TaskSummary>> Handle(ListTasksQuery q, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Code == q.Plan)
            .Select(p => new { p.Id, SectionCount = p.Sections.Count }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("Plan", q.Plan);
        if (q.Section > plan.SectionCount)
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("section", $"section must be between 1 and {plan.SectionCount}.")]);

        var tasks = db.Tasks.AsNoTracking().Where(t => t.PlanId == plan.Id);
        if (q.Section is { } section) tasks = tasks.Where(t => t.Section.Number == section);
        if (q.Agency is not null)
        {
            var ids = await responsibility.ActingAsAsync(q.Agency, ct)
                      ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure("agency", $"unknown agency code '{q.Agency}'.")]);
            tasks = q.Role == "lead"
                ? tasks.Where(t => t.Clauses.Any(c => c.Agencies.Any(a => a.Position == Responsibility.LeadPosition && ids.Contains(a.AgencyId))))
                : tasks.Where(t => t.Clauses.Any(c => c.Agencies.Any(a => ids.Contains(a.AgencyId))));
        }
        if (q.HasTargets is { } has)
            tasks = tasks.Where(t => t.Measures.Any(m => m.Active && m is Target) == has); // includes headline targets a task carries
        if (!string.IsNullOrWhiteSpace(q.Q))
        {
            var text = q.Q.Trim().ToLower();
            tasks = tasks.Where(t => t.TitleZh.ToLower().Contains(text) || t.TextZh.ToLower().Contains(text) || t.TitleEn.ToLower().Contains(text) ||
                                     t.SummaryEn.ToLower().Contains(text) || t.Clauses.Any(c => c.TextEn.ToLower().Contains(text)));
        }

        var total = await tasks.CountAsync(ct);
        var page = await tasks.OrderBy(t => t.Number)
            .PageOf(q.Page, q.PageSize)
            .Select(t => new
            {
                t.Number, t.Numeral, Section = t.Section.Number, t.TitleZh, t.TitleEn, t.SummaryEn,
                Leads = t.Clauses.OrderBy(c => c.Seq).SelectMany(c => c.Agencies.Where(a => a.Position == Responsibility.LeadPosition))
                    .Select(a => new AgencyRef(a.Agency.Code, a.Agency.NameZh, a.Agency.NameEn, a.Agency.Kind)).ToList(),
                Clauses = t.Clauses.Count,
                Targets = t.Measures.Count(m => m.Active && m is Target),
                Milestones = t.Measures.Count(m => m.Active && m is Milestone),
            })
            .ToListAsync(ct);

        var items = page.Select(t => new TaskSummary(t.Number, t.Numeral, t.Section, t.TitleZh, t.TitleEn, t.SummaryEn,
            t.Leads.DistinctBy(a => a.Code).ToList(), t.Clauses, t.Targets, t.Milestones)).ToList();
        return new Paged<TaskSummary>(items, q.Page, q.PageSize, total);
    }
}

