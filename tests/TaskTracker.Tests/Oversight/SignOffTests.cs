using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Bulletin;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Progress;
using TaskTracker.Common;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Reach;

namespace TaskTracker.Tests.Oversight;

/// <summary>
/// 销号 on the demo plan: T02-1 (open datasets 100 → 300, led by demo-bureau) is task 2's only measure; M03-1 (task 3)
/// is a quarterly milestone. The office signs off what is done, only the office, and only the office reopens it.
/// </summary>
public class SignOffTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private void At(int month, int day) => _app.Clock.SetUtcNow(new DateTimeOffset(2026, month, day, 2, 0, 0, TimeSpan.Zero));
    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));
    private Task<int> Id(string code) => _app.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "demo-2026").Select(m => m.Id).SingleAsync());

    private static Task<HttpResponseMessage> Delete(HttpClient http, string url, object? body = null) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, url) { Content = body is null ? null : JsonContent.Create(body) });

    private static MeasureFigure Measure(PlanDashboard d, string code) => d.Tasks.SelectMany(t => t.Measures).Single(m => m.Code == code);

    [Fact]
    public async Task The_office_signs_off_done_work_only_it_reopens_it_and_each_step_is_audited_published_and_seen_as_of_its_date()
    {
        var office = await As(Role.Office);
        var bureau = await As(Role.Reporter, "demo-bureau");
        var viewer = await As(Role.Viewer);
        At(4, 2);
        var first = await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 150, asOf = "2026-03-31" })).ReadJson<ReportDto>();

        // Not done yet: refused with a problem naming why; an agency or a viewer is refused outright.
        var notDone = await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/T02-1/sign-off", new { comment = "x" })).ReadProblem(409);
        Assert.Contains("not done", notDone.GetProperty("detail").GetString());
        await (await bureau.PostAsJsonAsync("/api/plans/demo-2026/measures/T02-1/sign-off", new { comment = "x" })).ReadProblem(403);
        await (await viewer.PostAsJsonAsync("/api/plans/demo-2026/tasks/2/sign-off", new { })).ReadProblem(403);
        await (await _app.CreateClient().PostAsJsonAsync("/api/plans/demo-2026/tasks/2/sign-off", new { })).ReadProblem(401);
        await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/NOPE/sign-off", new { })).ReadProblem(404);
        await (await office.PostAsJsonAsync("/api/plans/demo-2026/tasks/99/sign-off", new { })).ReadProblem(404);
        await (await office.PostAsJsonAsync("/api/plans/nope/tasks/2/sign-off", new { })).ReadProblem(404);
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/tasks/2/sign-off", new { comment = new string('长', 4001) })).ReadProblem(400)).AssertFieldError("comment");

        At(4, 20);
        await (await bureau.PostAsJsonAsync($"/api/reports/{first.Id}/corrections", new { value = 300, asOf = "2026-04-20", reason = "全部开放" })).ReadJson<ReportDto>();
        var measure = await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/T02-1/sign-off", new { comment = "已核实，予以销号" })).ReadJson<SignOffDto>();
        Assert.Equal(("T02-1", 2, "已核实，予以销号"), (measure.MeasureCode, measure.TaskNumber!.Value, measure.Comment));
        var task = await (await office.PostAsJsonAsync("/api/plans/demo-2026/tasks/2/sign-off", new { comment = "任务完成" })).ReadJson<SignOffDto>();
        Assert.Null(task.MeasureCode);
        Assert.Contains("already signed off", (await (await office.PostAsJsonAsync("/api/plans/demo-2026/tasks/2/sign-off", new { })).ReadProblem(409)).GetProperty("detail").GetString());
        Assert.Contains("not done", (await (await office.PostAsJsonAsync("/api/plans/demo-2026/tasks/3/sign-off", new { })).ReadProblem(409)).GetProperty("detail").GetString());

        // The figures carry it from the day it was made; earlier dates and earlier knowledge do not.
        var today = await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-20")).ReadJson<PlanDashboard>();
        var figure = Measure(today, "T02-1").SignedOff!;
        Assert.Equal(("已核实，予以销号", measure.SignedAtUtc), (figure.Comment, figure.At));
        Assert.Equal("任务完成", today.Tasks.Single(t => t.Number == 2).SignedOff!.Comment);
        Assert.Null(Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-19")).ReadJson<PlanDashboard>(), "T02-1").SignedOff);
        Assert.Null(Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-25&knownAt=2026-04-19")).ReadJson<PlanDashboard>(), "T02-1").SignedOff);
        Assert.NotNull(Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-25&knownAt=2026-04-20")).ReadJson<PlanDashboard>(), "T02-1").SignedOff);

        // A correction that takes the figure back below target: signed off, it stays off the review lists.
        var latest = await _app.WithDb(db => db.Reports.Where(r => r.Measure.Code == "T02-1" && r.Value == 300).Select(r => r.Id).SingleAsync());
        At(4, 21);
        await (await bureau.PostAsJsonAsync($"/api/reports/{latest}/corrections", new { value = 100, asOf = "2026-04-20", reason = "统计口径调整" })).ReadJson<ReportDto>();
        async Task<bool> Listed()
        {
            var lists = new List<OversightItemView>();
            foreach (var list in new[] { "overdue", "at-risk", "missing-reports" })
                lists.AddRange((await (await office.GetAsync($"/api/plans/demo-2026/{list}?asOf=2026-04-21")).ReadJson<ListView>()).Items);
            return lists.Any(i => i.Code == "T02-1" || (i.Kind == "task" && i.TaskNumber == 2));
        }
        Assert.NotEqual(MeasureStatus.Done, Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-21")).ReadJson<PlanDashboard>(), "T02-1").Status);
        Assert.False(await Listed());

        // Only the office reopens, with a reason (body or query); then it is back on the lists.
        await (await Delete(bureau, "/api/plans/demo-2026/measures/T02-1/sign-off", new { reason = "x" })).ReadProblem(403);
        (await (await Delete(office, "/api/plans/demo-2026/measures/T02-1/sign-off")).ReadProblem(400)).AssertFieldError("reason");
        var reopened = await (await Delete(office, "/api/plans/demo-2026/measures/T02-1/sign-off", new { reason = "数据回退，重新督办" })).ReadJson<SignOffDto>();
        Assert.Equal("数据回退，重新督办", reopened.ReopenReason);
        Assert.NotNull(reopened.ReopenedAtUtc);
        await (await Delete(office, "/api/plans/demo-2026/measures/T02-1/sign-off", new { reason = "again" })).ReadProblem(409);
        await (await Delete(office, "/api/plans/demo-2026/tasks/2/sign-off?reason=%E4%BB%BB%E5%8A%A1%E6%9C%AA%E5%AE%8C%E6%88%90")).ReadJson<SignOffDto>();
        Assert.True(await Listed());
        Assert.Null(Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-21")).ReadJson<PlanDashboard>(), "T02-1").SignedOff);
        // The past stays as it was: on 04-20 it was signed off.
        Assert.NotNull(Measure(await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-20")).ReadJson<PlanDashboard>(), "T02-1").SignedOff);

        // Audited under the office's token, and published for webhooks.
        var audit = await (await office.GetAsync("/api/audit?entityType=sign-off")).ReadJson<Paged<AuditDto>>();
        Assert.Equal(["measure.sign_off_reopened", "measure.signed_off", "task.sign_off_reopened", "task.signed_off"],
            audit.Items.Select(a => a.Action).Order(StringComparer.Ordinal));
        Assert.All(audit.Items, a => Assert.NotNull(a.TokenId));
        Assert.Contains("数据回退，重新督办", audit.Items.Single(a => a.Action == "measure.sign_off_reopened").Details);
        var events = await _app.WithDb(db => db.OutboxEvents.Where(e => e.Type.Contains("sign")).Select(e => e.Type).ToListAsync());
        Assert.Equal([EventTypes.MeasureSignedOff, EventTypes.TaskSignedOff, EventTypes.MeasureSignOffReopened, EventTypes.TaskSignOffReopened], events);
        Assert.Equal(2, await _app.WithDb(db => db.SignOffs.CountAsync(s => s.ReopenedAtUtc != null)));

        // Signed off again later: a new row, and the changes list the later sign-off, not the reopened ones.
        await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 310, asOf = "2026-04-21" })).ReadJson<ReportDto>();
        At(4, 22);
        await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/T02-1/sign-off", new { comment = "复核后销号" })).ReadJson<SignOffDto>();
        var changes = await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-04-19&to=2026-04-25")).ReadJson<PlanChanges>();
        var item = Assert.Single(changes.SignedOff);
        Assert.Equal(("T02-1", 2, "复核后销号"), (item.Code, item.TaskNumber!.Value, item.Comment));
        var earlier = await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-04-19&to=2026-04-20")).ReadJson<PlanChanges>();
        Assert.Equal([(int?)2, 2], earlier.SignedOff.Select(c => c.TaskNumber)); // as it stood at the end of 04-20: both signed off then
        Assert.Equal([null, "T02-1"], earlier.SignedOff.Select(c => c.Code).Order());

        // And the bulletin lists the same items in its signed-off table, in the .docx and the .xlsx.
        var docx = BulletinReader.Docx(await (await office.GetAsync("/api/plans/demo-2026/bulletin.docx?from=2026-04-19&to=2026-04-25")).Content.ReadAsByteArrayAsync());
        Assert.Contains("本期销号事项", docx.Text);
        var rows = docx.Tables["本期销号事项"].Skip(1).ToList();
        Assert.Equal([["任务2", "T02-1", item.TitleZh, "2026-04-22", "复核后销号"]], rows);
        var xlsx = BulletinReader.Xlsx(await (await office.GetAsync("/api/plans/demo-2026/bulletin.xlsx?from=2026-04-19&to=2026-04-25")).Content.ReadAsByteArrayAsync());
        Assert.Equal(docx.Tables["本期销号事项"], xlsx["本期销号事项"]);
    }

    [Fact]
    public async Task A_sign_off_with_an_Idempotency_Key_replays_and_bad_codes_are_named()
    {
        var office = await As(Role.Office);
        var bureau = await As(Role.Reporter, "demo-bureau");
        At(4, 20);
        await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 300, asOf = "2026-04-20" })).ReadJson<ReportDto>();
        HttpRequestMessage Request() => new(HttpMethod.Post, "/api/plans/demo-2026/measures/T02-1/sign-off")
        {
            Content = JsonContent.Create(new { comment = "销号" }), Headers = { { "Idempotency-Key", "sign-off-t02-1" } },
        };
        var one = await (await office.SendAsync(Request())).ReadJson<SignOffDto>();
        var again = await office.SendAsync(Request());
        Assert.Equal(one.Id, (await again.ReadJson<SignOffDto>()).Id);
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await _app.WithDb(db => db.SignOffs.CountAsync()));
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/T02%01/sign-off", new { })).ReadProblem(400)).AssertFieldError("code");
        await (await office.PostAsync("/api/plans/demo-2026/tasks/2/sign-off", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))).ReadProblem(400);
    }

    private sealed record OversightItemView(string Kind, int? TaskNumber, string? Code);
    private sealed record ListView(List<OversightItemView> Items);
}
