using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace TaskTracker.Data;

/// <summary>
/// PostgreSQL retries transient failures, but only where a retry replays a whole unit: a statement or a SaveChanges
/// outside any transaction the code opened. Inside such a transaction a retry would replay half of it, so the error
/// goes up (and becomes a 503) and the client retries the whole request instead.
/// </summary>
internal sealed class SafeRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : Npgsql.EntityFrameworkCore.PostgreSQL.NpgsqlRetryingExecutionStrategy(dependencies, 3, TimeSpan.FromSeconds(2), null)
{
    public override Task<TResult> ExecuteAsync<TState, TResult>(TState state, Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
        Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded, CancellationToken cancellationToken = default)
    {
        var database = Dependencies.CurrentContext.Context.Database;
        if (database.CurrentTransaction is not null) return operation(Dependencies.CurrentContext.Context, state, cancellationToken);
        return base.ExecuteAsync(state, operation, verifySucceeded, cancellationToken);
    }

    public override TResult Execute<TState, TResult>(TState state, Func<DbContext, TState, TResult> operation,
        Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded)
    {
        var database = Dependencies.CurrentContext.Context.Database;
        if (database.CurrentTransaction is not null) return operation(Dependencies.CurrentContext.Context, state);
        return base.Execute(state, operation, verifySucceeded);
    }
}
