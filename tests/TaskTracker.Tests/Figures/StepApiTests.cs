using System.Net;
using System.Net.Http.Json;
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
/// Milestone steps (节点), planned values (计划值) and group-led measures over real HTTP on the seeded Guizhou plan
/// (SQLite by default; PostgreSQL with TASKTRACKER_TEST_PROVIDER=postgres). Each test works on its own measures.
/// </summary>
public class StepApiTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Plan = "/api/plans/guizhou-2025";

    private async Task<PlanDashboard> Dashboard(string query) =>
        await (await App.CreateClient().GetAsync($"{Plan}/dashboard{query}")).ReadJson<PlanDashboard>();

    private static MeasureFigure Measure(PlanDashboard d, string code) =>
        d.Headline.Concat(d.Tasks.SelectMany(t => t.Measures)).First(m => m.Code == code);

    private static Task<HttpResponseMessage> Put(HttpClient http, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return http.SendAsync(request);
    }

    private static object FourSteps => new
    {
        steps = new[]
        {
            new { title = "起草方案", due = "2025-03-31" }, new { title = "征求意见", due = "2025-06-30" },
            new { title = "审议", due = "2025-09-30" }, new { title = "印发", due = "2025-12-15" },
        },
    };

    [Fact]
    public async Task Lead_agency_breaks_a_milestone_into_steps_and_others_are_refused()
    {
        // M22-1: 省农业农村厅 leads, 省水利厅 co-operates.
        var url = $"{Plan}/measures/M22-1/steps";
        var lead = await As(Role.Reporter, "agriculture-dept");
        await (await Put(await As(Role.Reporter, "water-dept"), url, FourSteps)).ReadProblem(403);        // co-operating agency
        await (await Put(await As(Role.Reporter, "health-commission"), url, FourSteps)).ReadProblem(403); // another agency
        await (await Put(await As(Role.Viewer), url, FourSteps)).ReadProblem(403);
        await (await Put(App.CreateClient(), url, FourSteps)).ReadProblem(401);

        (await (await Put(lead, url, new { steps = new[] { new { title = "", due = "2025-03-31" } } })).ReadProblem(400)).AssertFieldError("steps[0].title");
        (await (await Put(lead, url, new { steps = new object[] { new { title = "a", due = "2025-03-31" }, new { title = "b", due = "2026-03-31" } } }))
            .ReadProblem(400)).AssertFieldError("steps[1].due");
        (await (await Put(lead, url, new { steps = new[] { new { title = "a" } } })).ReadProblem(400)).AssertFieldError("steps[0].due");
        (await (await Put(lead, url, new { })).ReadProblem(400)).AssertFieldError("steps");
        await (await Put(lead, $"{Plan}/measures/M99-9/steps", FourSteps)).ReadProblem(404);
        await (await Put(lead, $"{Plan}/measures/T28-1/steps", FourSteps)).ReadProblem(404); // a target takes no steps
        await (await Put(lead, "/api/plans/no-such-plan/measures/M22-1/steps", FourSteps)).ReadProblem(404);
        Assert.Equal(0, await App.WithDb(db => db.MilestoneSteps.CountAsync(s => s.Measure.Code == "M22-1")));

        var created = await Put(lead, url, FourSteps);
        var dto = await created.ReadJson<MilestoneStepsDto>();
        Assert.Equal([1, 2, 3, 4], dto.Steps.Select(s => s.Number));
        Assert.Equal(dto.ETag, created.Headers.ETag!.ToString());
        Assert.Contains("征求意见", (await App.WithDb(db => db.Audit.SingleAsync(a => a.Action == "milestone.steps.replaced" && a.EntityId == "M22-1"))).Details);

        // Replacing a list needs its current version.
        await (await Put(lead, url, FourSteps)).ReadProblem(428);
        await (await Put(lead, url, FourSteps, "\"st1-1-0-0\"")).ReadProblem(412);
        var office = await As(Role.Office);
        var replaced = await (await Put(office, url, new { steps = new[] { new { title = "印发实施", due = "2025-11-30" } } }, dto.ETag)).ReadJson<MilestoneStepsDto>();
        Assert.Equal([(5, "印发实施")], replaced.Steps.Select(s => (s.Number, s.Title)));

        // The measure route shows the steps.
        var detail = await (await App.CreateClient().GetAsync($"{Plan}/measures/M22-1")).ReadJson<MeasureDetail>();
        Assert.Equal([5], detail.Steps!.Steps.Select(s => s.Number));
        Assert.Equal(replaced.ETag, detail.Steps.ETag);
    }

    [Fact]
    public async Task Steps_done_drive_the_milestone_figure_on_the_dashboard_and_in_past_views()
    {
        // M22-2: the same lead; the test's own milestone.
        var url = $"{Plan}/measures/M22-2/steps";
        var lead = await As(Role.Reporter, "agriculture-dept");
        var office = await As(Role.Office);
        (await Put(lead, url, FourSteps)).EnsureSuccessStatusCode();

        (await (await PostJson(lead, $"{url}/1/done", new { note = "x" })).ReadProblem(400)).AssertFieldError("doneOn");
        (await (await PostJson(lead, $"{url}/1/done", new { doneOn = "2099-01-01" })).ReadProblem(400)).AssertFieldError("doneOn");
        await (await PostJson(await As(Role.Reporter, "water-dept"), $"{url}/1/done", new { doneOn = "2025-03-20" })).ReadProblem(403);
        await (await PostJson(lead, $"{url}/99/done", new { doneOn = "2025-03-20" })).ReadProblem(404);

        (await PostJson(lead, $"{url}/1/done", new { doneOn = "2025-03-20", note = "方案已起草" })).EnsureSuccessStatusCode();
        await (await PostJson(lead, $"{url}/1/done", new { doneOn = "2025-03-21" })).ReadProblem(409);
        var two = await (await PostJson(office, $"{url}/2/done", new { doneOn = "2025-06-25" })).ReadJson<MilestoneStepsDto>();
        Assert.Equal((2, 4), (two.Done, two.Total));
        Assert.Equal(2, await App.WithDb(db => db.Audit.CountAsync(a => a.Action == "milestone.step.done" && a.EntityId == "M22-2")));

        var july = Measure(await Dashboard("?asOf=2025-07-10"), "M22-2");
        Assert.Equal(0.5, july.Completion);
        Assert.Equal(0.5, july.Expected);
        Assert.Equal(MeasureStatus.OnTrack, july.Status);
        Assert.Equal([true, true, false, false], july.Steps!.Select(s => s.Done));

        var october = Measure(await Dashboard("?asOf=2025-10-10"), "M22-2"); // step 3 due 30 Sept is late
        Assert.Equal(MeasureStatus.AtRisk, october.Status);
        Assert.True(october.Steps![2].Late);

        // Known yesterday, nothing of this existed: the milestone is measured as before, without steps.
        var yesterday = DateOnly.FromDateTime(App.Clock.GetUtcNow().AddHours(8).DateTime).AddDays(-1).ToString("yyyy-MM-dd");
        var before = Measure(await Dashboard($"?asOf=2025-07-10&knownAt={yesterday}"), "M22-2");
        Assert.Null(before.Steps);
        Assert.Null(before.Completion);
    }

    [Fact]
    public async Task Office_sets_planned_values_and_the_expected_line_follows_them()
    {
        // T29-1: 100 个 by the end of 2025 (cumulative), 省文化和旅游厅 leads.
        var url = $"{Plan}/measures/T29-1/planned-values";
        var office = await As(Role.Office);
        var body = new { plannedValues = new[] { new { period = "2025-Q1", value = 10m }, new { period = "2025-Q2", value = 30m }, new { period = "2025-Q3", value = 60m } } };
        await (await Put(await As(Role.Reporter, "culture-tourism-dept"), url, body)).ReadProblem(403);
        (await (await Put(office, url, new { plannedValues = new[] { new { period = "2025-Q5", value = 1m } } })).ReadProblem(400))
            .AssertFieldError("plannedValues[0].period");
        (await (await Put(office, url, new { plannedValues = new[] { new { period = "2025-Q2", value = 30m }, new { period = "2025-Q3", value = 20m } } }))
            .ReadProblem(400)).AssertFieldError("plannedValues[1].value");
        (await (await Put(office, url, new { plannedValues = new[] { new { period = "2025-Q2", value = 30m, unit = "家" } } })).ReadProblem(400))
            .AssertFieldError("plannedValues[0].unit");
        (await (await Put(office, url, new { })).ReadProblem(400)).AssertFieldError("plannedValues");
        (await (await Put(office, $"{Plan}/measures/H1/planned-values", body)).ReadProblem(400)).AssertFieldError("plannedValues");
        await (await Put(office, $"{Plan}/measures/T99-1/planned-values", body)).ReadProblem(404);
        await (await Put(office, $"{Plan}/measures/M22-1/planned-values", body)).ReadProblem(404); // a milestone has no values

        var linear = Measure(await Dashboard("?asOf=2025-06-30"), "T29-1").Expected;
        var set = await (await Put(office, url, body)).ReadJson<PlannedValuesDto>();
        Assert.Equal(["2025-Q1", "2025-Q2", "2025-Q3"], set.PlannedValues.Select(p => p.Period));
        Assert.Equal("office", set.Source);
        Assert.Contains("2025-Q3", (await App.WithDb(db => db.Audit.SingleAsync(a => a.Action == "measure.planned-values.set" && a.EntityId == "T29-1"))).Details);

        var f = Measure(await Dashboard("?asOf=2025-06-30"), "T29-1");
        Assert.Equal(0.3, f.Expected);          // the Q2 planned value, 30 of 100
        Assert.NotEqual(linear, f.Expected);    // instead of 序时进度 49.5%
        Assert.Equal(3, f.PlannedValues!.Count);
        var detail = await (await App.CreateClient().GetAsync($"{Plan}/measures/T29-1")).ReadJson<MeasureDetail>();
        Assert.Equal([10m, 30m, 60m], detail.PlannedValues!.PlannedValues.Select(p => p.Value));

        var series = await (await App.CreateClient().GetAsync($"/api/targets/{await MeasureId("T29-1")}/series?asOf=2025-06-30"))
            .ReadJson<System.Text.Json.JsonElement>();
        Assert.Equal(5, series.GetProperty("expected").GetArrayLength()); // start, three planned points, due

        // An empty list goes back to linear.
        (await Put(office, url, new { plannedValues = Array.Empty<object>() })).EnsureSuccessStatusCode();
        Assert.Equal(linear, Measure(await Dashboard("?asOf=2025-06-30"), "T29-1").Expected);
    }

    [Fact]
    public async Task Group_led_measures_are_listed_and_an_additive_one_counts_the_sum_of_its_members_parts()
    {
        Assert.Contains("M24-2", await WholeFigureGaps());
        Assert.Contains("M24-3", await WholeFigureGaps());
        var seed = SeedValidator.Unfileable(SeedLoader.Read(TestPaths.GuizhouSeed));
        Assert.Equal(["M14-1", "M24-2", "M24-3", "T14-1"], seed.Order());

        // The office names 各市〔州〕人民政府 the lead of T20-1: its cities file parts, and nobody the whole figure.
        (await PostJson(await As(Role.Office), $"{Plan}/measures/T20-1/assignments",
            new { agency = "prefecture-governments", role = "lead", reason = "由各市〔州〕分别建设" })).EnsureSuccessStatusCode();
        Assert.Contains("T20-1", await WholeFigureGaps());
        var t = await MeasureId("T20-1");
        (await PostJson(await As(Role.Reporter, "guiyang"), $"/api/targets/{t}/reports", TargetBody(1))).EnsureSuccessStatusCode();
        (await PostJson(await As(Role.Reporter, "zunyi"), $"/api/targets/{t}/reports", TargetBody(1))).EnsureSuccessStatusCode();
        var f = Measure(await Dashboard("?asOf=2025-06-30"), "T20-1");
        Assert.Equal(2m, f.LatestValue);
        Assert.Equal(FigureSources.SumOfParts, f.FigureSource);
        Assert.All(f.Parts, p => Assert.Equal("member", p.Role));
    }

    private async Task<List<string>> WholeFigureGaps()
    {
        using var scope = App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>();
        var planId = await db.Plans.Where(p => p.Code == "guizhou-2025").Select(p => p.Id).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<Responsibility>().UnfileableMeasuresAsync(planId, db.Measures, default);
    }
}
