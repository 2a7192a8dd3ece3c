using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;

namespace TaskTracker.Common;

/// <summary>
/// Group commit for filings on SQLite (ADR 0009). SQLite has one writer and each durable commit costs an fsync, so one
/// writer takes every filing that is queued and commits them together: one transaction per batch, each filing inside its
/// own SAVEPOINT (one that fails is rolled back alone and gets its own error), and every filing of the batch learns its
/// outcome only after the one COMMIT is durable, so no 201 is sent for work that could still be lost.
/// </summary>
internal sealed class GroupCommitter(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, ILogger<GroupCommitter> logger)
    : BackgroundService
{
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>On for SQLite unless Database:GroupCommit is off; PostgreSQL keeps a transaction per request.</summary>
    public bool Enabled { get; } = options.Value.Provider == DatabaseProvider.Sqlite && options.Value.GroupCommit;

    /// <summary>
    /// Queues one filing and waits until the batch holding it is committed (or until it failed alone, or the batch failed).
    /// <paramref name="run"/> writes through the writer's context and saves; it must not commit.
    /// </summary>
    public Task<T> RunAsync<T>(int? planId, Func<TaskTrackerDb, Task<T>> run, CancellationToken ct)
    {
        var item = new Item<T>(planId, run, ct);
        if (!_queue.Writer.TryWrite(item)) throw new OperationCanceledException("The service is shutting down.");
        return item.Result.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var batch = new List<Item>();
        // Drains what is queued, then finishes: filings already accepted are committed, not dropped, at shutdown.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < options.Value.GroupCommitMaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            if (options.Value.GroupCommitDelayMilliseconds > 0 && batch.Count < options.Value.GroupCommitMaxBatch)
            {
                // Like PostgreSQL's commit_delay: wait a little for more filings to share the fsync.
                await Task.Delay(options.Value.GroupCommitDelayMilliseconds, CancellationToken.None);
                while (batch.Count < options.Value.GroupCommitMaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            }
            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Item> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TaskTrackerDb>();
        db.Database.AutoSavepointsEnabled = false; // each filing has its own savepoint below
        var done = new List<Item>(batch.Count);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken at once and held to the commit.
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            foreach (var item in batch)
            {
                if (item.Cancelled)
                {
                    item.Fail(new OperationCanceledException(item.Token));
                    continue;
                }
                await tx.CreateSavepointAsync("filing");
                try
                {
                    await item.RunAsync(db);
                    await tx.ReleaseSavepointAsync("filing");
                    done.Add(item);
                }
                catch (Exception e)
                {
                    // Only this filing's rows go; the ones before it in the batch stay. If the savepoint cannot be
                    // rolled back (the connection is broken) the batch fails as a whole below.
                    await tx.RollbackToSavepointAsync("filing");
                    await tx.ReleaseSavepointAsync("filing");
                    item.Fail(e);
                }
                finally
                {
                    db.ChangeTracker.Clear();
                }
            }
            // One bump of each plan's revision for the whole batch: readers need a new data version, not a count.
            foreach (var planId in done.Select(i => i.PlanId).OfType<int>().Distinct())
                await db.Plans.Where(p => p.Id == planId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Revision, p => p.Revision + 1));
            if (done.Count > 0) await tx.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // Nothing of the batch is committed (or, for an error in COMMIT itself, its outcome is unknown): none gets a 201.
            logger.LogError(e, "Group commit of {Count} filings failed", batch.Count);
            foreach (var item in batch) item.Abort(e);
            return;
        }
        foreach (var item in batch) item.Finish();
    }

    private abstract class Item(int? planId, CancellationToken token)
    {
        public int? PlanId { get; } = planId;
        public CancellationToken Token { get; } = token;
        public bool Cancelled => Token.IsCancellationRequested;
        public abstract Task RunAsync(TaskTrackerDb db);
        /// <summary>Records this filing's own failure; it is answered with the others after the commit (a replay may
        /// name a filing of this same batch, which must be durable first).</summary>
        public abstract void Fail(Exception e);
        /// <summary>After the commit: the result, or this filing's own error.</summary>
        public abstract void Finish();
        /// <summary>The batch failed: nothing of it is committed.</summary>
        public abstract void Abort(Exception e);
    }

    private sealed class Item<T>(int? planId, Func<TaskTrackerDb, Task<T>> run, CancellationToken token) : Item(planId, token)
    {
        private T? _value;
        private Exception? _error;

        // Continuations run on the thread pool, not on the writer: the next batch does not wait for responses to be written.
        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(TaskTrackerDb db) => _value = await run(db);

        public override void Fail(Exception e) => _error = e;

        public override void Finish()
        {
            if (_error is null) Result.TrySetResult(_value!);
            else Result.TrySetException(_error);
        }

        public override void Abort(Exception e) => Result.TrySetException(e);
    }
}
