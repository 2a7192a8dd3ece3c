using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

public class ReviewAndCorrectionTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private async Task<(HttpClient Reporter, ReportDto Report)> FileAsync(decimal value = 100)
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var dto = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(value))).ReadJson<ReportDto>();
        return (reporter, dto);
    }

    private static Task<HttpResponseMessage> Review(HttpClient http, long id, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{id}/review") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Correction_chain_keeps_every_report_and_marks_what_counts()
    {
        var (reporter, first) = await FileAsync(1400);
        var second = await (await PostJson(reporter, $"/api/reports/{first.Id}/corrections",
            new { value = 1410, asOf = "2025-06-30", reason = "统计口径更正" })).ReadJson<ReportDto>();
        Assert.Equal(first.Id, second.Supersedes);
        Assert.Equal("统计口径更正", second.CorrectionReason);

        var again = await PostJson(reporter, $"/api/reports/{first.Id}/corrections", new { value = 1, asOf = "2025-06-30", reason = "x" });
        Assert.Contains(second.Id.ToString(), (await again.ReadProblem(409)).GetProperty("detail").GetString());

        var third = await (await PostJson(reporter, $"/api/reports/{second.Id}/corrections",
            new { value = 1412, asOf = "2025-06-30", reason = "再次核对" })).ReadJson<ReportDto>();

        var chain = (await (await reporter.GetAsync($"/api/targets/{first.MeasureId}/reports")).ReadJson<MeasureReports>())
            .Reports.Where(r => r.Id == first.Id || r.Id == second.Id || r.Id == third.Id).ToList();
        Assert.Equal([first.Id, second.Id, third.Id], chain.Select(r => r.Id));
        Assert.Equal([second.Id, third.Id, (long?)null], chain.Select(r => r.SupersededBy));
        Assert.Equal([false, false, true], chain.Select(r => r.Counts));
        Assert.Equal(1400, chain[0].Value); // never updated in place
        Assert.Equal("report.corrected", (await App.WithDb(db => db.Audit.SingleAsync(a => a.EntityId == third.Id.ToString()))).Action);
    }

    [Fact]
    public async Task Correction_needs_a_reason_and_the_filing_agency()
    {
        var (reporter, first) = await FileAsync();
        (await (await PostJson(reporter, $"/api/reports/{first.Id}/corrections", new { value = 2, asOf = "2025-06-30" })).ReadProblem(400)).AssertFieldError("reason");
        var otherResponsible = await As(Role.Reporter, "guiyang"); // co-operates on T05-1 but did not file it
        await (await PostJson(otherResponsible, $"/api/reports/{first.Id}/corrections", new { value = 2, asOf = "2025-06-30", reason = "x" })).ReadProblem(403);
        await (await PostJson(reporter, "/api/reports/999999/corrections", new { value = 2, asOf = "2025-06-30", reason = "x" })).ReadProblem(404);
    }

    [Fact]
    public async Task Office_accepts_with_if_match_and_the_etag_moves_on()
    {
        var (_, report) = await FileAsync();
        var office = await As(Role.Office);
        var get = await office.GetAsync($"/api/reports/{report.Id}");
        var etag = get.Headers.ETag!.Tag;
        Assert.Equal(report.ETag, etag);

        var accepted = await Review(office, report.Id, new { decision = "accept", comment = "核实无误" }, etag);
        var dto = await accepted.ReadJson<ReportDto>();
        Assert.Equal(ReviewStatus.Accepted, dto.Review.Status);
        Assert.Equal(2, dto.Version);
        Assert.NotEqual(etag, accepted.Headers.ETag!.Tag);

        var stale = await Review(office, report.Id, new { decision = "return", comment = "请补充" }, etag);
        await stale.ReadProblem(412);
        var missing = await Review(office, report.Id, new { decision = "accept" }, null);
        await missing.ReadProblem(428);
        await (await Review(office, report.Id, new { decision = "accept" }, "\"r999-v1\"")).ReadProblem(412);
        Assert.Equal("report.reviewed", (await App.WithDb(db => db.Audit.SingleAsync(a => a.EntityId == report.Id.ToString() && a.Action == "report.reviewed"))).Action);
    }

    [Fact]
    public async Task Returned_report_stops_counting_until_corrected()
    {
        var (reporter, report) = await FileAsync();
        var office = await As(Role.Office);
        (await (await Review(office, report.Id, new { decision = "return" }, report.ETag)).ReadProblem(400)).AssertFieldError("comment");
        var returned = await (await Review(office, report.Id, new { decision = "return", comment = "数据来源不明" }, report.ETag)).ReadJson<ReportDto>();
        Assert.Equal(ReviewStatus.Returned, returned.Review.Status);
        Assert.False(returned.Counts);
        var fixedReport = await (await PostJson(reporter, $"/api/reports/{report.Id}/corrections", new { value = 1500, asOf = "2025-06-30", reason = "补充来源", evidence = new[] { "https://example.gov.cn/src" } })).ReadJson<ReportDto>();
        Assert.True(fixedReport.Counts);
        await (await Review(office, report.Id, new { decision = "accept" }, returned.ETag)).ReadProblem(409); // superseded: review the correction
    }

    [Fact]
    public async Task Concurrent_reviews_with_the_same_if_match_let_exactly_one_through()
    {
        var (_, report) = await FileAsync();
        var office = await As(Role.Office);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Review(office, report.Id, new { decision = "accept" }, report.ETag)));
        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, attempts.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var version = await App.WithDb(db => db.Reports.Where(r => r.Id == report.Id).Select(r => r.Version).SingleAsync());
        Assert.Equal(2, version);
    }
}
