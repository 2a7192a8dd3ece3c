using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Features.Seeding;
using TaskTracker.Standing;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Figures;

/// <summary>
/// Issue 12 over real HTTP on the seeded Guizhou plan (SQLite by default; PostgreSQL with TASKTRACKER_TEST_PROVIDER=postgres).
/// Each test works on its own measures, so they share one service.
/// </summary>
public class FigureApiTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Plan = "/api/plans/guizhou-2025";

    private async Task<PlanDashboard> Dashboard(string query) =>
        await (await App.CreateClient().GetAsync($"{Plan}/dashboard{query}")).ReadJson<PlanDashboard>();

    private static MeasureFigure Measure(PlanDashboard d, string code) =>
        d.Headline.Concat(d.Tasks.SelectMany(t => t.Measures)).First(m => m.Code == code);

    [Fact]
    public async Task Growth_rate_H1_at_12_percent_in_spring_is_off_track_and_at_20_on_track()
    {
        var lead = await As(Role.Reporter, "bigdata-bureau"); // H1 sits in no task: the plan's owner answers for it
        (await PostJson(lead, $"/api/targets/{await MeasureId("H1")}/reports", TargetBody(12, asOf: "2025-04-30"))).EnsureSuccessStatusCode();
        var spring = Measure(await Dashboard("?asOf=2025-05-10"), "H1");
        Assert.Equal(1.0, spring.Expected);
        Assert.Equal(0.6, spring.Completion!.Value, 4);
        Assert.Equal(MeasureStatus.OffTrack, spring.Status);

        (await PostJson(lead, $"/api/targets/{await MeasureId("H1")}/reports", TargetBody(20, asOf: "2025-05-31"))).EnsureSuccessStatusCode();
        var june = Measure(await Dashboard("?asOf=2025-06-05"), "H1");
        Assert.Equal(MeasureStatus.OnTrack, june.Status); // reached, but only a whole-year report can make it done
    }

    [Fact]
    public async Task Cooperating_agencys_part_is_shown_beside_the_leads_figure()
    {
        var t = await MeasureId("T02-1");
        (await PostJson(await As(Role.Reporter, "bigdata-bureau"), $"/api/targets/{t}/reports", TargetBody(100))).EnsureSuccessStatusCode();
        (await PostJson(await As(Role.Reporter, "guiyang"), $"/api/targets/{t}/reports", TargetBody(30))).EnsureSuccessStatusCode();

        var f = Measure(await Dashboard("?asOf=2025-06-30"), "T02-1");
        Assert.Equal(100m, f.LatestValue);
        Assert.Equal(FigureSources.Lead, f.FigureSource);
        var part = Assert.Single(f.Parts);
        Assert.Equal(("guiyang", "co-operating", 30m), (part.Agency.Code, part.Role, part.Value!.Value));
    }

    [Fact]
    public async Task Sum_of_city_parts_counts_while_the_lead_has_filed_nothing()
    {
        // T15-1: 省大数据局 leads; 各市〔州〕人民政府 co-operate, so each city files its part.
        var t = await MeasureId("T15-1");
        (await PostJson(await As(Role.Reporter, "guiyang"), $"/api/targets/{t}/reports", TargetBody(3))).EnsureSuccessStatusCode();
        (await PostJson(await As(Role.Reporter, "zunyi"), $"/api/targets/{t}/reports", TargetBody(2))).EnsureSuccessStatusCode();

        var f = Measure(await Dashboard("?asOf=2025-06-30"), "T15-1");
        Assert.Equal(5m, f.LatestValue);
        Assert.Equal(FigureSources.SumOfParts, f.FigureSource);
        Assert.Equal(["guiyang", "zunyi"], f.Parts.Select(p => p.Agency.Code).Order());
        Assert.All(f.Parts, p => Assert.Equal("member", p.Role));
    }

    [Fact]
    public async Task Verified_beside_reported_and_a_returned_correction_gives_the_word_back()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var office = await As(Role.Office);
        var first = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T05-1")}/reports", TargetBody(1400))).ReadJson<ReportDto>();
        var before = Measure(await Dashboard("?asOf=2025-06-30"), "T05-1");
        Assert.NotNull(before.Completion);
        Assert.Null(before.VerifiedCompletion); // nothing accepted yet

        (await Review(office, first.Id, new { decision = "accept" }, first.ETag)).EnsureSuccessStatusCode();
        var accepted = await Dashboard("?asOf=2025-06-30");
        Assert.Equal(Measure(accepted, "T05-1").Completion, Measure(accepted, "T05-1").VerifiedCompletion);
        Assert.Equal(accepted.Tasks.Single(t => t.Number == 5).Completion is not null, accepted.Tasks.Single(t => t.Number == 5).VerifiedCompletion is not null);
        Assert.NotNull(accepted.VerifiedCompletion);

        var correction = await (await PostJson(reporter, $"/api/reports/{first.Id}/corrections",
            new { value = 1500, asOf = "2025-06-30", reason = "口径更正" })).ReadJson<ReportDto>();
        var corrected = Measure(await Dashboard("?asOf=2025-06-30"), "T05-1");
        Assert.Equal(1500m, corrected.LatestValue);
        Assert.True(corrected.VerifiedCompletion < corrected.Completion); // the accepted 1400 stays the verified figure

        (await Review(office, correction.Id, new { decision = "return", comment = "来源不明" }, correction.ETag)).EnsureSuccessStatusCode();
        var returned = Measure(await Dashboard("?asOf=2025-06-30"), "T05-1");
        Assert.Equal(1400m, returned.LatestValue);
        Assert.Equal(first.Id, returned.LatestReportId);
        Assert.True((await (await office.GetAsync($"/api/reports/{first.Id}")).ReadJson<ReportDto>()).Counts);
    }

    [Fact]
    public async Task Verified_plan_setting_makes_status_follow_accepted_reports_only()
    {
        await App.WithDb(db => db.Plans.Where(p => p.Code == "guizhou-2025").ExecuteUpdateAsync(s => s.SetProperty(p => p.StatusBasis, StatusBasis.Verified)));
        try
        {
            var lead = await As(Role.Reporter, "bigdata-bureau");
            (await PostJson(lead, $"/api/targets/{await MeasureId("H3")}/reports", TargetBody(300))).EnsureSuccessStatusCode();
            var d = await Dashboard("?asOf=2025-06-30");
            var h3 = Measure(d, "H3");
            Assert.Equal(StatusBasis.Verified, d.StatusBasis);
            Assert.Equal(MeasureStatus.Done, h3.ReportedStatus);
            Assert.Equal(MeasureStatus.NoData, h3.VerifiedStatus);
            Assert.Equal(MeasureStatus.NoData, h3.Status);
        }
        finally
        {
            await App.WithDb(db => db.Plans.Where(p => p.Code == "guizhou-2025").ExecuteUpdateAsync(s => s.SetProperty(p => p.StatusBasis, StatusBasis.Reported)));
        }
    }

    [Fact]
    public async Task Office_assigns_a_lead_to_T14_1_and_the_agency_can_then_file_and_be_instructed()
    {
        Assert.Contains("T14-1", await Unfileable());
        var lead = await As(Role.Reporter, "bigdata-bureau");
        var t = await MeasureId("T14-1");
        await (await PostJson(lead, $"/api/targets/{t}/reports", TargetBody(10))).ReadProblem(403);
        var before = await (await App.CreateClient().GetAsync($"{Plan}/measures/T14-1")).ReadJson<MeasureDetail>();
        Assert.Equal([("relevant-prov-units", "lead")], before.Roles.Select(r => (r.Agency.Code, r.Role)));

        var office = await As(Role.Office);
        var url = $"{Plan}/measures/T14-1/assignments";
        (await (await PostJson(office, url, new { agency = "bigdata-bureau", role = "boss", reason = "x" })).ReadProblem(400)).AssertFieldError("role");
        (await (await PostJson(office, url, new { agency = "no-such", role = "lead", reason = "x" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await PostJson(office, url, new { agency = "relevant-prov-depts", role = "lead", reason = "x" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await PostJson(office, url, new { agency = "bigdata-bureau", role = "lead" })).ReadProblem(400)).AssertFieldError("reason");
        await (await PostJson(lead, url, new { agency = "bigdata-bureau", role = "lead", reason = "x" })).ReadProblem(403);
        await (await PostJson(office, $"{Plan}/measures/T99-9/assignments", new { agency = "bigdata-bureau", role = "lead", reason = "x" })).ReadProblem(404);

        var created = await PostJson(office, url, new { agency = "bigdata-bureau", role = "lead", reason = "公共数据归集由省大数据局牵头" });
        var dto = await created.ReadJson<AssignmentDto>();
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([("bigdata-bureau", "lead"), ("relevant-prov-units", "co-operating")], dto.Roles.Select(r => (r.Agency.Code, r.Role)));
        var audit = await App.WithDb(db => db.Audit.SingleAsync(a => a.Action == "measure.assigned" && a.EntityId == "T14-1"));
        Assert.Contains("公共数据归集由省大数据局牵头", audit.Details);

        (await PostJson(lead, $"/api/targets/{t}/reports", TargetBody(10))).EnsureSuccessStatusCode();
        var after = await (await App.CreateClient().GetAsync($"{Plan}/measures/T14-1")).ReadJson<MeasureDetail>();
        Assert.Equal("lead", after.Roles.Single(r => r.Agency.Code == "bigdata-bureau").Role);
        Assert.Equal(10m, Measure(await Dashboard("?asOf=2025-06-30"), "T14-1").LatestValue);
        (await PostJson(office, $"{Plan}/instructions", new { measureCode = "T14-1", agency = "bigdata-bureau", text = "请报送归集进展", replyBy = "2025-07-20" }))
            .EnsureSuccessStatusCode();
        var unfileable = await Unfileable();
        Assert.DoesNotContain("T14-1", unfileable);
        Assert.Contains("M14-1", unfileable);
    }

    [Fact]
    public async Task Oversight_lists_accept_knownAt_like_the_dashboards()
    {
        // Filed on 1 July about January: seen with knownAt=2025-06-30, January is still missing.
        (await PostJson(await As(Role.Reporter, "bigdata-bureau"), $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(1, asOf: "2025-01-31")))
            .EnsureSuccessStatusCode();
        var http = App.CreateClient();
        async Task<IReadOnlyList<string>> Missing(string query) =>
            (await (await http.GetAsync($"{Plan}/missing-reports?asOf=2025-06-30{query}")).ReadJson<Features.Oversight.OversightList>())
            .Items.Single(i => i.Code == "T03-1").MissingPeriods!;

        var now = await Missing("");
        var then = await Missing("&knownAt=2025-06-30");
        Assert.Equal(then.Count - 1, now.Count);
        Assert.Contains(then, p => !now.Contains(p));
        (await (await http.GetAsync($"{Plan}/missing-reports?knownAt=1900-01-01")).ReadProblem(400)).AssertFieldError("knownAt");
        Assert.Equal("guizhou-2025", (await (await http.GetAsync($"{Plan}/oversight/agencies?asOf=2025-06-30&knownAt=2025-06-30"))
            .ReadJson<System.Text.Json.JsonElement>()).GetProperty("plan").GetString());
    }

    [Fact]
    public void Seed_validator_lists_the_measures_nobody_can_file_on()
    {
        var codes = SeedValidator.Unfileable(SeedLoader.Read(TestPaths.GuizhouSeed));
        Assert.Contains("T14-1", codes);
        Assert.Contains("M14-1", codes);
        Assert.DoesNotContain("T02-1", codes);
    }

    private async Task<List<string>> Unfileable()
    {
        using var scope = App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>();
        var planId = await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Id).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<Responsibility>().UnfileableMeasuresAsync(planId, db.Measures, default);
    }

    private static Task<HttpResponseMessage> Review(HttpClient http, long id, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{id}/review") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return http.SendAsync(request);
    }
}
