using System.Net;
using System.Net.Http.Json;
using System.Text;
using MiniExcelLibs;
using TaskTracker.Domain;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Dashboards;

public class DashboardApiTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Dashboard = "/api/plans/guizhou-2025/dashboard";

    private async Task<PlanDashboard> Get(string query = "?asOf=2025-06-30") =>
        await (await App.CreateClient().GetAsync(Dashboard + query)).ReadJson<PlanDashboard>();

    private static MeasureFigure Measure(PlanDashboard d, string code) =>
        d.Headline.Concat(d.Tasks.SelectMany(t => t.Measures)).First(m => m.Code == code);

    [Fact]
    public async Task Completion_runs_from_the_2024_baseline()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        await PostJson(http, $"/api/targets/{await MeasureId("H2")}/reports", TargetBody(100));
        var compute = Measure(await Get(), "H2");
        Assert.Equal(100m, compute.LatestValue);
        Assert.Equal(0.4737, compute.Completion!.Value, 4); // (100 − 55) / (150 − 55), not 100 / 150
        Assert.Equal(55m, compute.Baseline);
        Assert.Equal(8, compute.TaskNumber);
        Assert.Contains((await Get()).Tasks.Single(t => t.Number == 8).Measures, m => m.Code == "H2");
    }

    [Fact]
    public async Task Corrections_and_returned_reports_change_what_counts()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var first = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1400))).ReadJson<ReportDto>();
        Assert.Equal(0.875, Measure(await Get(), "T05-1").Completion!.Value, 4); // 1400 / 1600: 1355 is a reference, not a baseline
        var second = await (await PostJson(reporter, $"/api/reports/{first.Id}/corrections", new { value = 1500, asOf = "2025-06-30", reason = "更正" })).ReadJson<ReportDto>();
        Assert.Equal(0.9375, Measure(await Get(), "T05-1").Completion!.Value, 4);

        var office = await As(Role.Office);
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{second.Id}/review")
        { Content = JsonContent.Create(new { decision = "return", comment = "请附证明" }), Headers = { { "If-Match", second.ETag } } };
        Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(review)).StatusCode);
        // Returning the correction gives the word back to the report it superseded (issue 12).
        var returned = Measure(await Get(), "T05-1");
        Assert.Equal(0.875, returned.Completion!.Value, 4);
        Assert.Equal(first.Id, returned.LatestReportId);
    }

    [Fact]
    public async Task As_of_before_a_report_and_known_at_before_its_filing_do_not_see_it()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        await PostJson(http, $"/api/targets/{await MeasureId("T06-1")}/reports", TargetBody(250, asOf: "2025-06-15"));
        Assert.Equal(0.5, Measure(await Get("?asOf=2025-06-20"), "T06-1").Completion!.Value, 4);
        Assert.Null(Measure(await Get("?asOf=2025-06-10"), "T06-1").Completion);
        // Filed on 2025-07-01 (the test clock): a view as known at the end of 2025-06-30 does not have it yet.
        Assert.Null(Measure(await Get("?asOf=2025-06-20&knownAt=2025-06-30"), "T06-1").Completion);
        Assert.NotNull(Measure(await Get("?asOf=2025-06-20&knownAt=2025-07-01"), "T06-1").Completion);
    }

    [Fact]
    public async Task Roll_ups_cover_every_task_and_section()
    {
        var d = await Get();
        Assert.Equal(36, d.Tasks.Count);
        Assert.Equal(Enumerable.Range(1, 36), d.Tasks.Select(t => t.Number));
        Assert.Equal(5, d.Sections.Count);
        Assert.Equal([8, 9, 10, 11, 12], d.Sections[1].TaskNumbers);
        var tc = d.TaskCounts;
        Assert.Equal(36, tc.Done + tc.OnTrack + tc.AtRisk + tc.OffTrack + tc.Overdue + tc.NoData);
        Assert.Equal(7, d.Headline.Count);
        Assert.InRange(d.Tasks[0].Expected!.Value, 0.49, 0.50); // linear over 2025: 180 of 364 days
        // The plan figure includes the headline targets no task carries as one group (H1's rate is expected all year).
        Assert.Equal(["H1", "H3", "H7"], d.HeadlineGroup!.Codes);
        Assert.Equal(d.Tasks.Select(t => t.Expected!.Value).Append(d.HeadlineGroup.Expected!.Value).Average(), d.Expected!.Value, 3);
        Assert.All(d.Tasks, t => Assert.NotEmpty(t.Measures));
        // After the plan's end nothing unfinished can be on track.
        var late = await Get("?asOf=2026-01-15");
        Assert.DoesNotContain(late.Tasks, t => t.Status is MeasureStatus.OnTrack or MeasureStatus.NoData);
        Assert.NotEmpty(late.Overdue);
        Assert.All(late.Overdue, m => Assert.Equal(MeasureStatus.Overdue, m.Status));
    }

    [Fact]
    public async Task Agency_dashboard_separates_led_and_cooperating_tasks()
    {
        var d = await (await App.CreateClient().GetAsync("/api/plans/guizhou-2025/agencies/comms-admin/dashboard?asOf=2025-06-30")).ReadJson<AgencyDashboard>();
        Assert.Equal("comms-admin", d.Agency.Code);
        Assert.Equal([10, 11], d.Leads.Tasks.Select(t => t.Number));
        Assert.Equal([35], d.CooperatesOn.Tasks.Select(t => t.Number));
        await (await App.CreateClient().GetAsync("/api/plans/guizhou-2025/agencies/nobody/dashboard")).ReadProblem(404);
    }

    [Fact]
    public async Task Series_gives_reported_expected_and_trend_lines()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var id = await MeasureId("T11-3");
        await PostJson(http, $"/api/targets/{id}/reports", TargetBody(300, asOf: "2025-03-31"));
        await PostJson(http, $"/api/targets/{id}/reports", TargetBody(500, asOf: "2025-06-30"));
        var s = await (await App.CreateClient().GetAsync($"/api/targets/{id}/series?asOf=2025-06-30")).ReadJson<TargetSeriesDto>();
        Assert.Equal([300m, 500m], s.Reported.Select(p => p.Value));
        Assert.Equal([0m, 1200m], s.Expected.Select(p => p.Value));
        Assert.Equal(2, s.Trend.Count);
        Assert.Equal(new DateOnly(2025, 12, 31), s.Trend[1].Date);
        Assert.NotNull(s.Figure.ProjectedValueAtDue);
        await (await App.CreateClient().GetAsync("/api/targets/999999/series")).ReadProblem(404);
    }

    [Fact]
    public async Task Unchanged_data_answers_304_and_a_new_report_changes_the_etag()
    {
        var client = App.CreateClient();
        var first = await client.GetAsync(Dashboard + "?asOf=2025-06-30");
        var etag = first.Headers.ETag!.Tag;
        var again = new HttpRequestMessage(HttpMethod.Get, Dashboard + "?asOf=2025-06-30") { Headers = { { "If-None-Match", etag } } };
        var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        var other = await client.GetAsync(Dashboard + "?asOf=2025-05-31");
        Assert.NotEqual(etag, other.Headers.ETag!.Tag);

        var http = await As(Role.Reporter, "bigdata-bureau");
        await PostJson(http, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(20));
        var after = new HttpRequestMessage(HttpMethod.Get, Dashboard + "?asOf=2025-06-30") { Headers = { { "If-None-Match", etag } } };
        var changed = await client.SendAsync(after);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Csv_export_is_utf8_with_bom_and_matches_the_json()
    {
        var client = App.CreateClient();
        var bytes = await (await client.GetAsync("/api/plans/guizhou-2025/dashboard.csv?asOf=2025-06-30")).Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).TrimEnd().Split('\n');
        Assert.StartsWith("number,section,titleZh,titleEn,completionPct", lines[0]);
        Assert.Equal(37, lines.Length);
        Assert.StartsWith("2,1,加快发展人工智能产业,", lines[2]);
        var measures = Encoding.UTF8.GetString(await (await client.GetAsync("/api/plans/guizhou-2025/dashboard.csv?asOf=2025-06-30&table=measures")).Content.ReadAsByteArrayAsync());
        Assert.Contains("T02-1,target,2,", measures);
        (await (await client.GetAsync("/api/plans/guizhou-2025/dashboard.csv?table=people")).ReadProblem(400)).AssertFieldError("table");

        var xlsx = await client.GetAsync("/api/plans/guizhou-2025/dashboard.xlsx?asOf=2025-06-30");
        var sheets = MiniExcel.GetSheetNames(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        Assert.Equal(["tasks", "measures"], sheets);
    }

    [Theory]
    [InlineData("/api/plans/nope/dashboard", 404, null)]
    [InlineData("/api/plans/guizhou-2025/dashboard?asOf=abc", 400, "asOf")]
    [InlineData("/api/plans/guizhou-2025/dashboard?asOf=1900-01-01", 400, "asOf")]
    [InlineData("/api/plans/guizhou-2025/dashboard?knownAt=2025-13-01", 400, "knownAt")]
    [InlineData("/api/targets/1/series?asOf=9999-12-31", 400, "asOf")]
    public async Task Bad_dashboard_requests_are_problems(string url, int status, string? field)
    {
        var problem = await (await App.CreateClient().GetAsync(url)).ReadProblem(status);
        if (field is not null) problem.AssertFieldError(field);
    }
}
