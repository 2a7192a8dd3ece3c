using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using TaskTracker.Domain;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Reach;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Notifications;

namespace TaskTracker.Tests.Reach;

/// <summary>
/// The daily digest against a real SMTP server (aiosmtpd on loopback) and a local robot endpoint that checks DingTalk's
/// signature and WeCom's key: one message per contact in their language and one per robot, once a day.
/// </summary>
public class DigestTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    private readonly RobotReceiver _robots = new();
    private readonly TaskTrackerApp _app = new();

    public DigestTests()
    {
        foreach (var (k, v) in _smtp.Settings()) _app.Settings[k] = v;
        _app.Settings["Notifications:MaxAttempts"] = "2";
        _app.Settings["Notifications:BackoffBase"] = "00:01:00";
        _robots.Now = () => _app.Clock.GetUtcNow();
        At(2026, 4, 10);
    }

    public Task InitializeAsync() => _app.InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        await _robots.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private void At(int year, int month, int day, int hourUtc = 2) => _app.Clock.SetUtcNow(new DateTimeOffset(year, month, day, hourUtc, 0, 0, TimeSpan.Zero));
    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    [Fact]
    public async Task Digest_reaches_each_contact_in_their_language_and_each_robot_signed_and_a_second_run_the_same_day_sends_nothing()
    {
        var office = await As(Role.Office);
        var admin = await As(Role.Admin);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "wangwu@bureau.example.cn" })).ReadJson<ContactDto>();
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "Li Si", email = "lisi@bureau.example.cn", language = "en" })).ReadJson<ContactDto>();
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots", new { platform = "dingtalk", url = _robots.DingTalkUrl, secret = _robots.DingTalkSecret }))
            .ReadJson<RobotCreatedDto>();
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots", new { platform = "wecom", url = _robots.WeComUrl })).ReadJson<RobotCreatedDto>();
        var issued = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请说明开放数据集进度滞后原因", replyBy = "2026-04-20" })).ReadJson<InstructionDto>();

        var run = await (await admin.PostAsync("/api/reminders/run?asOf=2026-04-10", null)).ReadJson<DigestRunDto>();
        Assert.Equal((1, 1, 0, 4), (run.Agencies, run.Written, run.AlreadySent, run.Messages));
        Assert.All(run.Deliveries, d => Assert.True(d.State == DeliveryState.Delivered, $"{d.Channel} {d.State}: {d.LastError}"));
        Assert.Equal(["dingtalk", "email", "email", "wecom"], run.Deliveries.Select(d => d.Channel).Order());

        // What the digest must list: the agency's inbox as the API shows it, plus the overdue measures it leads.
        var inbox = await (await office.GetAsync("/api/agencies/demo-bureau/inbox?asOf=2026-04-10")).ReadJson<Inbox>();
        Assert.Contains(inbox.Items, i => i.Kind == "report-missing");
        Assert.Contains(inbox.Items, i => i.InstructionId == issued.Id);

        var mails = _smtp.Messages();
        Assert.Equal(2, mails.Count);
        var zh = mails.Single(m => m.To.Mailboxes.Single().Address == "wangwu@bureau.example.cn");
        var en = mails.Single(m => m.To.Mailboxes.Single().Address == "lisi@bureau.example.cn");
        Assert.Equal("duchashi@example.gov.cn", zh.From.Mailboxes.Single().Address);
        Assert.StartsWith("【督查提醒】", zh.Subject);
        Assert.Contains($"{inbox.Items.Count} 项", zh.Subject);
        Assert.StartsWith("[TaskTracker]", en.Subject);
        Assert.Contains("缺报的报告期", zh.TextBody);
        Assert.Contains("待回复的督办", zh.TextBody);
        Assert.Contains("Missing reports", en.TextBody);
        Assert.DoesNotContain("缺报", en.TextBody);
        foreach (var item in inbox.Items.Where(i => i.Code is not null))
        {
            Assert.Contains(item.Code!, zh.TextBody);
            Assert.Contains(item.Code!, en.TextBody);
        }
        Assert.Contains($"督办 #{issued.Id}", zh.TextBody);
        Assert.Contains("截止 2026-04-20（剩 10 天）", zh.TextBody);

        var calls = _robots.Requests;
        Assert.Equal(2, calls.Count);
        var ding = calls.Single(r => r.Platform == "dingtalk");
        Assert.True(ding.SignatureValid, $"DingTalk signature rejected: {ding.Query}");
        Assert.Equal(_app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), ding.Timestamp);
        Assert.Equal("markdown", ding.Json["msgtype"]!.ToString());
        Assert.Equal(zh.Subject, ding.Json["markdown"]!["title"]!.ToString());
        Assert.Contains("缺报的报告期", ding.Json["markdown"]!["text"]!.ToString());
        var wecom = calls.Single(r => r.Platform == "wecom");
        Assert.True(wecom.SignatureValid);
        Assert.Equal("markdown", wecom.Json["msgtype"]!.ToString());
        Assert.Contains("### 【督查提醒】", wecom.Json["markdown"]!["content"]!.ToString());

        // Same day again (a retry, another instance, a restart): nothing new is written or sent.
        _app.Clock.Advance(TimeSpan.FromHours(3));
        var again = await (await admin.PostAsync("/api/reminders/run?asOf=2026-04-10", null)).ReadJson<DigestRunDto>();
        Assert.Equal((0, 1, 0), (again.Written, again.AlreadySent, again.Messages));
        Assert.Equal(2, _smtp.Messages().Count);
        Assert.Equal(2, _robots.Requests.Count);
        Assert.Equal(1, await _app.WithDb(db => db.OutboxEvents.CountAsync(e => e.Type == ReachEventTypes.Digest)));

        // The next day is a new digest.
        At(2026, 4, 11);
        var next = await (await admin.PostAsync("/api/reminders/run", null)).ReadJson<DigestRunDto>();
        Assert.Equal((new DateOnly(2026, 4, 11), 1, 4), (next.AsOf, next.Written, next.Messages));
        Assert.Equal(4, _smtp.Messages().Count);
    }

    [Fact]
    public async Task Two_instances_running_the_digest_together_send_it_once()
    {
        var office = await As(Role.Office);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "wangwu@bureau.example.cn" })).ReadJson<ContactDto>();
        var settings = new Dictionary<string, string?>(_smtp.Settings()) { ["Notifications:Enabled"] = "false", ["Reach:Enabled"] = "false" };
        await using var a = new ServiceInstance(_app, _app.Clock, settings);
        await using var b = new ServiceInstance(_app, _app.Clock, settings);
        var token = await _app.TokenAsync(Role.Admin);
        var runs = await Task.WhenAll(new[] { a.ClientWith(token), b.ClientWith(token), a.ClientWith(token), b.ClientWith(token) }
            .Select(async c => await (await c.PostAsync("/api/reminders/run?asOf=2026-04-10", null)).ReadJson<DigestRunDto>()));
        Assert.Equal(1, runs.Sum(r => r.Written));
        Assert.Equal(3, runs.Sum(r => r.AlreadySent));
        Assert.Single(_smtp.Messages());
    }

    [Fact]
    public async Task Failed_messages_back_off_then_fail_visibly_and_a_redrive_sends_them()
    {
        var office = await As(Role.Office);
        var admin = await As(Role.Admin);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots", new { platform = "wecom", url = _robots.WeComUrl })).ReadJson<RobotCreatedDto>();
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots", new { platform = "dingtalk", url = _robots.DingTalkUrl, secret = "SECnot-the-right-one" }))
            .ReadJson<RobotCreatedDto>();
        _robots.FailWith = 503;

        var run = await (await admin.PostAsync("/api/reminders/run?asOf=2026-04-10", null)).ReadJson<DigestRunDto>();
        var first = run.Deliveries.Single(d => d.Channel == "wecom");
        Assert.Equal((DeliveryState.Pending, 1), (first.State, first.Attempts));
        Assert.StartsWith("HTTP 503", first.LastError);
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime.AddMinutes(1), first.NextAttemptAtUtc); // Notifications:BackoffBase

        // Not due yet: nothing is sent.
        Assert.Equal(0, await Drain());
        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        _robots.FailWith = null;
        Assert.Equal(2, await Drain());
        var all = await (await office.GetAsync("/api/reach/deliveries?agency=demo-bureau")).ReadJson<Paged<ReachDeliveryDto>>();
        Assert.Equal(DeliveryState.Delivered, all.Items.Single(d => d.Channel == "wecom").State);
        // The wrong DingTalk secret is refused by the platform (errcode 310000): after MaxAttempts it is failed and says why.
        var failed = await (await office.GetAsync("/api/reach/deliveries?state=failed")).ReadJson<Paged<ReachDeliveryDto>>();
        var ding = Assert.Single(failed.Items);
        Assert.Equal(("dingtalk", 2), (ding.Channel, ding.Attempts));
        Assert.Equal("errcode 310000: sign not match", ding.LastError);
        Assert.Null(ding.NextAttemptAtUtc);
        Assert.Equal(4, _robots.Requests.Count); // each robot twice

        // Only failed messages can be re-driven; a reminder that failed while the endpoint was down goes once it is back.
        await (await office.PostAsync($"/api/reach/deliveries/{all.Items.Single(d => d.Channel == "wecom").Id}/redrive", null)).ReadProblem(409);
        _robots.FailWith = 500;
        var reminderTarget = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请补报一季度数据", replyBy = "2026-04-20" })).ReadJson<InstructionDto>();
        var reminder = await (await office.PostAsJsonAsync($"/api/instructions/{reminderTarget.Id}/reminders", new { note = "请今日回复" })).ReadJson<ReminderDto>();
        var wecomReminder = reminder.Deliveries.Single(d => d.Channel == "wecom");
        Assert.Equal(DeliveryState.Pending, wecomReminder.State);
        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        await Drain();
        var nowFailed = await (await office.GetAsync($"/api/reach/deliveries?state=failed&agency=demo-bureau")).ReadJson<Paged<ReachDeliveryDto>>();
        Assert.Contains(nowFailed.Items, d => d.Id == wecomReminder.Id && d.LastError!.StartsWith("HTTP 500"));
        _robots.FailWith = null;
        var redriven = await (await office.PostAsync($"/api/reach/deliveries/{wecomReminder.Id}/redrive", null)).ReadJson<ReachDeliveryDto>();
        Assert.Equal((DeliveryState.Delivered, 1), (redriven.State, redriven.Attempts));
        Assert.Contains(_robots.Requests, r => r.Platform == "wecom" && r.Body.Contains("请今日回复"));
        var audit = await (await office.GetAsync("/api/audit?entityType=reach-delivery")).Content.ReadAsStringAsync();
        Assert.Contains("reach.delivery.redriven", audit);
        await (await (await As(Role.Reporter, "demo-bureau")).GetAsync("/api/reach/deliveries")).ReadProblem(403);
        (await (await office.GetAsync("/api/reach/deliveries?state=lost")).ReadProblem(400)).AssertFieldError("state");
    }

    [Fact]
    public async Task Run_needs_an_admin_and_a_valid_date()
    {
        (await (await (await As(Role.Admin)).PostAsync("/api/reminders/run?asOf=2026-13-01", null)).ReadProblem(400)).AssertFieldError("asOf");
        (await (await (await As(Role.Admin)).PostAsync("/api/reminders/run?asOf=1900-01-01", null)).ReadProblem(400)).AssertFieldError("asOf");
        await (await (await As(Role.Office)).PostAsync("/api/reminders/run", null)).ReadProblem(403);
        await (await _app.CreateClient().PostAsync("/api/reminders/run", null)).ReadProblem(401);
        var nobody = await (await (await As(Role.Admin)).PostAsync("/api/reminders/run?asOf=2026-04-10", null)).ReadJson<DigestRunDto>();
        Assert.Equal((0, 0, 0), (nobody.Agencies, nobody.Written, nobody.Messages)); // no agency has anyone to tell
    }

    private Task<int> Drain() => _app.Services.InScope(sp => sp.GetRequiredService<ReachDispatcher>().DrainAsync(null, CancellationToken.None));
}
