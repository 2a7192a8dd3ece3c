using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TaskTracker.Data;

namespace TaskTracker.Common;

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
