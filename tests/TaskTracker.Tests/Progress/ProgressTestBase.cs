using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

/// <summary>Shared helpers: measure ids by code, tokens per role, and database counts to prove nothing was written.</summary>
public abstract class ProgressTestBase(TaskTrackerApp app)
{
    protected TaskTrackerApp App { get; } = app;

    protected Task<int> MeasureId(string code, string plan = "guizhou-2025") =>
        App.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == plan).Select(m => m.Id).SingleAsync());

    protected Task<(int Reports, int Audit)> Counts() =>
        App.WithDb(async db => (await db.Reports.CountAsync(), await db.Audit.CountAsync(a => a.EntityType == "report")));

    private protected async Task<HttpClient> As(Role role, string? agency = null) => App.ClientWith(await App.TokenAsync(role, agency));

    protected static object TargetBody(decimal value, string asOf = "2025-06-30", string? narrative = "按计划推进", string[]? evidence = null) =>
        new { value, asOf, narrative, evidence = evidence ?? ["https://dsj.guizhou.gov.cn/report/1"] };

    protected static Task<HttpResponseMessage> PostJson(HttpClient http, string url, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    protected static Task<HttpResponseMessage> PostRaw(HttpClient http, string url, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }
}
