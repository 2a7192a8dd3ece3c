using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TaskTracker.Domain;

namespace TaskTracker.Data;

/// <summary>
/// Empties the reference caches (<see cref="CacheVersion"/>) once a change to anything but the rows a filing or a
/// delivery writes is committed: tokens, measures, assignments, agencies and groups, webhook subscriptions, plans.
/// Watching SaveChanges catches every such write, whichever module makes it, without each one remembering to.
/// Bulk ExecuteUpdate/ExecuteDelete is not seen; such changes are picked up when the entries' lifetime runs out.
/// </summary>
internal sealed class ReferenceChangeInterceptor(CacheVersion version) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Written by every filing and by the delivery workers; changing them never changes who may file or who is notified.
    private static readonly HashSet<Type> Transactional =
    [
        typeof(ProgressReport), typeof(AuditEntry), typeof(OutboxEvent), typeof(WebhookDelivery), typeof(IdempotencyRecord),
    ];

    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Flush(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is null) return;
        foreach (var e in context.ChangeTracker.Entries())
            if (e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && !Transactional.Contains(e.Metadata.ClrType))
            {
                _pending.AddOrUpdate(context, this);
                return;
            }
    }

    // Outside a transaction the save was the commit; inside one, wait for the commit (a rollback leaves the mark, which
    // only costs a needless reload later).
    private void AfterSave(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null) Flush(context);
    }

    private void Flush(DbContext? context)
    {
        if (context is not null && _pending.Remove(context)) version.Bump();
    }
}

/// <summary>
/// One version for every process-local cache of reference data a filing reads on each request but that rarely changes
/// (the token's principal, the measure's responsibility, the active webhooks). Every write that is not a filing
/// (assignments, imports, webhook changes, revocations) bumps it after its commit, which empties all of them at once;
/// a filing does not, so the hot path stays cached. Changes made by another process (the CLI, a second instance on
/// PostgreSQL) are seen when an entry's lifetime (Operations:ReferenceCacheSeconds) runs out.
/// </summary>
internal sealed class CacheVersion
{
    private long _version;

    public long Current => Volatile.Read(ref _version);

    /// <summary>Called after a commit (never before: a load racing the change would cache the old rows under the new version).</summary>
    public void Bump() => Interlocked.Increment(ref _version);
}

