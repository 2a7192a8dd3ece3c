using System.Net;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

public class FilingTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Reporter_files_a_target_report_and_gets_201_with_location()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var id = await MeasureId("T02-1");
        var response = await PostJson(http, $"/api/targets/{id}/reports", TargetBody(120.5m));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dto = await response.ReadJson<ReportDto>();
        Assert.Equal($"/api/reports/{dto.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(120.5m, dto.Value);
        Assert.Equal("亿元", dto.Unit);
        Assert.Equal("bigdata-bureau", dto.Agency.Code);
        Assert.Equal(new DateOnly(2025, 6, 30), dto.AsOf);
        Assert.Equal(ReviewStatus.Submitted, dto.Review.Status);
        Assert.True(dto.Counts);

        var list = await (await http.GetAsync($"/api/targets/{id}/reports")).ReadJson<MeasureReports>();
        Assert.Contains(list.Reports, r => r.Id == dto.Id);
        Assert.Contains(list.ResponsibleAgencies, a => a.Code == "guiyang");
        var audit = await App.WithDb(db => db.Audit.SingleAsync(a => a.EntityType == "report" && a.EntityId == dto.Id.ToString()));
        Assert.Equal("report.filed", audit.Action);
        Assert.NotNull(audit.TokenId);
    }

    [Fact]
    public async Task Agency_is_taken_from_the_token_and_a_body_field_naming_it_is_refused()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var id = await MeasureId("T02-1");
        var before = await Counts();
        var response = await PostRaw(http, $"/api/targets/{id}/reports", """{"value": 1, "asOf": "2025-06-30", "agency": "guiyang"}""");
        (await response.ReadProblem(400)).AssertFieldError("$.agency");
        var status = await PostRaw(http, $"/api/targets/{id}/reports", """{"value": 1, "asOf": "2025-06-30", "reviewStatus": "accepted"}""");
        (await status.ReadProblem(400)).AssertFieldError("$.reviewStatus");
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Filing_on_another_agencys_target_is_403_and_writes_nothing()
    {
        var http = await As(Role.Reporter, "education-dept");
        var before = await Counts();
        var response = await PostJson(http, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(10));
        var problem = await response.ReadProblem(403);
        Assert.Contains("T02-1", problem.GetProperty("detail").GetString());
        // Even an invalid body gets 403, not a validation answer about a measure the caller may not touch.
        await (await PostJson(http, $"/api/targets/{await MeasureId("T02-1")}/reports", new { value = -5 })).ReadProblem(403);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_member_of_a_responsible_group_may_file()
    {
        // Task 1 clause 1 names 各市〔州〕人民政府; Zunyi is a member. Its first target sits on clause 2 (省大数据局、省直有关部门),
        // so use a milestone of clause 1.
        var milestone = await App.WithDb(db => db.Milestones.Where(m => m.Task!.Number == 1 && m.Clause!.Seq == 1 && m.Plan.Code == "guizhou-2025")
            .Select(m => m.Id).FirstAsync());
        var http = await As(Role.Reporter, "zunyi");
        var response = await PostJson(http, $"/api/milestones/{milestone}/reports", new { status = "in-progress", asOf = "2025-06-30" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Headline_target_without_a_task_is_answered_by_the_plan_owner()
    {
        var h1 = await MeasureId("H1");
        var owner = await As(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await PostJson(owner, $"/api/targets/{h1}/reports", TargetBody(18.5m))).StatusCode);
        var other = await As(Role.Reporter, "guiyang");
        await (await PostJson(other, $"/api/targets/{h1}/reports", TargetBody(18.5m))).ReadProblem(403);
    }

    [Fact]
    public async Task Milestone_report_with_status_and_quarterly_period()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var quarterly = await MeasureId("M15-4");
        var ok = await PostJson(http, $"/api/milestones/{quarterly}/reports", new { status = "done", asOf = "2025-03-31", period = "2025-Q1", evidence = new[] { "https://example.gov.cn/list-q1" } });
        var dto = await ok.ReadJson<ReportDto>();
        Assert.Equal(MilestoneStatus.Done, dto.Status);
        Assert.Equal("2025-Q1", dto.Period);
        (await (await PostJson(http, $"/api/milestones/{quarterly}/reports", new { status = "done", asOf = "2025-03-31" })).ReadProblem(400)).AssertFieldError("period");
        (await (await PostJson(http, $"/api/milestones/{quarterly}/reports", new { status = "done", asOf = "2025-03-31", period = "2025-Q5" })).ReadProblem(400)).AssertFieldError("period");
        var plain = await MeasureId("M20-1");
        (await (await PostJson(http, $"/api/milestones/{plain}/reports", new { status = "done", asOf = "2025-03-31", period = "2025-Q1" })).ReadProblem(400)).AssertFieldError("period");
        (await (await PostJson(http, $"/api/milestones/{plain}/reports", new { asOf = "2025-03-31" })).ReadProblem(400)).AssertFieldError("status");
        (await (await PostRaw(http, $"/api/milestones/{plain}/reports", """{"status":"finished","asOf":"2025-03-31"}""")).ReadProblem(400)).AssertFieldError("$.status");
        (await (await PostRaw(http, $"/api/milestones/{plain}/reports", """{"status":"done","asOf":"2025-03-31","value":3}""")).ReadProblem(400)).AssertFieldError("$.value");
    }

    [Fact]
    public async Task Unknown_or_mismatched_measure_is_404()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        await (await PostJson(http, "/api/targets/999999/reports", TargetBody(1))).ReadProblem(404);
        await (await PostJson(http, $"/api/targets/{await MeasureId("M20-1")}/reports", TargetBody(1))).ReadProblem(404);
        await (await PostJson(http, $"/api/milestones/{await MeasureId("T02-1")}/reports", new { status = "done", asOf = "2025-03-31" })).ReadProblem(404);
        await (await http.GetAsync("/api/targets/999999/reports")).ReadProblem(404);
        await (await http.GetAsync("/api/reports/999999")).ReadProblem(404);
    }

    public static TheoryData<string, string, string> InvalidTargetBodies => new()
    {
        { "T02-1", """{"asOf":"2025-06-30"}""", "value" },
        { "T02-1", """{"value":-1,"asOf":"2025-06-30"}""", "value" },
        { "T02-2", """{"value":70.5,"asOf":"2025-06-30"}""", "value" },
        { "T02-1", """{"value":1000000000001,"asOf":"2025-06-30"}""", "value" },
        { "H1", """{"value":2000,"asOf":"2025-06-30"}""", "value" },
        { "H1", """{"value":-101,"asOf":"2025-06-30"}""", "value" },
        { "T02-1", """{"value":1}""", "asOf" },
        { "T02-1", """{"value":1,"asOf":"2024-12-31"}""", "asOf" },
        { "T02-1", """{"value":1,"asOf":"2026-01-01"}""", "asOf" },
        { "T02-1", """{"value":1,"asOf":"2025-07-02"}""", "asOf" },
        { "T02-1", """{"value":1,"asOf":"2025-02-30"}""", "$.asOf" },
        { "T02-1", """{"value":"lots","asOf":"2025-06-30"}""", "$.value" },
        { "T02-1", """{"value":1e309,"asOf":"2025-06-30"}""", "$.value" },
        { "T02-1", """{"value":NaN,"asOf":"2025-06-30"}""", "$.value" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","evidence":["ftp://files.example/x"]}""", "evidence[0]" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","evidence":["javascript:alert(1)"]}""", "evidence[0]" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","evidence":["not a url"]}""", "evidence[0]" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","narrative":"bad\u0000byte"}""", "narrative" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","subUnit":"line1\nline2"}""", "subUnit" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30","status":"done"}""", "$.status" },
        { "T02-1", """{"value":1,"asOf":"2025-06-30",}""", "$" },
        { "T02-1", """[1,2]""", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidTargetBodies))]
    public async Task Invalid_target_reports_are_400_naming_the_field_and_write_nothing(string code, string json, string field)
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var problem = await (await PostRaw(http, $"/api/targets/{await MeasureId(code)}/reports", json)).ReadProblem(400);
        if (field == "$") Assert.True(problem.TryGetProperty("errors", out _));
        else problem.AssertFieldError(field);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Oversized_text_and_too_many_links_are_400()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var id = await MeasureId("T02-1");
        (await (await PostJson(http, $"/api/targets/{id}/reports", new { value = 1, asOf = "2025-06-30", narrative = new string('数', 4001) })).ReadProblem(400)).AssertFieldError("narrative");
        var links = Enumerable.Range(0, 21).Select(i => $"https://example.gov.cn/{i}").ToArray();
        (await (await PostJson(http, $"/api/targets/{id}/reports", new { value = 1, asOf = "2025-06-30", evidence = links })).ReadProblem(400)).AssertFieldError("evidence");
        (await (await PostJson(http, $"/api/targets/{id}/reports", new { value = 1, asOf = "2025-06-30", subUnit = new string('x', 101) })).ReadProblem(400)).AssertFieldError("subUnit");
    }

    [Fact]
    public async Task Sub_unit_breakdown_and_unicode_text_are_stored_as_sent()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var id = await MeasureId("T11-1");
        var text = "贵阳市完成 1200 个 🎉 \u200F(RTL mark) 'OR 1=1; -- <script>alert(1)</script>";
        var dto = await (await PostJson(http, $"/api/targets/{id}/reports", new { value = 1200, asOf = "2025-06-30", subUnit = "贵阳市", narrative = text })).ReadJson<ReportDto>();
        Assert.Equal("贵阳市", dto.SubUnit);
        Assert.Equal(text, dto.Narrative);
    }
}

public class MeasureLookupTests(TaskTrackerApp app) : IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Measures_are_found_by_code()
    {
        var http = app.CreateClient();
        var t = await (await http.GetAsync("/api/plans/guizhou-2025/measures/T02-1")).ReadJson<MeasureDetail>();
        Assert.Equal(MeasureType.Target, t.Type);
        Assert.Equal(240m, t.Target!.Value);
        Assert.Contains(t.ResponsibleAgencies, a => a.Code == "bigdata-bureau");
        var byId = await (await http.GetAsync($"/api/targets/{t.Id}")).ReadJson<MeasureDetail>();
        Assert.Equal("T02-1", byId.Code);
        var m = await (await http.GetAsync("/api/plans/guizhou-2025/measures/M34-1")).ReadJson<MeasureDetail>();
        Assert.Equal(new DateOnly(2025, 8, 31), m.Milestone!.DueDate);
        var h = await (await http.GetAsync("/api/plans/guizhou-2025/measures/H2")).ReadJson<MeasureDetail>();
        Assert.Equal(8, h.TaskNumber);
        await (await http.GetAsync("/api/plans/guizhou-2025/measures/T99-9")).ReadProblem(404);
        await (await http.GetAsync("/api/plans/nope/measures/T02-1")).ReadProblem(404);
        await (await http.GetAsync($"/api/milestones/{t.Id}")).ReadProblem(404);
    }
}
