using System.Net;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

/// <summary>The one write step: a change commits with its audit entry, its event and one bump of the plan's revision; a refused one leaves nothing.</summary>
public class WriteStepTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private Task<(long Revision, int Reports, int Audit, int Events)> State() => App.WithDb(async db => (
        await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Revision).SingleAsync(),
        await db.Reports.CountAsync(), await db.Audit.CountAsync(), await db.OutboxEvents.CountAsync()));

    [Fact]
    public async Task A_filing_commits_its_report_audit_entry_event_and_one_revision_bump_together()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await State();
        var response = await PostJson(http, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(130m));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dto = await response.ReadJson<ReportDto>();
        var after = await State();
        Assert.Equal((before.Revision + 1, before.Reports + 1, before.Audit + 1, before.Events + 1), after);
        var ev = await App.WithDb(db => db.OutboxEvents.OrderByDescending(e => e.Id).FirstAsync());
        Assert.Equal("report.filed", ev.Type);
        Assert.Contains($"\"id\":{dto.Id}", ev.Payload);

        // The office's review is a change to the plan's data too.
        var office = await As(Role.Office);
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{dto.Id}/review") { Content = System.Net.Http.Json.JsonContent.Create(new { decision = "accept" }) };
        review.Headers.TryAddWithoutValidation("If-Match", dto.ETag);
        Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(review)).StatusCode);
        Assert.Equal(after.Revision + 1, (await State()).Revision);
    }

    [Fact]
    public async Task A_write_refused_inside_the_step_leaves_the_revision_and_every_table_as_they_were()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var original = await (await PostJson(http, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(140m))).ReadJson<ReportDto>();
        var correction = new { value = 141m, asOf = "2025-06-30", reason = "typo" };
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, $"/api/reports/{original.Id}/corrections", correction)).StatusCode);
        var before = await State();
        // The second correction of the same report is refused inside the transaction (409), after the step began.
        await (await PostJson(http, $"/api/reports/{original.Id}/corrections", correction)).ReadProblem(409);
        Assert.Equal(before, await State());
    }
}
