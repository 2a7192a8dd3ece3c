using System.Net;
using System.Net.Http.Json;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.CrashSafety;

/// <summary>
/// Many office clients review the same report at once with If-Match: every success is one version increment, the
/// others get 412, nothing is lost and nothing is a 500 (both providers, by the suite's provider switch).
/// </summary>
public class LostUpdateTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private static HttpRequestMessage Review(long id, string etag, int i) => new(HttpMethod.Post, $"/api/reports/{id}/review")
    {
        Content = JsonContent.Create(i % 2 == 0 ? (object)new { decision = "accept", comment = $"ok {i}" } : new { decision = "return", comment = $"fix {i}" }),
        Headers = { { "If-Match", etag } },
    };

    private async Task<long> NewReport()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        return (await (await PostJson(reporter, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(7))).ReadJson<ReportDto>()).Id;
    }

    [Fact]
    public async Task Concurrent_reviews_with_one_ETag_let_exactly_one_through()
    {
        var id = await NewReport();
        var office = await As(Role.Office);
        var etag = (await office.GetAsync($"/api/reports/{id}")).Headers.ETag!.Tag;
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => office.SendAsync(Review(id, etag, i))));
        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.All(codes, c => Assert.Contains(c, new[] { 200, 412 }));
        Assert.Equal(1, codes.Count(c => c == 200));
        var after = await (await office.GetAsync($"/api/reports/{id}")).ReadJson<ReportDto>();
        Assert.Equal($"\"r{id}-v2\"", after.ETag);
        foreach (var r in responses.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed)) await r.ReadProblem(412);
    }

    [Fact]
    public async Task Clients_racing_read_then_review_lose_no_update()
    {
        var id = await NewReport();
        var office = await As(Role.Office);
        var successes = 0;
        var others = new List<int>();
        async Task Client(int c)
        {
            for (var round = 0; round < 8; round++)
            {
                var etag = (await office.GetAsync($"/api/reports/{id}")).Headers.ETag!.Tag;
                var r = await office.SendAsync(Review(id, etag, c * 100 + round));
                if (r.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref successes);
                else lock (others) others.Add((int)r.StatusCode);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(() => Client(c))));
        // A review is final (README: review transitions): the first one wins; the others are stale (412) or too late (409).
        Assert.All(others, c => Assert.Contains(c, new[] { 409, 412 }));
        Assert.Equal(1, successes);
        var after = await (await office.GetAsync($"/api/reports/{id}")).ReadJson<ReportDto>();
        Assert.Equal($"\"r{id}-v{1 + successes}\"", after.ETag);
        // Every successful review left exactly one audit entry.
        var audits = await App.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            db.Audit, a => a.EntityType == "report" && a.EntityId == id.ToString() && a.Action == "report.reviewed"));
        Assert.Equal(successes, audits);
    }
}
