using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;

namespace TaskTracker.Features.Audit;

internal sealed record AuditDto(long Id, DateTime AtUtc, int? TokenId, string? Actor, string? Agency, string Action, string EntityType, string EntityId, string? Details);

internal sealed record ListAuditQuery(string? EntityType, string? EntityId, string? Action, int Page = 1, int PageSize = 100) : IQuery<Paged<AuditDto>>;

internal sealed class ListAuditValidator : AbstractValidator<ListAuditQuery>
{
    public ListAuditValidator()
    {
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1).OverridePropertyName("page");
        RuleFor(x => x.PageSize).InclusiveBetween(1, 500).OverridePropertyName("pageSize");
        RuleFor(x => x.EntityType).MaximumLength(64).OverridePropertyName("entityType");
        RuleFor(x => x.EntityId).MaximumLength(64).OverridePropertyName("entityId");
        RuleFor(x => x.Action).MaximumLength(64).OverridePropertyName("action");
    }
}

internal sealed class ListAuditHandler(TaskTrackerDb db) : IQueryHandler<ListAuditQuery, Paged<AuditDto>>
{
    public async ValueTask<Paged<AuditDto>> Handle(ListAuditQuery q, CancellationToken ct)
    {
        var query = db.Audit.AsNoTracking();
        if (q.EntityType is not null) query = query.Where(a => a.EntityType == q.EntityType);
        if (q.EntityId is not null) query = query.Where(a => a.EntityId == q.EntityId);
        if (q.Action is not null) query = query.Where(a => a.Action == q.Action);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(a => a.Id).PageOf(q.Page, q.PageSize)
            .Select(a => new AuditDto(a.Id, a.AtUtc, a.TokenId, a.Actor,
                db.Agencies.Where(x => x.Id == a.AgencyId).Select(x => x.Code).FirstOrDefault(),
                a.Action, a.EntityType, a.EntityId, a.Details))
            .ToListAsync(ct);
        return new Paged<AuditDto>(items, q.Page, q.PageSize, total);
    }
}

internal static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", async Task<Ok<Paged<AuditDto>>> (string? entityType, string? entityId, string? action, int? page, int? pageSize, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListAuditQuery(entityType, entityId, action, page ?? 1, pageSize ?? 100), ct)))
            .WithTags("Audit").WithName("ListAudit").WithSummary("The audit trail, newest first (office and admin).")
            .RequireAuthorization(Policies.OfficeOrAdmin)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        return app;
    }
}

