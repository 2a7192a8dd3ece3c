using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Oversight;

internal sealed record Inbox(AgencyRef Agency, DateOnly AsOf, IReadOnlyList<InboxItem> Items);

internal sealed record GetInboxQuery(string Agency, DateOnly? AsOf) : IQuery<Inbox>;

internal sealed class GetInboxValidator : AbstractValidator<GetInboxQuery>
{
    public GetInboxValidator() => AsOfRule.Apply(this, x => x.AsOf);
}

/// <summary>An agency's to-do list (computed by <see cref="InboxCalculator"/>); an agency sees its own, the office every one.</summary>
internal sealed class GetInboxHandler(TaskTrackerDb db, Caller caller, InboxCalculator inbox, TimeProvider clock) : IQueryHandler<GetInboxQuery, Inbox>
{
    public async ValueTask<Inbox> Handle(GetInboxQuery q, CancellationToken ct)
    {
        var agency = await db.Agencies.AsNoTracking().Where(a => a.Code == q.Agency)
            .Select(a => new { a.Id, Ref = new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind) }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("Agency", q.Agency);
        if (!caller.IsOffice && caller.Role != nameof(Role.Admin) && caller.AgencyId != agency.Id)
            throw new ForbiddenException("An agency sees only its own inbox; the office sees every inbox.");

        var asOf = ChinaTime.AsOfOrToday(q.AsOf, clock);
        return new Inbox(agency.Ref, asOf, await inbox.ItemsAsync(agency.Id, q.Agency, asOf, ct));
    }
}
