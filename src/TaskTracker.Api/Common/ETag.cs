using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Common;

/// <summary>
/// A plan's data version: its id, <see cref="Plan.Revision"/> (bumped by <see cref="WriteStep"/> and the seed loader in
/// the same transaction as every change behind a figure) and its seed hash. One indexed row, whatever the plan's
/// history; read from the database on every request, so every instance sees every other instance's changes.
/// </summary>
internal static class PlanVersions
{
    internal sealed record Version(int PlanId, long Revision, string? SeedHash)
    {
        public override string ToString() => $"p{PlanId}:r{Revision}:{SeedHash}";
    }

    // Compiled once per model: the stamp is read on every cached request, so skip EF's query-cache lookup. A compiled
    // query only runs against the model it was compiled for; one process can hold two (the benchmark's SQLite host and
    // its PostgreSQL hosts).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel,
        Func<TaskTrackerDb, string, CancellationToken, Task<Version?>>> ByCode = [];

    private static Func<TaskTrackerDb, string, CancellationToken, Task<Version?>> Compile() =>
        EF.CompileAsyncQuery((TaskTrackerDb db, string code, CancellationToken ct) =>
            db.Plans.AsNoTracking().Where(p => p.Code == code).Select(p => new Version(p.Id, p.Revision, p.SeedHash)).FirstOrDefault());

    public static async Task<Version> ReadAsync(TaskTrackerDb db, string planCode, CancellationToken ct) =>
        await ByCode.GetValue(db.Model, _ => Compile())(db, planCode, ct) ?? throw new NotFoundException("Plan", planCode);
}

/// <summary>Marks a cached read whose answer also depends on the plan's follow-up instructions (the oversight lists).</summary>
internal sealed record DependsOnInstructions;

/// <summary>
/// Answers 304 before any figure is computed when the data behind a dashboard has not changed, and otherwise serves
/// the serialised response from <see cref="DashboardResponseCache"/> when it was computed for the same tag. The tag is
/// derived from the plan's version in the database (<see cref="PlanVersions"/>: one row, bumped by every report,
/// review, instruction and seed change), so it is the same on every instance, and a cached response is only found
/// while the database still has the version it was computed under. Nothing else is read before a 304 or a hit.
/// </summary>
internal sealed class DashboardETagFilter(TaskTrackerDb db, DashboardResponseCache cache,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var planCode = http.Request.RouteValues["plan"] as string;
        if (planCode is null) return await next(ctx);
        // Instructions bump the same revision, so the review lists (DependsOnInstructions) share the stamp.
        async Task<string> Stamp() => (await PlanVersions.ReadAsync(db, planCode, http.RequestAborted)).ToString();
        var stamp = await Stamp();
        // No asOf means today: the answer can change at midnight without any new report.
        var defaultAsOf = !http.Request.Query.ContainsKey("asOf");
        var today = defaultAsOf ? Today() : "";
        var key = $"{stamp}|{http.Request.Path}|{http.Request.QueryString}|{today}";
        var etag = $"\"d{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}\"";
        http.Response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == etag || v.Split(',').Any(x => x.Trim() == etag || x.Trim() == "*"))))
        {
            http.Response.Headers.ETag = etag;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        if (cache.TryGet(key, out var hit))
        {
            http.Response.Headers.ETag = etag;
            return hit.ToResult();
        }
        if (!cache.Enabled)
        {
            var uncached = await next(ctx);
            http.Response.Headers.ETag = etag;
            return uncached;
        }
        // One computation per key at a time: when a write moves the version, the clients that ask at once wait for
        // the first one's figures instead of each loading the plan's history again.
        var mine = new TaskCompletionSource<DashboardResponseCache.Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = cache.Join(key, mine.Task);
        if (flight != mine.Task)
        {
            if (await flight.WaitAsync(http.RequestAborted) is { } shared)
            {
                http.Response.Headers.ETag = etag;
                return shared.ToResult();
            }
            // The first one failed or gave an answer that is not kept (an error): find our own.
            var own = await next(ctx);
            http.Response.Headers.ETag = etag;
            return own;
        }
        DashboardResponseCache.Entry? entry = null;
        try
        {
            cache.CountComputation();
            var result = await next(ctx);
            http.Response.Headers.ETag = etag;
            entry = DashboardResponseCache.Capture(result, json.Value.SerializerOptions);
            if (entry is null) return result;
            // Keep it only if nothing moved while the figures were computed: a filing committed meanwhile, or midnight
            // passing for a default asOf, would otherwise file newer figures under the older key.
            if ((!defaultAsOf || Today() == today) && await Stamp() == stamp)
                cache.Set(key, entry);
            return entry.ToResult();
        }
        finally
        {
            cache.Leave(key, mine.Task);
            mine.TrySetResult(entry);
        }
    }

    private string Today() => ChinaTime.Today(clock).ToString("yyyy-MM-dd");
}
