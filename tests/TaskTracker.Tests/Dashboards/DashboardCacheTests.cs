using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskTracker.Domain;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Dashboards;

/// <summary>
/// The serialised-response cache: a repeated request with unchanged data gets the same bytes without a new entry, and
/// everything that changes the figures (a filing, a review, the day for a default asOf) changes what is served.
/// Own app (own database and clock), since it moves the clock.
/// </summary>
public class DashboardCacheTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Dashboard = "/api/plans/guizhou-2025/dashboard";

    private sealed record Fetched(byte[] Body, string ETag, PlanDashboard Dashboard);

    private async Task<Fetched> Fetch(HttpClient client, string url = Dashboard)
    {
        var r = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadAsByteArrayAsync();
        return new Fetched(body, r.Headers.ETag!.Tag, JsonSerializer.Deserialize<PlanDashboard>(body, TaskTrackerApp.Json)!);
    }

    private static MeasureFigure Measure(PlanDashboard d, string code) =>
        d.Headline.Concat(d.Tasks.SelectMany(t => t.Measures)).First(m => m.Code == code);

    [Fact]
    public async Task Repeats_come_from_the_cache_until_a_filing_a_review_or_the_next_day()
    {
        var cache = App.Service<DashboardResponseCache>();
        var client = App.CreateClient();
        var first = await Fetch(client);
        var entries = cache.Count;
        Assert.True(entries >= 1);
        var again = await Fetch(client);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.ETag, again.ETag);
        Assert.Equal(entries, cache.Count); // served from the entry, not computed and stored again

        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var report = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1400))).ReadJson<ReportDto>();
        var filed = await Fetch(client);
        Assert.NotEqual(first.ETag, filed.ETag);
        Assert.Equal(1400m, Measure(filed.Dashboard, "T05-1").LatestValue);
        Assert.Equal(filed.Body, (await Fetch(client)).Body);

        var office = await As(Role.Office);
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
        { Content = JsonContent.Create(new { decision = "return", comment = "请附证明" }), Headers = { { "If-Match", report.ETag } } };
        Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(review)).StatusCode);
        var returned = await Fetch(client);
        Assert.NotEqual(filed.ETag, returned.ETag);
        Assert.Null(Measure(returned.Dashboard, "T05-1").Completion);
        Assert.Equal(MeasureStatus.NoData, Measure(returned.Dashboard, "T05-1").Status);

        Assert.Equal(new DateOnly(2025, 7, 1), returned.Dashboard.AsOf);
        App.Clock.Advance(TimeSpan.FromDays(1));
        var tomorrow = await Fetch(client);
        Assert.NotEqual(returned.ETag, tomorrow.ETag);
        Assert.Equal(new DateOnly(2025, 7, 2), tomorrow.Dashboard.AsOf);
    }

    [Fact]
    public async Task Oversight_lists_are_cached_until_an_instruction_is_issued_or_answered()
    {
        const string overdue = "/api/plans/guizhou-2025/overdue?asOf=2025-08-15";
        var cache = App.Service<DashboardResponseCache>();
        var client = App.CreateClient();
        async Task<(byte[] Body, string ETag, JsonElement Json)> Get(string url)
        {
            var r = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var body = await r.Content.ReadAsByteArrayAsync();
            return (body, r.Headers.ETag!.Tag, r.Content.Headers.ContentType?.MediaType == "application/json" ? JsonDocument.Parse(body).RootElement : default);
        }
        bool Lists(JsonElement list, int instructionId) => list.GetProperty("items").EnumerateArray()
            .Any(x => x.GetProperty("kind").GetString() == "instruction" && x.GetProperty("instructionId").GetInt32() == instructionId);

        var before = cache.Count;
        var first = await Get(overdue);
        var entries = cache.Count;
        Assert.Equal(before + 1, entries); // computed once and kept
        var again = await Get(overdue);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.ETag, again.ETag);
        Assert.Equal(entries, cache.Count);
        var conditional = new HttpRequestMessage(HttpMethod.Get, overdue) { Headers = { { "If-None-Match", first.ETag } } };
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);

        // No report changes here: only the instruction part of the stamp can tell the lists apart.
        var office = await As(Role.Office);
        var issued = await office.PostAsJsonAsync("/api/plans/guizhou-2025/instructions",
            new { taskNumber = 1, agency = "bigdata-bureau", text = "请报送华为云生态伙伴进展", replyBy = "2025-07-10" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var instructionId = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
        var afterIssue = await Get(overdue);
        Assert.NotEqual(first.ETag, afterIssue.ETag);
        Assert.False(Lists(first.Json, instructionId));
        Assert.True(Lists(afterIssue.Json, instructionId), "the unanswered instruction is overdue on 2025-08-15");
        var beforeCsv = cache.Count;
        var csv = await Get(overdue + "&format=csv");
        Assert.Equal(beforeCsv + 1, cache.Count);
        Assert.Equal(csv.Body, (await Get(overdue + "&format=csv")).Body);

        var bureau = await As(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.OK, (await bureau.PostAsJsonAsync($"/api/instructions/{instructionId}/replies", new { text = "已报送" })).StatusCode);
        var afterReply = await Get(overdue);
        Assert.NotEqual(afterIssue.ETag, afterReply.ETag);
        Assert.False(Lists(afterReply.Json, instructionId), "a replied instruction is no longer overdue");
        Assert.NotEqual(csv.Body, (await Get(overdue + "&format=csv")).Body);

        var kept = cache.Count;
        var slippage = await Get("/api/plans/guizhou-2025/oversight/agencies?asOf=2025-08-15");
        Assert.Equal(kept + 1, cache.Count);
        Assert.Equal(slippage.Body, (await Get("/api/plans/guizhou-2025/oversight/agencies?asOf=2025-08-15")).Body);
        Assert.Equal(kept + 1, cache.Count);
    }

    [Fact]
    public async Task Cached_exports_and_agency_dashboards_keep_their_bytes_type_and_file_name()
    {
        var client = App.CreateClient();
        foreach (var url in new[]
                 {
                     "/api/plans/guizhou-2025/dashboard.csv?asOf=2025-06-30&table=measures",
                     "/api/plans/guizhou-2025/dashboard.xlsx?asOf=2025-06-30",
                     "/api/plans/guizhou-2025/agencies/comms-admin/dashboard?asOf=2025-06-30",
                 })
        {
            var one = await client.GetAsync(url);
            var two = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(HttpStatusCode.OK, two.StatusCode);
            Assert.Equal(await one.Content.ReadAsByteArrayAsync(), await two.Content.ReadAsByteArrayAsync());
            Assert.Equal(one.Content.Headers.ContentType, two.Content.Headers.ContentType);
            Assert.Equal(one.Content.Headers.ContentDisposition?.FileNameStar, two.Content.Headers.ContentDisposition?.FileNameStar);
            Assert.Equal(one.Headers.ETag, two.Headers.ETag);
        }
        var agency = await (await client.GetAsync("/api/plans/guizhou-2025/agencies/comms-admin/dashboard?asOf=2025-06-30")).ReadJson<AgencyDashboard>();
        Assert.Equal([10, 11], agency.Leads.Tasks.Select(t => t.Number));
        var csv = await client.GetAsync("/api/plans/guizhou-2025/dashboard.csv?asOf=2025-06-30&table=measures");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal("guizhou-2025-measures-2025-06-30.csv", csv.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        // A bad table is refused, cached or not.
        await (await client.GetAsync("/api/plans/guizhou-2025/dashboard.csv?asOf=2025-06-30&table=nope")).ReadProblem(400);
    }

    [Fact]
    public async Task With_the_cache_off_nothing_is_kept_and_answers_stay_right()
    {
        await using var off = new TaskTrackerApp();
        off.Settings["Dashboards:CacheSizeMb"] = "0";
        var client = off.CreateClient();
        var one = await client.GetAsync(Dashboard + "?asOf=2025-06-30");
        var two = await client.GetAsync(Dashboard + "?asOf=2025-06-30");
        Assert.Equal(await one.Content.ReadAsByteArrayAsync(), await two.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json", one.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, off.Service<DashboardResponseCache>().Count);
        Assert.NotNull((await one.ReadJson<PlanDashboard>()).Tasks);
    }

    [Fact]
    public async Task An_out_of_range_cache_size_stops_the_service_at_start()
    {
        await using var bad = new TaskTrackerApp();
        bad.Settings["Dashboards:CacheSizeMb"] = "-1";
        var e = Assert.ThrowsAny<Exception>(() => bad.Server);
        Assert.Contains("CacheSizeMb", e.ToString());
    }
}
