using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Dashboards;

/// <summary>
/// The cached reads' data version is the plan's one-row <see cref="Plan.Revision"/>, not a scan of its reports. That is
/// only safe if every writer of something a figure or a review list shows bumps it: one test per writer (filing, bulk
/// filing, review, instruction issued / replied / decided, seed reload) that the revision moves and the ETag of the
/// dashboard and of the overdue list changes, plus one that shows the stamp reads no report (a row written behind the
/// write step's back is not seen, which is why every writer must go through the write step).
/// </summary>
public class PlanRevisionTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Dashboard = "/api/plans/guizhou-2025/dashboard";
    private const string Overdue = "/api/plans/guizhou-2025/overdue?asOf=2025-08-15";

    private Task<long> Revision(string plan = "guizhou-2025") =>
        App.WithDb(db => db.Plans.Where(p => p.Code == plan).Select(p => p.Revision).SingleAsync());

    private static async Task<string> ETagOf(HttpClient client, string url)
    {
        var r = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return r.Headers.ETag!.Tag;
    }

    private async Task<(long Revision, string Dashboard, string Overdue)> Version()
    {
        var client = App.CreateClient();
        return (await Revision(), await ETagOf(client, Dashboard), await ETagOf(client, Overdue));
    }

    /// <summary>Runs one write and checks it moved the revision by one and changed both ETags (and that a 304 is no longer given).</summary>
    private async Task AssertMoves(Func<Task> write)
    {
        var before = await Version();
        var client = App.CreateClient();
        var conditional = new HttpRequestMessage(HttpMethod.Get, Dashboard) { Headers = { { "If-None-Match", before.Dashboard } } };
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);
        await write();
        var after = await Version();
        Assert.Equal(before.Revision + 1, after.Revision);
        Assert.NotEqual(before.Dashboard, after.Dashboard);
        Assert.NotEqual(before.Overdue, after.Overdue);
        conditional = new HttpRequestMessage(HttpMethod.Get, Dashboard) { Headers = { { "If-None-Match", before.Dashboard } } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task A_filing_moves_the_revision_and_the_etags() => await AssertMoves(async () =>
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1300))).StatusCode);
    });

    [Fact]
    public async Task A_bulk_filing_moves_the_revision_once_and_the_etags() => await AssertMoves(async () =>
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("measure,value,asOf\nT02-1,151,2025-06-30\nT02-1,152,2025-06-30\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        Assert.Equal(HttpStatusCode.Created, (await reporter.PostAsync("/api/plans/guizhou-2025/reports/bulk", content)).StatusCode);
    });

    [Fact]
    public async Task A_review_moves_the_revision_and_the_etags()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var report = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1350))).ReadJson<ReportDto>();
        await AssertMoves(async () =>
        {
            var office = await As(Role.Office);
            var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
            { Content = JsonContent.Create(new { decision = "return", comment = "请附证明" }), Headers = { { "If-Match", report.ETag } } };
            Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(review)).StatusCode);
        });
    }

    [Fact]
    public async Task Issuing_replying_to_and_deciding_an_instruction_each_move_the_revision_and_the_etags()
    {
        var office = await As(Role.Office);
        var bureau = await As(Role.Reporter, "bigdata-bureau");
        var id = 0;
        await AssertMoves(async () =>
        {
            var issued = await office.PostAsJsonAsync("/api/plans/guizhou-2025/instructions",
                new { taskNumber = 1, agency = "bigdata-bureau", text = "请报送进展", replyBy = "2025-07-10" });
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            id = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
        });
        await AssertMoves(async () =>
            Assert.Equal(HttpStatusCode.OK, (await bureau.PostAsJsonAsync($"/api/instructions/{id}/replies", new { text = "已报送" })).StatusCode));
        await AssertMoves(async () =>
            Assert.Equal(HttpStatusCode.OK, (await office.PostAsJsonAsync($"/api/instructions/{id}/decisions", new { action = "close", comment = "办结" })).StatusCode));
    }

    [Fact]
    public async Task A_refused_write_moves_nothing()
    {
        var before = await Version();
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var refused = await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(-5));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(before, await Version());
    }

    [Fact]
    public async Task The_stamp_reads_the_revision_not_the_reports()
    {
        var before = await Version();
        // A row written behind the write step's back (no revision bump) is not seen by the stamp: the version is the
        // one row, whatever the size of the plan's history. Every writer therefore goes through the write step.
        await App.WithDb(async db =>
        {
            var target = await db.Targets.SingleAsync(t => t.Code == "T05-1" && t.Plan.Code == "guizhou-2025");
            var agency = await db.Agencies.SingleAsync(a => a.Code == "bigdata-bureau");
            db.Add(new ProgressReport { PlanId = target.PlanId, MeasureId = target.Id, AgencyId = agency.Id, Value = 1, AsOf = new DateOnly(2025, 6, 30), FiledAtUtc = new DateTime(2025, 7, 1, 0, 0, 0, DateTimeKind.Utc) });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(before, await Version());
        // ... and a bump alone (as the write step does in the same transaction) is what moves the tag.
        await App.WithDb(db => db.Plans.Where(p => p.Code == "guizhou-2025").ExecuteUpdateAsync(u => u.SetProperty(p => p.Revision, p => p.Revision + 1)));
        var after = await Version();
        Assert.NotEqual(before.Dashboard, after.Dashboard);
        Assert.NotEqual(before.Overdue, after.Overdue);
    }

    [Fact]
    public async Task Clients_asking_at_once_after_a_change_share_one_computation()
    {
        var cache = App.Service<DashboardResponseCache>();
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1310))).StatusCode);
        var before = cache.Computations;
        var client = App.CreateClient();
        // Whether they overlap or not, one computes and the rest wait for it or find its entry.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var r = await client.GetAsync(Dashboard + "?asOf=2025-06-29");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return (Body: await r.Content.ReadAsByteArrayAsync(), ETag: r.Headers.ETag!.Tag);
        }));
        Assert.Equal(before + 1, cache.Computations);
        Assert.Single(answers.Select(a => a.ETag).Distinct());
        Assert.All(answers, a => Assert.Equal(answers[0].Body, a.Body));
    }

    [Fact]
    public async Task A_seed_reload_moves_every_plans_revision_and_etag()
    {
        await using var own = new TaskTrackerApp();
        await own.InitializeAsync();
        var client = own.CreateClient();
        async Task<(long, long, string, string)> Of() => (
            await own.WithDb(db => db.Plans.Where(p => p.Code == "demo-2026").Select(p => p.Revision).SingleAsync()),
            await own.WithDb(db => db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Revision).SingleAsync()),
            await ETagOf(client, "/api/plans/demo-2026/dashboard?asOf=2026-03-31"),
            await ETagOf(client, Dashboard));
        var before = await Of();
        var tasks = Path.Combine(own.SeedRoot, "demo-2026", "tasks.json");
        File.WriteAllText(tasks, File.ReadAllText(tasks).Replace("\"titleEn\": \"Open data\"", "\"titleEn\": \"Open public data\""));
        using (var scope = own.Services.CreateScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAllAsync(own.SeedRoot, default));
        var after = await Of();
        Assert.Equal(before.Item1 + 1, after.Item1);
        // Agencies are shared by every plan, so the other plan's version moves too.
        Assert.Equal(before.Item2 + 1, after.Item2);
        Assert.NotEqual(before.Item3, after.Item3);
        Assert.NotEqual(before.Item4, after.Item4);
    }
}
