using System.Net.Http.Json;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Browser;

/// <summary>The office's review queue the page works through: GET /api/plans/{plan}/reports?reviewStatus=submitted.</summary>
public class ReviewQueueTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task The_queue_lists_submitted_reports_oldest_first_with_their_age_and_filters_by_agency_and_section()
    {
        var bigdata = await As(Role.Reporter, "bigdata-bureau");
        var older = await (await PostJson(bigdata, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(50m))).ReadJson<ReportDto>();
        App.Clock.Advance(TimeSpan.FromDays(3));
        var newer = await (await PostJson(bigdata, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(60m))).ReadJson<ReportDto>();
        var office = await As(Role.Office);

        var queue = await (await office.GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=submitted")).ReadJson<List<QueuedReport>>();
        var mine = queue.Where(q => q.Report.Id == older.Id || q.Report.Id == newer.Id).ToList();
        Assert.Equal([older.Id, newer.Id], mine.Select(q => q.Report.Id));
        Assert.Equal(3, mine[0].AgeDays);
        Assert.Equal(0, mine[1].AgeDays);
        Assert.Equal(2, mine[0].TaskNumber); // T02-1 sits under task 2
        var section = Assert.IsType<int>(mine[0].Section);
        Assert.True(queue.Select(q => q.Report.FiledAtUtc).SequenceEqual(queue.Select(q => q.Report.FiledAtUtc).Order()));

        var byAgency = await (await office.GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=submitted&agency=education-dept")).ReadJson<List<QueuedReport>>();
        Assert.DoesNotContain(byAgency, q => q.Report.Id == older.Id);
        var inSection = await (await office.GetAsync($"/api/plans/guizhou-2025/reports?reviewStatus=submitted&section={section}")).ReadJson<List<QueuedReport>>();
        Assert.Contains(inSection, q => q.Report.Id == older.Id);
        var otherSection = await (await office.GetAsync($"/api/plans/guizhou-2025/reports?reviewStatus=submitted&section={section % 5 + 1}")).ReadJson<List<QueuedReport>>();
        Assert.DoesNotContain(otherSection, q => q.Report.Id == older.Id);

        // Once accepted it leaves the queue and shows under accepted.
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{older.Id}/review") { Content = JsonContent.Create(new { decision = "accept" }) };
        review.Headers.TryAddWithoutValidation("If-Match", older.ETag);
        (await office.SendAsync(review)).EnsureSuccessStatusCode();
        var after = await (await office.GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=submitted")).ReadJson<List<QueuedReport>>();
        Assert.DoesNotContain(after, q => q.Report.Id == older.Id);
        var accepted = await (await office.GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=accepted")).ReadJson<List<QueuedReport>>();
        Assert.Contains(accepted, q => q.Report.Id == older.Id);
    }

    [Fact]
    public async Task Only_the_office_sees_the_queue_and_bad_filters_are_named()
    {
        await (await (await As(Role.Reporter, "bigdata-bureau")).GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=submitted")).ReadProblem(403);
        var office = await As(Role.Office);
        (await (await office.GetAsync("/api/plans/guizhou-2025/reports?reviewStatus=pending")).ReadProblem(400)).AssertFieldError("reviewStatus");
        (await (await office.GetAsync("/api/plans/guizhou-2025/reports?section=0")).ReadProblem(400)).AssertFieldError("section");
        await (await office.GetAsync("/api/plans/nope/reports?reviewStatus=submitted")).ReadProblem(404);
    }
}
