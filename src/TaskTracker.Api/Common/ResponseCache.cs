using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace TaskTracker.Common;

internal sealed class DashboardOptions
{
    public const string Section = "Dashboards";

    /// <summary>Memory for serialised dashboard responses (JSON, CSV, XLSX), in MiB; 0 turns the cache off.</summary>
    [Range(0, 4096)] public int CacheSizeMb { get; set; } = 32;
}

/// <summary>
/// Serialised dashboard responses, keyed by the same text the ETag is hashed from: the plan's version (id, revision,
/// seed hash; see <see cref="PlanVersions"/>), the path (plan, agency, format), the query string and,
/// when asOf is left out, today's date. The version is read from the database on every request, so an entry is only
/// found while the data behind it is unchanged, whichever instance changed it. Bounded by size; superseded entries
/// are never asked for again and leave by expiry or compaction.
/// </summary>
internal sealed class DashboardResponseCache : IDisposable
{
    public sealed record Entry(byte[] Body, string ContentType, string? FileName)
    {
        public IResult ToResult() => TypedResults.File(Body, ContentType, FileName);
    }

    private readonly MemoryCache? _cache;

    public DashboardResponseCache(IOptions<DashboardOptions> options)
    {
        var mb = options.Value.CacheSizeMb;
        if (mb > 0)
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = mb * 1024L * 1024L, CompactionPercentage = 0.25 });
    }

    public bool Enabled => _cache is not null;

    /// <summary>Entries held now (for tests and diagnostics).</summary>
    public int Count => _cache?.Count ?? 0;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<Entry?>> _inFlight = new();
    private long _computations;

    /// <summary>Cached reads computed (not served from an entry) since start (for tests and diagnostics).</summary>
    public long Computations => Interlocked.Read(ref _computations);

    internal void CountComputation() => Interlocked.Increment(ref _computations);

    /// <summary>The computation already running for this key, or <paramref name="mine"/> when none is (the caller computes).</summary>
    internal Task<Entry?> Join(string key, Task<Entry?> mine) => _inFlight.GetOrAdd(key, mine);

    internal void Leave(string key, Task<Entry?> mine) => _inFlight.TryRemove(new KeyValuePair<string, Task<Entry?>>(key, mine));

    public bool TryGet(string key, out Entry entry)
    {
        entry = null!;
        return _cache is not null && _cache.TryGetValue(key, out entry!);
    }

    public void Set(string key, Entry entry)
    {
        if (_cache is null) return;
        // Bytes of the body plus the key and a rough allowance for the objects around them.
        var size = entry.Body.Length + key.Length * 2L + 512;
        _cache.Set(key, entry, new MemoryCacheEntryOptions { Size = size, SlidingExpiration = TimeSpan.FromMinutes(10) });
    }

    /// <summary>The bytes a dashboard endpoint's result would write, or null for results that are not cached.</summary>
    public static Entry? Capture(object? result, JsonSerializerOptions json) => result switch
    {
        // Ok<T> for the dashboards and slippage list, and Results.Ok(list) for the review lists: JSON of the value.
        IValueHttpResult { Value: { } v } and IStatusCodeHttpResult { StatusCode: 200 }
            => new Entry(JsonSerializer.SerializeToUtf8Bytes(v, v.GetType(), json), "application/json; charset=utf-8", null),
        FileContentHttpResult { EntityTag: null, LastModified: null, EnableRangeProcessing: false } f =>
            new Entry(f.FileContents.ToArray(), f.ContentType, f.FileDownloadName),
        _ => null,
    };

    public void Dispose() => _cache?.Dispose();
}
