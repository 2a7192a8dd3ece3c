using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

/// <summary>
/// A filing reads its token, the measure's responsibility and the active webhooks from per-process caches (issue 16);
/// each change to them through the service applies to the very next filing, with no waiting for the cache to expire.
/// </summary>
public class FilingCacheTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task A_revoked_token_is_refused_at_the_next_filing_though_its_principal_was_cached()
    {
        var token = await App.TokenAsync(Role.Reporter, "bigdata-bureau");
        var http = App.ClientWith(token);
        var url = $"/api/targets/{await MeasureId("T03-1")}/reports";
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, url, TargetBody(1))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, url, TargetBody(2))).StatusCode); // served from the cache

        var id = await App.WithDb(db => db.Tokens.Where(t => t.Hash == Features.Access.TokenService.Hash(token)).Select(t => t.Id).SingleAsync());
        var admin = await As(Role.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/tokens/{id}")).StatusCode);

        var refused = await PostJson(http, url, TargetBody(3));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, await App.WithDb(db => db.Reports.CountAsync(r => r.Value == 3 && r.TokenId == id)));
    }

    [Fact]
    public async Task An_assignment_lets_the_agency_file_at_once_and_the_response_is_what_a_read_returns()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var t = await MeasureId("T14-1");
        await (await PostJson(reporter, $"/api/targets/{t}/reports", TargetBody(10))).ReadProblem(403); // cached: not responsible
        var office = await As(Role.Office);
        Assert.Equal(HttpStatusCode.Created, (await PostJson(office, "/api/plans/guizhou-2025/measures/T14-1/assignments",
            new { agency = "bigdata-bureau", role = "lead", reason = "省大数据局牵头" })).StatusCode);

        var filed = await PostJson(reporter, $"/api/targets/{t}/reports", TargetBody(11.5m, narrative: "分配后首报"), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        // The 201 body is built from what was written; it must equal what the service reads back.
        var written = await filed.Content.ReadAsStringAsync();
        var created = JsonSerializer.Deserialize<JsonElement>(written);
        var read = await (await reporter.GetAsync($"/api/reports/{created.GetProperty("id").GetInt64()}")).Content.ReadAsStringAsync();
        Assert.Equal(Normalise(read), Normalise(written));
    }

    [Fact]
    public async Task A_new_webhook_gets_the_next_filing_and_a_deactivated_one_does_not()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var url = $"/api/targets/{await MeasureId("T06-1")}/reports";
        Assert.Equal(HttpStatusCode.Created, (await PostJson(reporter, url, TargetBody(5))).StatusCode); // caches the (empty) list
        var office = await As(Role.Office);
        var hook = JsonSerializer.Deserialize<JsonElement>(await (await PostJson(office, "/api/webhooks",
            new { url = "https://hooks.example.gov.cn/cache", eventTypes = new[] { "report.filed" } })).Content.ReadAsStringAsync());
        var hookId = hook.GetProperty("id").GetInt32();

        var first = await (await PostJson(reporter, url, TargetBody(6))).ReadJson<ReportDto>();
        Assert.Equal(1, await DeliveriesFor(hookId, first.Id));

        Assert.Equal(HttpStatusCode.OK, (await office.DeleteAsync($"/api/webhooks/{hookId}")).StatusCode);
        var second = await (await PostJson(reporter, url, TargetBody(7))).ReadJson<ReportDto>();
        Assert.Equal(0, await DeliveriesFor(hookId, second.Id));
    }

    private Task<int> DeliveriesFor(int hookId, long reportId) => App.WithDb(async db =>
        (await db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == hookId).Select(d => d.Event.Payload).ToListAsync())
        .Count(p => JsonDocument.Parse(p).RootElement.GetProperty("data").GetProperty("id").GetInt64() == reportId));

    // Property order and number formatting aside, the same document.
    private static string Normalise(string json) => JsonSerializer.Serialize(JsonSerializer.Deserialize<SortedDictionary<string, JsonElement>>(json)!
        .ToDictionary(kv => kv.Key, kv => kv.Value.ValueKind == JsonValueKind.Number ? kv.Value.GetDecimal().ToString("G29") : kv.Value.ToString()));
}
