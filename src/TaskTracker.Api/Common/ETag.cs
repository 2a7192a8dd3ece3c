using System.Security.Cryptography;
using System.Text;

namespace TaskTracker.Common;

/// <summary>Where a cached read's data version comes from (the standing of a plan implements it).</summary>
internal interface IDataStamps
{
    /// <summary>Finds the plan (404 when unknown) and returns how to read the stamp of the data behind its reads now.</summary>
    Task<Func<CancellationToken, Task<string>>> ForPlanAsync(string planCode, bool withInstructions, CancellationToken ct);
}

/// <summary>Marks a cached read whose answer also depends on the plan's follow-up instructions (the oversight lists).</summary>
internal sealed record DependsOnInstructions;

/// <summary>
/// Answers 304 before any figure is computed when the data behind a dashboard has not changed, and otherwise serves
/// the serialised response from <see cref="DashboardResponseCache"/> when it was computed for the same tag. The tag is
/// derived from the database (reports, reviews, seed; for the review lists also instructions), so it is the same on
/// every instance, and a cached response is only found while the database still has the stamp it was computed under.
/// </summary>
internal sealed class DashboardETagFilter(IDataStamps stamps, DashboardResponseCache cache,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var planCode = http.Request.RouteValues["plan"] as string;
        if (planCode is null) return await next(ctx);
        var withInstructions = http.GetEndpoint()?.Metadata.GetMetadata<DependsOnInstructions>() is not null;
        var read = await stamps.ForPlanAsync(planCode, withInstructions, http.RequestAborted);
        Task<string> Stamp() => read(http.RequestAborted);
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
        var result = await next(ctx);
        http.Response.Headers.ETag = etag;
        if (!cache.Enabled) return result;
        var entry = DashboardResponseCache.Capture(result, json.Value.SerializerOptions);
        if (entry is null) return result;
        // Keep it only if nothing moved while the figures were computed: a filing committed meanwhile, or midnight
        // passing for a default asOf, would otherwise file newer figures under the older key.
        if ((!defaultAsOf || Today() == today) && await Stamp() == stamp)
            cache.Set(key, entry);
        return entry.ToResult();
    }

    private string Today() => ChinaTime.Today(clock).ToString("yyyy-MM-dd");
}
