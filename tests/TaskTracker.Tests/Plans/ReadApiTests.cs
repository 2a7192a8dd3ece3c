using System.Net;
using System.Text.Json;
using TaskTracker.Features.Agencies;
using TaskTracker.Features.Plans;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Plans;

public class ReadApiTests(TaskTrackerApp app) : IClassFixture<TaskTrackerApp>
{
    private readonly HttpClient _http = app.CreateClient();

    private async Task<Paged<TaskSummary>> Tasks(string query) =>
        await (await _http.GetAsync("/api/plans/guizhou-2025/tasks" + query)).ReadJson<Paged<TaskSummary>>();

    [Fact]
    public async Task Lists_plans()
    {
        var plans = await (await _http.GetAsync("/api/plans")).ReadJson<List<PlanSummary>>();
        var gz = Assert.Single(plans, p => p.Code == "guizhou-2025");
        Assert.Equal(36, gz.TaskCount);
        Assert.Equal(5, gz.SectionCount);
        Assert.Contains(plans, p => p.Code == "demo-2026");
    }

    [Fact]
    public async Task Plan_has_sections_and_headline_targets()
    {
        var plan = await (await _http.GetAsync("/api/plans/guizhou-2025")).ReadJson<PlanDetail>();
        Assert.Equal(5, plan.Sections.Count);
        Assert.Equal(Enumerable.Range(1, 7), plan.Sections[0].TaskNumbers);
        Assert.Equal(7, plan.HeadlineTargets.Count);
        var compute = Assert.Single(plan.HeadlineTargets, t => t.Unit == "EFLOPS");
        Assert.Equal(150, compute.Value);
        Assert.Equal(8, compute.TaskNumber);
        Assert.Equal(55, compute.Baseline!.Value);
        Assert.Equal("bigdata-bureau", plan.OwnerAgency!.Code);
        Assert.Equal("leading-group-office", plan.OversightAgency!.Code);
        Assert.Equal(36, plan.TaskCount);
    }

    [Fact]
    public async Task Unknown_plan_is_404_problem()
    {
        var problem = await (await _http.GetAsync("/api/plans/nope")).ReadProblem(404);
        Assert.Contains("nope", problem.GetProperty("detail").GetString());
        await (await _http.GetAsync("/api/plans/nope/tasks")).ReadProblem(404);
        await (await _http.GetAsync("/api/plans/nope/tasks/1")).ReadProblem(404);
    }

    [Fact]
    public async Task Tasks_are_paged_in_number_order()
    {
        var first = await Tasks("?pageSize=10");
        Assert.Equal(36, first.Total);
        Assert.Equal(Enumerable.Range(1, 10), first.Items.Select(t => t.Number));
        var fourth = await Tasks("?pageSize=10&page=4");
        Assert.Equal([31, 32, 33, 34, 35, 36], fourth.Items.Select(t => t.Number));
        Assert.Equal(36, (await Tasks("")).Items.Count);
    }

    [Fact]
    public async Task Filter_by_section()
    {
        var s2 = await Tasks("?section=2");
        Assert.Equal([8, 9, 10, 11, 12], s2.Items.Select(t => t.Number));
        Assert.All(s2.Items, t => Assert.Equal(2, t.Section));
    }

    [Fact]
    public async Task Filter_by_agency_any_role_or_lead_only()
    {
        var any = await Tasks("?agency=comms-admin");
        Assert.Equal([10, 11, 35], any.Items.Select(t => t.Number));
        var lead = await Tasks("?agency=comms-admin&role=lead");
        Assert.Equal([10, 11], lead.Items.Select(t => t.Number));
        Assert.Equal("comms-admin", lead.Items.Single(t => t.Number == 11).LeadAgencies.Single().Code);
    }

    [Fact]
    public async Task Agency_filter_includes_work_assigned_through_a_group()
    {
        // Zunyi is never named, but 各市〔州〕人民政府 includes it.
        var zunyi = await Tasks("?agency=zunyi");
        Assert.Contains(1, zunyi.Items.Select(t => t.Number));
        Assert.Contains(24, zunyi.Items.Select(t => t.Number));
        var lead = await Tasks("?agency=zunyi&role=lead");
        Assert.Equal([24], lead.Items.Select(t => t.Number)); // task 24 clause 2 is led by the group
    }

    [Fact]
    public async Task Filter_by_having_targets()
    {
        var with = await Tasks("?hasTargets=true");
        var without = await Tasks("?hasTargets=false");
        Assert.Equal(36, with.Total + without.Total);
        Assert.Contains(8, with.Items.Select(t => t.Number)); // carries the headline compute target
        Assert.Contains(2, with.Items.Select(t => t.Number));
        Assert.Contains(9, without.Items.Select(t => t.Number));
        Assert.All(with.Items, t => Assert.True(t.TargetCount > 0));
    }

    [Fact]
    public async Task Free_text_over_chinese_and_english()
    {
        Assert.Contains(11, (await Tasks("?q=" + Uri.EscapeDataString("5G基站"))).Items.Select(t => t.Number));
        var english = await Tasks("?q=" + Uri.EscapeDataString("DATA ANNOTATION"));
        Assert.Contains(2, english.Items.Select(t => t.Number));
        Assert.Equal(0, (await Tasks("?q=zzzzqqq")).Total);
        var combined = await Tasks("?section=1&q=" + Uri.EscapeDataString("数据"));
        Assert.All(combined.Items, t => Assert.Equal(1, t.Section));
    }

    [Theory]
    [InlineData("?section=abc", "section")]
    [InlineData("?section=0", "section")]
    [InlineData("?section=9", "section")]
    [InlineData("?page=0", "page")]
    [InlineData("?pageSize=1000", "pageSize")]
    [InlineData("?agency=comms-admin&role=boss", "role")]
    [InlineData("?role=lead", "role")]
    [InlineData("?agency=no-such-agency", "agency")]
    [InlineData("?hasTargets=maybe", "hasTargets")]
    public async Task Bad_filters_are_400_naming_the_parameter(string query, string field)
    {
        var problem = await (await _http.GetAsync("/api/plans/guizhou-2025/tasks" + query)).ReadProblem(400);
        problem.AssertFieldError(field);
    }

    [Fact]
    public async Task Task_detail_has_clauses_agencies_roles_targets_and_milestones()
    {
        var t = await (await _http.GetAsync("/api/plans/guizhou-2025/tasks/2")).ReadJson<TaskDetail>();
        Assert.Equal("加快发展人工智能产业", t.TitleZh);
        Assert.Equal(3, t.Clauses.Count);
        Assert.Equal("省大数据局，贵阳市人民政府、贵安新区管委会", t.Clauses[0].ResponsibleText);
        Assert.Equal(["bigdata-bureau", "guiyang", "gui-an"], t.Clauses[0].Agencies.Select(a => a.Code));
        Assert.Equal(Domain.AgencyRole.Lead, t.Clauses[0].Agencies[0].Role);
        Assert.Equal(Domain.AgencyRole.Cooperating, t.Clauses[0].Agencies[1].Role);
        var bureau = t.Agencies.First();
        Assert.Equal("bigdata-bureau", bureau.Code);
        Assert.Equal([1, 2, 3], bureau.LeadsClauses);
        var revenue = Assert.Single(t.Targets, x => x.Code == "T02-1");
        Assert.Equal(240, revenue.Value);
        Assert.Equal("亿元", revenue.Unit);
        Assert.Contains("240 亿元", revenue.SourceText);
        Assert.NotEmpty(t.Milestones);
        Assert.All(t.Milestones, m => Assert.False(string.IsNullOrEmpty(m.SourceText)));
    }

    [Fact]
    public async Task Task_carrying_a_headline_target_lists_it()
    {
        var t = await (await _http.GetAsync("/api/plans/guizhou-2025/tasks/8")).ReadJson<TaskDetail>();
        var compute = Assert.Single(t.Targets);
        Assert.True(compute.IsHeadline);
        Assert.Equal("150Efllops", compute.ValueAsWritten);
    }

    [Fact]
    public async Task Group_agency_in_a_clause_lists_its_members()
    {
        var t = await (await _http.GetAsync("/api/plans/guizhou-2025/tasks/1")).ReadJson<TaskDetail>();
        var group = Assert.Single(t.Clauses[0].Agencies, a => a.Kind == "group");
        Assert.Equal("各市〔州〕人民政府", group.NameAsWritten);
        Assert.Equal(9, group.Members.Count);
    }

    [Theory]
    [InlineData("/api/plans/guizhou-2025/tasks/37")]
    [InlineData("/api/plans/guizhou-2025/tasks/0")]
    [InlineData("/api/plans/guizhou-2025/tasks/abc")]
    public async Task Unknown_task_is_404_problem(string url)
    {
        await (await _http.GetAsync(url)).ReadProblem(404);
    }

    [Fact]
    public async Task Agencies_catalogue_lists_and_filters()
    {
        var all = await (await _http.GetAsync("/api/agencies")).ReadJson<List<AgencySummary>>();
        Assert.Contains(all, a => a.Code == "bigdata-bureau" && a.NameZh == "贵州省大数据发展管理局");
        var groups = await (await _http.GetAsync("/api/agencies?kind=group")).ReadJson<List<AgencySummary>>();
        Assert.All(groups, g => Assert.Equal("group", g.Kind));
        Assert.Contains(groups, g => g.Code == "prefecture-governments" && g.Members.Count == 9);
        var found = await (await _http.GetAsync("/api/agencies?q=" + Uri.EscapeDataString("贵州电网公司"))).ReadJson<List<AgencySummary>>();
        Assert.Equal("power-grid", Assert.Single(found).Code);
        (await (await _http.GetAsync("/api/agencies?kind=ministry")).ReadProblem(400)).AssertFieldError("kind");
    }

    [Fact]
    public async Task Agency_detail_shows_what_it_leads_and_cooperates_on()
    {
        var guiyang = await (await _http.GetAsync("/api/agencies/guiyang")).ReadJson<AgencyDetail>();
        Assert.Equal(["prefecture-governments"], guiyang.MemberOf);
        Assert.Contains(guiyang.Leads, r => r.TaskNumber == 24 && r.ViaGroup is null && r.Clauses.SequenceEqual([1]));
        Assert.Contains(guiyang.Leads, r => r.TaskNumber == 24 && r.ViaGroup == "prefecture-governments");
        Assert.Contains(guiyang.CooperatesOn, r => r.TaskNumber == 2 && r.ViaGroup is null);
        var bureau = await (await _http.GetAsync("/api/agencies/bigdata-bureau")).ReadJson<AgencyDetail>();
        Assert.True(bureau.Leads.Count >= 15, $"bigdata-bureau leads {bureau.Leads.Count} tasks");
        await (await _http.GetAsync("/api/agencies/no-such")).ReadProblem(404);
    }

    [Fact]
    public async Task OpenApi_document_and_swagger_ui_are_served()
    {
        var doc = await _http.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        var json = JsonDocument.Parse(await doc.Content.ReadAsStringAsync()).RootElement;
        var paths = json.GetProperty("paths");
        foreach (var p in new[] { "/api/plans", "/api/plans/{plan}", "/api/plans/{plan}/tasks", "/api/plans/{plan}/tasks/{number}", "/api/agencies", "/api/agencies/{code}" })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} missing from OpenAPI");
        var ui = await _http.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
