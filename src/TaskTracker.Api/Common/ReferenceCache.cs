using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace TaskTracker.Common;

/// <summary>
/// One version for every process-local cache of reference data a filing reads on each request but that rarely changes
/// (the token's principal, the measure's responsibility, the active webhooks). Every write that is not a filing
/// (assignments, imports, webhook changes, revocations) bumps it after its commit, which empties all of them at once;
/// a filing does not, so the hot path stays cached. Changes made by another process (the CLI, a second instance on
/// PostgreSQL) are seen when an entry's lifetime (<see cref="OperationsOptions.ReferenceCacheSeconds"/>) runs out.
/// </summary>
internal sealed class CacheVersion
{
    private long _version;

    public long Current => Volatile.Read(ref _version);

    /// <summary>Called after a commit (never before: a load racing the change would cache the old rows under the new version).</summary>
    public void Bump() => Interlocked.Increment(ref _version);
}

/// <summary>Entries that hold while <see cref="CacheVersion"/> is unchanged and for at most the configured lifetime.</summary>
internal sealed class ReferenceCache<TKey, TValue>(CacheVersion version, TimeProvider clock, IOptions<OperationsOptions> options)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long Version, long LoadedAt)> _entries = new();
    private readonly TimeSpan _lifetime = TimeSpan.FromSeconds(options.Value.ReferenceCacheSeconds);

    /// <summary>The cached value, or the loaded one (null results are not cached: unknown keys must not grow the cache).</summary>
    public async ValueTask<TValue?> GetOrLoadAsync(TKey key, Func<CancellationToken, Task<TValue?>> load, CancellationToken ct)
    {
        var v = version.Current;
        if (_lifetime > TimeSpan.Zero && _entries.TryGetValue(key, out var e) && e.Version == v && clock.GetElapsedTime(e.LoadedAt) < _lifetime)
            return e.Value;
        var startedAt = clock.GetTimestamp();
        var value = await load(ct);
        // Stored under the version read before loading, so a change committed meanwhile leaves it already stale.
        if (value is not null && _lifetime > TimeSpan.Zero) _entries[key] = (value, v, startedAt);
        return value;
    }

    public void Remove(TKey key) => _entries.TryRemove(key, out _);
}
