using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.PlanImport;

/// <summary>The office's draft workflow over real HTTP: upload the text, read the findings, correct, publish.</summary>
public class PlanDraftApiTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    // A county plan in the province's style, written for this test: its third task has no responsibility bracket.
    private const string Text = """
        贵州省样例县2026年数字政府工作要点

        一、政务服务

        （一）建设政务服务平台。建成县级政务服务平台。（责任单位：省大数据局，贵阳市人民政府）

        （二）开放公共数据。向社会开放公共数据累计 500 个以上。（省大数据局牵头，省信息中心配合）

        （三）举办数据大赛。举办县级数据创新大赛。
        """;

    private async Task<List<string>> LivePlans() =>
        (await (await App.CreateClient().GetAsync("/api/plans")).ReadJson<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("code").GetString()!).ToList();

    [Fact]
    public async Task Only_the_office_or_an_admin_may_work_on_drafts()
    {
        var body = new { code = "auth-2026", text = Text };
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.CreateClient().PostAsJsonAsync("/api/plan-drafts", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As(Role.Viewer)).PostAsJsonAsync("/api/plan-drafts", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As(Role.Reporter, "bigdata-bureau")).GetAsync("/api/plan-drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.CreateClient().GetAsync("/api/plan-drafts/auth-2026")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await As(Role.Admin)).GetAsync("/api/plan-drafts")).StatusCode);
    }

    [Fact]
    public async Task Upload_review_correct_and_publish()
    {
        var office = await As(Role.Office);
        var upload = await office.PostAsJsonAsync("/api/plan-drafts", new { code = "sample-county-2026", text = Text });
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal("/api/plan-drafts/sample-county-2026", upload.Headers.Location!.OriginalString);
        var draft = await upload.ReadJson<JsonElement>();
        var findings = draft.GetProperty("findings");
        Assert.Equal(3, findings.GetProperty("recognised").GetProperty("tasks").GetInt32());
        Assert.Contains(findings.GetProperty("unplaced").EnumerateArray(), u => u.GetString()!.Contains("“举办县级数据创新大赛。”"));
        Assert.Contains(findings.GetProperty("validationErrors").EnumerateArray(), u => u.GetString()!.Contains("tasks[2].clauses"));
        Assert.Equal(["省大数据局", "省信息中心"], draft.GetProperty("tasks").GetProperty("tasks")[1].GetProperty("clauses")[0].GetProperty("agencies").EnumerateArray().Select(a => a.GetString()));
        Assert.DoesNotContain("sample-county-2026", await LivePlans()); // nothing is live before publishing

        // Publishing a draft that fails the seed checks is refused, naming each field by its place in the PUT body.
        var refused = await office.PostAsync("/api/plan-drafts/sample-county-2026/publish", null);
        (await refused.ReadProblem(400)).AssertFieldError("tasks.tasks[2].clauses");
        Assert.DoesNotContain("sample-county-2026", await LivePlans());

        // The office corrects the draft: the third task gets its clause and responsible agency, and a title in English.
        var get = await office.GetAsync("/api/plan-drafts/sample-county-2026");
        var etag = get.Headers.ETag!.Tag;
        var node = JsonNode.Parse(await get.Content.ReadAsStringAsync())!;
        var task3 = node["tasks"]!["tasks"]![2]!;
        task3["clauses"] = new JsonArray(new JsonObject
        {
            ["seq"] = 1, ["textZh"] = "举办县级数据创新大赛。", ["textEn"] = "", ["responsibleText"] = "省大数据局",
            ["agencies"] = new JsonArray("省大数据局"), ["andOthers"] = false,
        });
        Assert.Empty(task3["milestones"]!.AsArray()); // a sentence that was not placed yields nothing to report on
        task3["milestones"] = new JsonArray(new JsonObject
        {
            ["code"] = "M03-1", ["clause"] = 1, ["titleZh"] = "举办县级数据创新大赛", ["titleEn"] = "", ["kind"] = "event",
            ["dueDate"] = "2026-12-31", ["recurrence"] = "none", ["sourceText"] = "举办县级数据创新大赛。",
        });
        node["tasks"]!["tasks"]![0]!["titleEn"] = "Build the government services platform";
        var body = new JsonObject { ["plan"] = node["plan"]!.DeepClone(), ["tasks"] = node["tasks"]!.DeepClone(), ["agencies"] = node["agencies"]!.DeepClone() };

        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/plan-drafts/sample-county-2026") { Content = JsonContent.Create(body) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"pd0-v9\"");
        await (await office.SendAsync(stale)).ReadProblem(412);

        var put = new HttpRequestMessage(HttpMethod.Put, "/api/plan-drafts/sample-county-2026") { Content = JsonContent.Create(body) };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        var corrected = await (await office.SendAsync(put)).ReadJson<JsonElement>();
        Assert.Equal(0, corrected.GetProperty("findings").GetProperty("validationErrors").GetArrayLength());
        Assert.Equal(2, corrected.GetProperty("version").GetInt32());

        var published = await office.PostAsync("/api/plan-drafts/sample-county-2026/publish", null);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal("/api/plans/sample-county-2026", published.Headers.Location!.OriginalString);
        var plan = await (await App.CreateClient().GetAsync("/api/plans/sample-county-2026")).ReadJson<JsonElement>();
        Assert.Equal("", plan.GetProperty("titleEn").GetString()); // still to translate: the page shows the Chinese
        var task1 = await (await App.CreateClient().GetAsync("/api/plans/sample-county-2026/tasks/1")).ReadJson<JsonElement>();
        Assert.Equal("Build the government services platform", task1.GetProperty("titleEn").GetString());

        // Published is final: no more corrections or publishing, and the audit trail has every step.
        await (await office.PostAsync("/api/plan-drafts/sample-county-2026/publish", null)).ReadProblem(409);
        await (await office.PutAsJsonAsync("/api/plan-drafts/sample-county-2026", body)).ReadProblem(409);
        var list = await (await office.GetAsync("/api/plan-drafts")).ReadJson<JsonElement>();
        Assert.Contains(list.EnumerateArray(), d => d.GetProperty("code").GetString() == "sample-county-2026" && d.GetProperty("status").GetString() == "published");
        var actions = await App.WithDb(db => db.Audit.Where(a => a.EntityType == "plan-draft" && a.EntityId == "sample-county-2026").Select(a => a.Action).ToListAsync());
        Assert.Equal(["plan-draft.uploaded", "plan-draft.corrected", "plan-draft.published"], actions);
    }

    [Fact]
    public async Task Bad_uploads_and_corrections_get_problem_details_naming_the_field()
    {
        var office = await As(Role.Office);
        (await (await office.PostAsJsonAsync("/api/plan-drafts", new { text = Text })).ReadProblem(400)).AssertFieldError("code");
        (await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "Not A Code", text = Text })).ReadProblem(400)).AssertFieldError("code");
        (await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "empty-2026", text = "  " })).ReadProblem(400)).AssertFieldError("text");
        (await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "none-2026", text = "某县2026年要点\n\n全年抓好落实。" })).ReadProblem(400)).AssertFieldError("text");
        await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "x-2026", text = Text, status = "published" })).ReadProblem(400);
        (await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "big-2026", text = new string('a', 200_001) })).ReadProblem(400)).AssertFieldError("text");
        await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "guizhou-2025", text = Text })).ReadProblem(409); // a live plan
        await (await office.GetAsync("/api/plan-drafts/no-such-draft")).ReadProblem(404);
        Assert.Empty(await App.WithDb(db => db.PlanDrafts.Where(d => d.Code != "sample-county-2026").Select(d => d.Code).ToListAsync()));

        Assert.Equal(HttpStatusCode.Created, (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "twice-2026", text = Text })).StatusCode);
        await (await office.PostAsJsonAsync("/api/plan-drafts", new { code = "twice-2026", text = Text })).ReadProblem(409);
        var draft = await (await office.GetAsync("/api/plan-drafts/twice-2026")).ReadJson<JsonElement>();
        var wrongCode = JsonNode.Parse(draft.GetRawText())!;
        wrongCode["plan"]!["code"] = "other-2026";
        var body = new JsonObject { ["plan"] = wrongCode["plan"]!.DeepClone(), ["tasks"] = wrongCode["tasks"]!.DeepClone(), ["agencies"] = wrongCode["agencies"]!.DeepClone() };
        (await (await office.PutAsJsonAsync("/api/plan-drafts/twice-2026", body)).ReadProblem(400)).AssertFieldError("plan.code");
        (await (await office.PutAsJsonAsync("/api/plan-drafts/twice-2026", new { plan = wrongCode["plan"] })).ReadProblem(400)).AssertFieldError("tasks");
        Assert.DoesNotContain("twice-2026", await LivePlans());
    }
}
