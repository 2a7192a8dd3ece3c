using Microsoft.EntityFrameworkCore;

namespace TaskTracker.Common;

/// <summary>
/// The one write step every state-changing command goes through. In one transaction it runs the command's work, then
/// records what the work asked for: the audit entries, the outbox events (and their webhook deliveries), the stored
/// response for a claimed Idempotency-Key, and one bump of the plan's <see cref="Plan.Revision"/>; it saves and
/// commits once, and counts the metric only after the commit. A command that fails leaves nothing behind.
/// </summary>
internal sealed class WriteStep(TaskTrackerDb db, Caller caller, IdempotencyRecorder idempotency, TimeProvider clock, GroupCommitter groups)
{
    /// <param name="planId">The plan whose data changes (its revision is bumped); null for changes outside any plan.</param>
    /// <param name="work">Stages the change. It may save (for generated ids); the transaction is already open.</param>
    public async Task<T> RunAsync<T>(int? planId, Func<WriteScope, Task<T>> work, CancellationToken ct)
    {
        var scope = new WriteScope(db, caller, clock.GetUtcNow().UtcDateTime);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work(scope);
        foreach (var e in scope.Events)
        {
            var ev = await Outbox.EnqueueAsync(db, scope.Now, e.Type, e.Payload, e.PlanId ?? planId, e.AgencyId, e.DedupKey, ct);
            e.Attach?.Invoke(ev);
        }
        if (scope.Response is { } r) idempotency.Complete(r.Status, r.Body, r.Location);
        if (planId is { } id)
            await db.Plans.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Revision, p => p.Revision + 1), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var count in scope.Metrics) count();
        return result;
    }

    /// <summary>
    /// <see cref="RunAsync{T}"/> for filings: on SQLite the work joins the next group commit (<see cref="GroupCommitter"/>,
    /// ADR 0009) and this returns once that batch is durable. The work must write through <see cref="WriteScope.Db"/> and
    /// read the caller only through what it captured before (it runs on the writer, outside the request).
    /// </summary>
    public async Task<T> RunGroupedAsync<T>(int planId, Func<WriteScope, Task<T>> work, CancellationToken ct)
    {
        if (!groups.Enabled) return await RunAsync(planId, work, ct);
        var scope = new WriteScope(db, caller, clock.GetUtcNow().UtcDateTime);
        var claim = idempotency.Grouped();
        var result = await groups.RunAsync(planId, async writer =>
        {
            scope.Db = writer;
            var value = await work(scope);
            foreach (var e in scope.Events)
            {
                var ev = await Outbox.EnqueueAsync(writer, scope.Now, e.Type, e.Payload, e.PlanId ?? planId, e.AgencyId, e.DedupKey, CancellationToken.None);
                e.Attach?.Invoke(ev);
            }
            if (scope.Response is { } r && claim is not null) await claim.CompleteAsync(writer, r.Status, r.Body, r.Location);
            try
            {
                await writer.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException e) when (Security.UniqueViolation.Is(e))
            {
                // A duplicate with the same key got there first (earlier in this batch, or before): answer as it did.
                if (claim is not null && await claim.CollisionAsync(writer) is { } existing) throw new IdempotencyCollision(existing);
                throw;
            }
            return value;
        }, ct);
        foreach (var count in scope.Metrics) count();
        return result;
    }
}

/// <summary>What one write records besides its own entities; filled by the command, written by <see cref="WriteStep"/>.</summary>
internal sealed class WriteScope(TaskTrackerDb db, Caller caller, DateTime now)
{
    // Taken now: a grouped write runs on the writer, where the request's user is not at hand.
    private readonly Actor _actor = caller.Actor;

    internal sealed record Event(string Type, object Payload, int? PlanId, int? AgencyId, string? DedupKey = null, Action<OutboxEvent>? Attach = null);
    internal sealed record Stored(int Status, object Body, string? Location);

    internal List<Event> Events { get; } = [];
    internal List<Action> Metrics { get; } = [];
    internal Stored? Response { get; private set; }

    /// <summary>The context to write through: the request's own, or the group-commit writer's (<see cref="WriteStep.RunGroupedAsync{T}"/>).</summary>
    public TaskTrackerDb Db { get; internal set; } = db;

    /// <summary>The time of this write (UTC), the same for every row it writes.</summary>
    public DateTime Now { get; } = now;

    /// <summary>An audit entry for the caller's change.</summary>
    public void Audit(string action, string entityType, string entityId, object? details) =>
        Db.Audit.Add(new Domain.AuditEntry
        {
            AtUtc = Now, TokenId = _actor.TokenId, Actor = _actor.Name, AgencyId = _actor.AgencyId, Action = action,
            EntityType = entityType, EntityId = entityId, Details = details is null ? null : AuditJson.Serialize(details),
        });

    /// <summary>An event for the outbox (and one delivery per matching webhook), committed with the change.</summary>
    /// <param name="dedupKey">Makes the event exist once whoever writes it (the outbox's unique index): a second write with
    /// the same key fails the whole step with a <see cref="DbUpdateException"/>, which the caller reads as "already written".</param>
    /// <param name="attach">Adds rows that belong to the event (e.g. a module's own deliveries), given the event once it is staged.</param>
    public void Publish(string type, object payload, int? agencyId, int? planId = null, string? dedupKey = null, Action<OutboxEvent>? attach = null) =>
        Events.Add(new(type, payload, planId, agencyId, dedupKey, attach));

    /// <summary>The response a retry with the same Idempotency-Key replays (when the request claimed one).</summary>
    public void Respond<T>(int status, T body, string? location) where T : notnull => Response = new(status, body, location);

    /// <summary>A metric to count once the change is committed.</summary>
    public void Count(Action metric) => Metrics.Add(metric);
}
