using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Agencies;

internal sealed record AgencySummary(string Code, string NameZh, string? ShortNameZh, string NameEn, string Kind,
    IReadOnlyList<string> Aliases, IReadOnlyList<string> Members, IReadOnlyList<string> MemberOf);

internal sealed record ListAgenciesQuery(string? Kind, string? Q) : IQuery<IReadOnlyList<AgencySummary>>;

internal sealed class ListAgenciesValidator : AbstractValidator<ListAgenciesQuery>
{
    public ListAgenciesValidator()
    {
        RuleFor(x => x.Kind).Must(k => k is null || AgencyKinds.All.Contains(k))
            .WithMessage($"kind must be one of: {string.Join(", ", AgencyKinds.All.Order())}.");
        RuleFor(x => x.Q).MaximumLength(200);
    }
}

internal sealed class ListAgenciesHandler(TaskTrackerDb db) : IQueryHandler<ListAgenciesQuery, IReadOnlyList<AgencySummary>>
{
    public async ValueTask<IReadOnlyList<AgencySummary>> Handle(ListAgenciesQuery q, CancellationToken ct)
    {
        var query = db.Agencies.AsNoTracking();
        if (q.Kind is not null) query = query.Where(a => a.Kind == q.Kind);
        var rows = await query.OrderBy(a => a.Code)
            .Select(a => new
            {
                a.Code, a.NameZh, a.ShortNameZh, a.NameEn, a.Kind, a.Aliases,
                Members = a.Members.Select(m => m.Member.Code).ToList(),
                MemberOf = a.MemberOf.Select(m => m.Group.Code).ToList(),
            })
            .ToListAsync(ct);
        // Aliases live in a JSON column, so the free-text match runs here; the catalogue is small.
        var text = q.Q?.Trim();
        return rows
            .Where(a => string.IsNullOrEmpty(text) || a.Code.Contains(text, StringComparison.OrdinalIgnoreCase) ||
                        a.NameZh.Contains(text, StringComparison.Ordinal) || a.NameEn.Contains(text, StringComparison.OrdinalIgnoreCase) ||
                        (a.ShortNameZh?.Contains(text, StringComparison.Ordinal) ?? false) || a.Aliases.Any(x => x.Contains(text, StringComparison.Ordinal)))
            .Select(a => new AgencySummary(a.Code, a.NameZh, a.ShortNameZh, a.NameEn, a.Kind, a.Aliases, a.Members.Order().ToList(), a.MemberOf.Order().ToList()))
            .ToList();
    }
}

internal sealed record ResponsibilityDto(string Plan, int TaskNumber, string TaskTitleZh, string TaskTitleEn, IReadOnlyList<int> Clauses, string? ViaGroup);

internal sealed record AgencyDetail(string Code, string NameZh, string? ShortNameZh, string NameEn, string Kind,
    IReadOnlyList<string> Aliases, IReadOnlyList<string> Members, IReadOnlyList<string> MemberOf,
    IReadOnlyList<ResponsibilityDto> Leads, IReadOnlyList<ResponsibilityDto> CooperatesOn);

internal sealed record GetAgencyQuery(string Code) : IQuery<AgencyDetail>;

internal sealed class GetAgencyHandler(TaskTrackerDb db) : IQueryHandler<GetAgencyQuery, AgencyDetail>
{
    public async ValueTask<AgencyDetail> Handle(GetAgencyQuery q, CancellationToken ct)
    {
        var a = await db.Agencies.AsNoTracking()
            .Include(x => x.Members).ThenInclude(m => m.Member)
            .Include(x => x.MemberOf).ThenInclude(m => m.Group)
            .AsSplitQuery()
            .FirstOrDefaultAsync(x => x.Code == q.Code, ct) ?? throw new NotFoundException("Agency", q.Code);

        var ids = Responsibility.ActingAs(a.Id, a.MemberOf.Select(m => m.GroupId));
        var links = await db.ClauseAgencies.AsNoTracking()
            .Where(x => ids.Contains(x.AgencyId))
            .Select(x => new
            {
                Plan = x.Clause.Task.Plan.Code, x.Clause.Task.Number, x.Clause.Task.TitleZh, x.Clause.Task.TitleEn,
                x.Clause.Seq, x.Role, Via = x.AgencyId == a.Id ? null : x.Agency.Code,
            })
            .ToListAsync(ct);

        List<ResponsibilityDto> Group(AgencyRole role) => links.Where(l => l.Role == role)
            .GroupBy(l => (l.Plan, l.Number, l.Via))
            .Select(g => new ResponsibilityDto(g.Key.Plan, g.Key.Number, g.First().TitleZh, g.First().TitleEn,
                g.Select(x => x.Seq).Distinct().Order().ToList(), g.Key.Via))
            .OrderBy(r => r.Plan).ThenBy(r => r.TaskNumber).ThenBy(r => r.ViaGroup)
            .ToList();

        return new AgencyDetail(a.Code, a.NameZh, a.ShortNameZh, a.NameEn, a.Kind, a.Aliases,
            a.Members.Select(m => m.Member.Code).Order().ToList(), a.MemberOf.Select(m => m.Group.Code).Order().ToList(),
            Group(AgencyRole.Lead), Group(AgencyRole.Cooperating));
    }
}
