using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Oversight;

/// <summary>督办 over HTTP: issue → reply (with extension) → decide → close, with role checks and reply-by deadlines.</summary>
public class InstructionTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private void At(int year, int month, int day) => _app.Clock.SetUtcNow(new DateTimeOffset(year, month, day, 2, 0, 0, TimeSpan.Zero));
    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    private static async Task<InstructionDto> Ok(Task<HttpResponseMessage> call) => await (await call).ReadJson<InstructionDto>();

    [Fact]
    public async Task Full_follow_up_cycle_with_extension_and_overdue_reply()
    {
        At(2026, 4, 10);
        var office = await As(Role.Office);
        var bureau = await As(Role.Reporter, "demo-bureau");
        var issued = await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请说明开放数据集进度滞后原因并提出整改措施", replyBy = "2026-04-20" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var i = await issued.ReadJson<InstructionDto>();
        Assert.Equal(InstructionStatus.AwaitingReply, i.Status);
        Assert.Equal($"/api/instructions/{i.Id}", issued.Headers.Location!.OriginalString);

        var inbox = await (await bureau.GetAsync("/api/agencies/demo-bureau/inbox")).ReadJson<Inbox>();
        Assert.Contains(inbox.Items, x => x.Kind == "instruction" && x.InstructionId == i.Id && x.DaysLeft == 10);

        var replied = await Ok(bureau.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "因数据治理延后，申请延期", extensionTo = "2026-05-15" }));
        Assert.Equal(InstructionStatus.Replied, replied.Status);
        Assert.Equal(new DateOnly(2026, 5, 15), replied.ExtensionRequestedTo);
        await (await bureau.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "again" })).ReadProblem(409);

        var extended = await Ok(office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "accept-extension", comment = "同意" }));
        Assert.Equal(InstructionStatus.AwaitingReply, extended.Status);
        Assert.Equal(new DateOnly(2026, 5, 15), extended.ReplyBy);

        At(2026, 5, 16); // the agency let the new date pass: the instruction is overdue
        var overdue = await (await office.GetAsync("/api/plans/demo-2026/overdue")).ReadJson<OversightList>();
        var item = Assert.Single(overdue.Items, x => x.Kind == "instruction");
        Assert.Equal(i.Id, item.InstructionId);
        Assert.Equal(1, item.DaysOverdue);
        Assert.Equal(2, item.TaskNumber);
        Assert.True((await Ok(office.GetAsync($"/api/instructions/{i.Id}"))).Overdue);

        await Ok(bureau.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "已完成整改，开放数据集 220 个" }));
        var sentBack = await Ok(office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "send-back", comment = "请附佐证材料", replyBy = "2026-05-25" }));
        Assert.Equal(InstructionStatus.AwaitingReply, sentBack.Status);
        await Ok(bureau.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "已补充佐证" }));
        var closed = await Ok(office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "close", comment = "办结" }));
        Assert.Equal(InstructionStatus.Closed, closed.Status);
        Assert.Equal(
            [InstructionEntryKind.Issued, InstructionEntryKind.Reply, InstructionEntryKind.ExtensionRequested, InstructionEntryKind.ExtensionAccepted,
             InstructionEntryKind.Reply, InstructionEntryKind.SentBack, InstructionEntryKind.Reply, InstructionEntryKind.Closed],
            closed.Thread.Select(e => e.Kind));
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "close" })).ReadProblem(409);
        await (await bureau.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "x" })).ReadProblem(409);

        var audit = await _app.WithDb(db => db.Audit.Where(a => a.EntityType == "instruction" && a.EntityId == i.Id.ToString()).CountAsync());
        Assert.Equal(7, audit); // issued, three replies, accept-extension, send-back, close
        var events = await _app.WithDb(db => db.OutboxEvents.Where(e => e.Type.StartsWith("instruction.")).CountAsync());
        Assert.Equal(audit, events);
    }

    [Fact]
    public async Task Rejected_extension_keeps_the_original_date()
    {
        At(2026, 4, 10);
        var office = await As(Role.Office);
        var west = await As(Role.Reporter, "demo-west");
        var i = await Ok(office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { measureCode = "M03-1", agency = "demo-west", text = "请报送一季度清单", replyBy = "2026-04-15" }));
        Assert.Equal(3, i.TaskNumber);
        await Ok(west.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "申请延期", extensionTo = "2026-06-30" }));
        (await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "reject-extension" })).ReadProblem(400)).AssertFieldError("comment");
        var rejected = await Ok(office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "reject-extension", comment = "不予延期" }));
        Assert.Equal(new DateOnly(2026, 4, 15), rejected.ReplyBy);
        Assert.Equal(InstructionStatus.AwaitingReply, rejected.Status);
        Assert.Null(rejected.ExtensionRequestedTo);
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "accept-extension", comment = "x" })).ReadProblem(409);
    }

    [Fact]
    public async Task Roles_and_validation_are_enforced()
    {
        At(2026, 4, 10);
        var office = await As(Role.Office);
        var body = new { taskNumber = 2, agency = "demo-bureau", text = "请说明", replyBy = "2026-04-20" };
        await (await _app.CreateClient().PostAsJsonAsync("/api/plans/demo-2026/instructions", body)).ReadProblem(401);
        await (await (await As(Role.Viewer)).PostAsJsonAsync("/api/plans/demo-2026/instructions", body)).ReadProblem(403);
        await (await (await As(Role.Reporter, "demo-bureau")).PostAsJsonAsync("/api/plans/demo-2026/instructions", body)).ReadProblem(403);

        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { taskNumber = 2, agency = "demo-west", text = "x", replyBy = "2026-04-20" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { taskNumber = 2, agency = "demo-districts", text = "x", replyBy = "2026-04-20" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { taskNumber = 2, agency = "demo-bureau", text = "x", replyBy = "2026-04-01" })).ReadProblem(400)).AssertFieldError("replyBy");
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { agency = "demo-bureau", text = "x", replyBy = "2026-04-20" })).ReadProblem(400)).AssertFieldError("taskNumber");
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { taskNumber = 9, agency = "demo-bureau", text = "x", replyBy = "2026-04-20" })).ReadProblem(400)).AssertFieldError("taskNumber");
        (await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions", new { taskNumber = 2, agency = "demo-bureau", text = "", replyBy = "2026-04-20" })).ReadProblem(400)).AssertFieldError("text");
        await (await office.PostAsJsonAsync("/api/plans/nope/instructions", body)).ReadProblem(404);

        var i = await Ok(office.PostAsJsonAsync("/api/plans/demo-2026/instructions", body));
        await (await (await As(Role.Reporter, "demo-east")).PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "not mine" })).ReadProblem(403);
        await (await (await As(Role.Reporter, "demo-bureau")).PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "close" })).ReadProblem(403);
        (await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "archive" })).ReadProblem(400)).AssertFieldError("$.action");
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "send-back", comment = "x" })).ReadProblem(409); // nothing replied yet
        await (await office.GetAsync("/api/instructions/99999")).ReadProblem(404);
        var listed = await (await office.GetAsync("/api/plans/demo-2026/instructions?agency=demo-bureau")).ReadJson<List<InstructionDto>>();
        Assert.Equal(i.Id, Assert.Single(listed).Id);
    }

    [Fact]
    public async Task Inbox_lists_what_an_agency_owes_by_deadline_and_is_private()
    {
        At(2026, 4, 8);
        var west = await As(Role.Reporter, "demo-west");
        var office = await As(Role.Office);
        var milestone = await _app.WithDb(db => db.Measures.Where(m => m.Code == "M03-1" && m.Plan.Code == "demo-2026").Select(m => m.Id).SingleAsync());
        var report = await (await west.PostAsJsonAsync($"/api/milestones/{milestone}/reports", new { status = "done", asOf = "2026-03-31", period = "2026-Q1" })).ReadJson<ReportDto>();
        var returned = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
        { Content = JsonContent.Create(new { decision = "return", comment = "缺少清单附件" }), Headers = { { "If-Match", report.ETag } } };
        Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(returned)).StatusCode);

        var inbox = await (await west.GetAsync("/api/agencies/demo-west/inbox")).ReadJson<Inbox>();
        var back = Assert.Single(inbox.Items, x => x.Kind == "report-returned");
        Assert.Equal(report.Id, back.ReportId);
        Assert.Equal("缺少清单附件", back.Comment);
        // The returned Q1 report no longer counts, so Q1 is owed (deadline 04-05 passed).
        Assert.Contains(inbox.Items, x => x.Kind == "report-missing" && x.Code == "M03-1" && x.Periods!.SequenceEqual(["2026-Q1"]));
        Assert.True(inbox.Items.Zip(inbox.Items.Skip(1)).All(p => p.First.Deadline <= p.Second.Deadline));

        await (await west.GetAsync("/api/agencies/demo-bureau/inbox")).ReadProblem(403);
        Assert.Equal(HttpStatusCode.OK, (await office.GetAsync("/api/agencies/demo-west/inbox")).StatusCode);
        await (await _app.CreateClient().GetAsync("/api/agencies/demo-west/inbox")).ReadProblem(401);
        await (await office.GetAsync("/api/agencies/nobody/inbox")).ReadProblem(404);

        At(2026, 6, 20); // Q2 deadline (07-05) is within the 14-day look-ahead? No: 15 days away. At 06-21 it is.
        Assert.DoesNotContain((await (await west.GetAsync("/api/agencies/demo-west/inbox")).ReadJson<Inbox>()).Items, x => x.Kind == "report-due");
        At(2026, 6, 21);
        var due = (await (await west.GetAsync("/api/agencies/demo-west/inbox")).ReadJson<Inbox>()).Items.Single(x => x.Kind == "report-due");
        Assert.Equal(new DateOnly(2026, 7, 5), due.Deadline);
        Assert.Equal(14, due.DaysLeft);
    }
}
