using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Notifications;

internal sealed record CreateWebhookBody(string? Url, string[]? EventTypes, string? Description);

internal sealed record WebhookDto(int Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Active, DateTime CreatedAtUtc);

/// <summary>The registration answer: the only time the signing secret is shown.</summary>
internal sealed record WebhookCreatedDto(int Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Active, DateTime CreatedAtUtc, string Secret);

internal sealed record DeliveryDto(long Id, long EventId, string EventType, DateTime EventCreatedAtUtc, int SubscriptionId, string Url, DeliveryState State,
    int Attempts, DateTime? NextAttemptAtUtc, int? LastStatusCode, string? LastError, DateTime? DeliveredAtUtc);

internal sealed record CreateWebhookCommand(CreateWebhookBody Body) : ICommand<WebhookCreatedDto>;
internal sealed record ListWebhooksQuery : IQuery<IReadOnlyList<WebhookDto>>;
internal sealed record GetWebhookQuery(int Id) : IQuery<WebhookDto>;
internal sealed record DeactivateWebhookCommand(int Id) : ICommand<WebhookDto>;
internal sealed record ListDeliveriesQuery(string? State, int? SubscriptionId, int Page = 1, int PageSize = 100) : IQuery<Paged<DeliveryDto>>;
internal sealed record RedriveDeliveryCommand(long Id) : ICommand<DeliveryDto>;

internal sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookCommand>
{
    public CreateWebhookValidator()
    {
        RuleFor(x => x.Body.Url).NotEmpty().OverridePropertyName("url").WithMessage("url is required.");
        RuleFor(x => x.Body.Url).MaximumLength(2000).OverridePropertyName("url");
        RuleFor(x => x.Body.Url)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo))
            .When(x => !string.IsNullOrEmpty(x.Body.Url)).OverridePropertyName("url")
            .WithMessage("url must be an absolute http:// or https:// URL without credentials.");
        RuleFor(x => x.Body.EventTypes)
            .Must(t => t!.All(e => e is not null && EventTypes.All.Contains(e)))
            .When(x => x.Body.EventTypes is not null).OverridePropertyName("eventTypes")
            .WithMessage(x => $"unknown event type(s): {string.Join(", ", x.Body.EventTypes!.Where(e => e is null || !EventTypes.All.Contains(e)).Select(e => $"'{e}'"))}. " +
                              $"Known: {string.Join(", ", EventTypes.All.Order())}; leave empty for all.");
        RuleFor(x => x.Body.Description).MaximumLength(500).OverridePropertyName("description");
        RuleFor(x => x.Body.Description).Must(d => Text.BeCleanText(d!)).When(x => x.Body.Description is not null)
            .OverridePropertyName("description").WithMessage("description must not contain control characters.");
    }
}

internal sealed class ListDeliveriesValidator : AbstractValidator<ListDeliveriesQuery>
{
    public ListDeliveriesValidator()
    {
        RuleFor(x => x.State).Must(s => s is "pending" or "delivered" or "failed").When(x => x.State is not null)
            .OverridePropertyName("state").WithMessage("state must be pending, delivered or failed.");
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1).OverridePropertyName("page");
        RuleFor(x => x.PageSize).InclusiveBetween(1, 500).OverridePropertyName("pageSize");
    }
}

/// <summary>Webhook registrations and their deliveries, managed by the office and admins. Every change is audited.</summary>
internal sealed class WebhookHandlers(TaskTrackerDb db, WriteStep write)
    : ICommandHandler<CreateWebhookCommand, WebhookCreatedDto>, IQueryHandler<ListWebhooksQuery, IReadOnlyList<WebhookDto>>,
      IQueryHandler<GetWebhookQuery, WebhookDto>, ICommandHandler<DeactivateWebhookCommand, WebhookDto>,
      IQueryHandler<ListDeliveriesQuery, Paged<DeliveryDto>>, ICommandHandler<RedriveDeliveryCommand, DeliveryDto>
{
    public async ValueTask<WebhookCreatedDto> Handle(CreateWebhookCommand cmd, CancellationToken ct)
    {
        var s = await write.RunAsync(null, async w =>
        {
            var sub = new WebhookSubscription
            {
                Url = cmd.Body.Url!, Secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                EventTypes = (cmd.Body.EventTypes ?? []).Distinct().Order().ToList(), Description = cmd.Body.Description, CreatedAtUtc = w.Now,
            };
            db.WebhookSubscriptions.Add(sub);
            await db.SaveChangesAsync(ct);
            // The secret is never written to the audit trail.
            w.Audit("webhook.created", "webhook", sub.Id.ToString(), new { sub.Url, sub.EventTypes, sub.Description });
            return sub;
        }, ct);
        return new WebhookCreatedDto(s.Id, s.Url, s.EventTypes, s.Description, s.Active, s.CreatedAtUtc, s.Secret);
    }

    public async ValueTask<IReadOnlyList<WebhookDto>> Handle(ListWebhooksQuery q, CancellationToken ct) =>
        (await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct)).Select(Dto).ToList();

    public async ValueTask<WebhookDto> Handle(GetWebhookQuery q, CancellationToken ct) =>
        Dto(await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == q.Id, ct) ?? throw new NotFoundException("Webhook", q.Id.ToString()));

    public async ValueTask<WebhookDto> Handle(DeactivateWebhookCommand cmd, CancellationToken ct)
    {
        var s = await db.WebhookSubscriptions.FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Webhook", cmd.Id.ToString());
        if (!s.Active) return Dto(s); // deleting twice changes nothing
        s.Active = false;
        await write.RunAsync(null, async w =>
        {
            // Its deliveries stay as history; the ones still waiting will not be sent any more.
            var cancelled = await db.WebhookDeliveries.Where(d => d.SubscriptionId == s.Id && d.State == DeliveryState.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryState.Failed).SetProperty(d => d.LastError, "webhook deactivated")
                    .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);
            w.Audit("webhook.deactivated", "webhook", s.Id.ToString(), new { s.Url, pendingDeliveriesCancelled = cancelled });
            return cancelled;
        }, ct);
        return Dto(s);
    }

    public async ValueTask<Paged<DeliveryDto>> Handle(ListDeliveriesQuery q, CancellationToken ct)
    {
        var query = db.WebhookDeliveries.AsNoTracking();
        if (q.State is { } state)
        {
            var st = Enum.Parse<DeliveryState>(state, ignoreCase: true);
            query = query.Where(d => d.State == st);
        }
        if (q.SubscriptionId is { } sid) query = query.Where(d => d.SubscriptionId == sid);
        var total = await query.CountAsync(ct);
        var items = await Project(query.OrderByDescending(d => d.Id).PageOf(q.Page, q.PageSize)).ToListAsync(ct);
        return new Paged<DeliveryDto>(items, q.Page, q.PageSize, total);
    }

    public async ValueTask<DeliveryDto> Handle(RedriveDeliveryCommand cmd, CancellationToken ct)
    {
        var d = await db.WebhookDeliveries.Include(x => x.Subscription).FirstOrDefaultAsync(x => x.Id == cmd.Id, ct)
                ?? throw new NotFoundException("Delivery", cmd.Id.ToString());
        if (d.State != DeliveryState.Failed)
            throw new ConflictException($"Delivery {d.Id} is {d.State.ToString().ToLowerInvariant()}; only failed deliveries can be re-driven.");
        if (!d.Subscription.Active) throw new ConflictException($"Webhook {d.SubscriptionId} is deactivated; register it again to receive events.");
        var before = new { d.Attempts, d.LastStatusCode, d.LastError };
        await write.RunAsync(null, async w =>
        {
            // Conditional, so two people re-driving at once (or on two instances) reset it once.
            var changed = await db.WebhookDeliveries.Where(x => x.Id == d.Id && x.State == DeliveryState.Failed)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.State, DeliveryState.Pending).SetProperty(x => x.Attempts, 0)
                    .SetProperty(x => x.NextAttemptAtUtc, w.Now).SetProperty(x => x.LeaseOwner, (string?)null).SetProperty(x => x.LeaseUntilUtc, (DateTime?)null), ct);
            if (changed == 0) throw new ConflictException($"Delivery {d.Id} was re-driven at the same time.");
            w.Audit("webhook.delivery.redriven", "webhook-delivery", d.Id.ToString(), new { subscriptionId = d.SubscriptionId, d.EventId, previous = before });
            return changed;
        }, ct);
        return await Project(db.WebhookDeliveries.AsNoTracking().Where(x => x.Id == d.Id)).FirstAsync(ct);
    }

    private static IQueryable<DeliveryDto> Project(IQueryable<WebhookDelivery> q) =>
        q.Select(d => new DeliveryDto(d.Id, d.EventId, d.Event.Type, d.Event.CreatedAtUtc, d.SubscriptionId, d.Subscription.Url, d.State, d.Attempts,
            d.State == DeliveryState.Pending ? d.NextAttemptAtUtc : null, d.LastStatusCode, d.LastError, d.DeliveredAtUtc));

    private static WebhookDto Dto(WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.Description, s.Active, s.CreatedAtUtc);
}

internal static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/webhooks").WithTags("Notifications").RequireAuthorization(Policies.OfficeOrAdmin);
        g.MapPost("", async Task<Created<WebhookCreatedDto>> (CreateWebhookBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new CreateWebhookCommand(body), ct);
                return TypedResults.Created($"/api/webhooks/{dto.Id}", dto);
            })
            .WithName("CreateWebhook")
            .WithSummary("Register a webhook: an absolute http(s) url and the event types to receive (empty = all). The answer carries the signing secret, shown only this once.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        g.MapGet("", async Task<Ok<IReadOnlyList<WebhookDto>>> (ISender m, CancellationToken ct) => TypedResults.Ok(await m.Send(new ListWebhooksQuery(), ct)))
            .WithName("ListWebhooks").WithSummary("Registered webhooks, active and deactivated (never their secrets).")
            .ProducesProblem(401).ProducesProblem(403);
        g.MapGet("/{id:int}", async Task<Ok<WebhookDto>> (int id, ISender m, CancellationToken ct) => TypedResults.Ok(await m.Send(new GetWebhookQuery(id), ct)))
            .WithName("GetWebhook").WithSummary("One webhook (without its secret).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        g.MapDelete("/{id:int}", async Task<Ok<WebhookDto>> (int id, ISender m, CancellationToken ct) => TypedResults.Ok(await m.Send(new DeactivateWebhookCommand(id), ct)))
            .WithName("DeactivateWebhook").WithSummary("Deactivate a webhook: no new deliveries, pending ones are cancelled (failed), history is kept.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        g.MapGet("/deliveries", async Task<Ok<Paged<DeliveryDto>>> (string? state, int? subscriptionId, int? page, int? pageSize, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListDeliveriesQuery(state, subscriptionId, page ?? 1, pageSize ?? 100), ct)))
            .WithName("ListWebhookDeliveries")
            .WithSummary("Deliveries, newest first, with attempts, last status code or error and the next attempt; filter by state (pending|delivered|failed) and subscriptionId.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        g.MapPost("/deliveries/{id:long}/redrive", async Task<Ok<DeliveryDto>> (long id, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new RedriveDeliveryCommand(id), ct)))
            .WithName("RedriveWebhookDelivery").WithSummary("Send a failed delivery again: back to pending with its attempts reset (audited).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return app;
    }
}
