using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Reach;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Notifications;

namespace TaskTracker.Tests.Reach;

/// <summary>催办 sent at once, and the digest written by the background loop at the configured China time, once across a restart.</summary>
public class ReminderAndScheduleTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    private readonly TaskTrackerApp _app = new();

    public ReminderAndScheduleTests()
    {
        foreach (var (k, v) in _smtp.Settings()) _app.Settings[k] = v;
        _app.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 2, 0, 0, TimeSpan.Zero)); // 10:00 in China
    }

    public Task InitializeAsync() => _app.InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    [Fact]
    public async Task A_reminder_from_the_office_reaches_every_contact_at_once_and_is_audited()
    {
        var office = await As(Role.Office);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "wangwu@bureau.example.cn" })).ReadJson<ContactDto>();
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "Li Si", email = "lisi@bureau.example.cn", language = "en" })).ReadJson<ContactDto>();
        // A webhook for every type: it gets the instruction's own event, never the reminder (Reach delivers that itself).
        var hook = await _app.WithDb(async db =>
        {
            var w = new WebhookSubscription { Url = "https://hooks.example.gov.cn/tt", Secret = "s", CreatedAtUtc = _app.Clock.GetUtcNow().UtcDateTime };
            db.WebhookSubscriptions.Add(w);
            await db.SaveChangesAsync();
            return w.Id;
        });

        var i = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请说明开放数据集进度滞后原因并提出整改措施", replyBy = "2026-04-12" })).ReadJson<InstructionDto>();

        var sent = await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/reminders", new { note = "请于明日下班前回复" })).ReadJson<ReminderDto>();
        Assert.Equal(2, sent.Deliveries.Count);
        var hooked = await _app.WithDb(db => db.WebhookDeliveries.Where(d => d.SubscriptionId == hook).Select(d => d.Event.Type).ToListAsync());
        Assert.Equal([Common.EventTypes.InstructionIssued], hooked);
        Assert.All(sent.Deliveries, d => Assert.Equal((DeliveryState.Delivered, ReachEventTypes.Reminder), (d.State, d.EventType)));
        var mails = _smtp.Messages();
        Assert.Equal(2, mails.Count);
        var zh = mails.Single(m => m.To.Mailboxes.Single().Address == "wangwu@bureau.example.cn");
        Assert.Equal($"【催办】督办事项 #{i.Id}，请于 2026-04-12 前回复", zh.Subject);
        Assert.Contains("请说明开放数据集进度滞后原因并提出整改措施", zh.TextBody);
        Assert.Contains("办公室附言：请于明日下班前回复", zh.TextBody);
        Assert.Contains("截止 2026-04-12（剩 2 天）", zh.TextBody);
        Assert.Contains("任务2", zh.TextBody);
        var en = mails.Single(m => m.To.Mailboxes.Single().Address == "lisi@bureau.example.cn");
        Assert.Equal($"[Reminder] Instruction #{i.Id} needs your reply by 2026-04-12", en.Subject);
        Assert.Contains("Office's note: 请于明日下班前回复", en.TextBody);

        // Each 催办 is its own message: a second one is sent too.
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/reminders", new { })).ReadJson<ReminderDto>();
        Assert.Equal(4, _smtp.Messages().Count);
        var audit = await (await office.GetAsync($"/api/audit?entityType=instruction&entityId={i.Id}&action=instruction.reminded")).ReadJson<Paged<Features.Audit.AuditDto>>();
        Assert.Equal(2, audit.Total);

        // Only an open instruction, only by the office, only to an agency someone can be reached at.
        var west = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 3, agency = "demo-west", text = "请报送进展", replyBy = "2026-04-12" })).ReadJson<InstructionDto>();
        Assert.Contains("no contacts", (await (await office.PostAsJsonAsync($"/api/instructions/{west.Id}/reminders", new { })).ReadProblem(409))
            .GetProperty("detail").GetString());
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "close", comment = "已整改" })).ReadJson<InstructionDto>();
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/reminders", new { })).ReadProblem(409);
        await (await office.PostAsJsonAsync("/api/instructions/999999/reminders", new { })).ReadProblem(404);
        await (await (await As(Role.Reporter, "demo-bureau")).PostAsJsonAsync($"/api/instructions/{west.Id}/reminders", new { })).ReadProblem(403);
        await (await (await As(Role.Admin)).PostAsJsonAsync($"/api/instructions/{west.Id}/reminders", new { })).ReadProblem(403);
        (await (await office.PostAsJsonAsync($"/api/instructions/{west.Id}/reminders", new { note = "a\u0001b" })).ReadProblem(400)).AssertFieldError("note");
        (await (await office.PostAsJsonAsync($"/api/instructions/{west.Id}/reminders", new { note = new string('x', 1001) })).ReadProblem(400)).AssertFieldError("note");
        Assert.Equal(4, _smtp.Messages().Count);
    }

    [Fact]
    public async Task The_background_loop_sends_the_digest_after_the_configured_China_time_and_once_across_a_restart()
    {
        var office = await As(Role.Office);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "wangwu@bureau.example.cn" })).ReadJson<ContactDto>();
        var settings = new Dictionary<string, string?>(_smtp.Settings())
        {
            ["Notifications:Enabled"] = "false", ["Notifications:PollInterval"] = "00:00:00.050", ["Reach:Enabled"] = "true", ["Reach:DigestTime"] = "11:00",
        };
        await using (var first = new ServiceInstance(_app, _app.Clock, settings))
        {
            _ = first.Server;
            // 10:00 China time: the loop polls but the day's digest is not due. Advance past 11:00 and it goes out.
            _app.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 3, 5, 0, TimeSpan.Zero));
            await NotificationHelpers.WaitUntil(() => Task.FromResult(_smtp.Messages().Count == 1), "the 11:00 digest");
            await NotificationHelpers.WaitUntil(async () => await _app.WithDb(db => db.ReachDeliveries.AllAsync(d => d.State == DeliveryState.Delivered)), "delivery recorded");
        }
        Assert.StartsWith("【督查提醒】示例市数据局 2026年4月10日", _smtp.Messages().Single().Subject);

        // A restart later the same day finds the digest written and sends nothing more; its own digest run agrees.
        await using var second = new ServiceInstance(_app, _app.Clock, settings);
        var run = await (await second.ClientWith(await _app.TokenAsync(Role.Admin)).PostAsync("/api/reminders/run", null)).ReadJson<DigestRunDto>();
        Assert.Equal((new DateOnly(2026, 4, 10), 0, 1), (run.AsOf, run.Written, run.AlreadySent));
        Assert.Single(_smtp.Messages());
        Assert.Equal(1, await _app.WithDb(db => db.OutboxEvents.CountAsync(e => e.DedupKey == ReachWriter.DigestKey("demo-bureau", new DateOnly(2026, 4, 10)))));
    }
}

/// <summary>Mail and reach settings are checked when the service starts; without an SMTP host e-mails fail at once and say why.</summary>
public class ReachSettingsTests
{
    [Theory]
    [InlineData("Mail:From", "not an address", "Mail:From")]
    [InlineData("Mail:Port", "70000", "Port")]
    [InlineData("Mail:User", "someone", "Mail:User and Mail:Password")]
    [InlineData("Reach:DigestTime", "1.02:00:00", "Reach:DigestTime")]
    public async Task Bad_settings_stop_the_service_at_start(string key, string value, string message)
    {
        await using var app = new TaskTrackerApp();
        app.Settings["Mail:Host"] = "127.0.0.1";
        app.Settings["Mail:From"] = "duchashi@example.gov.cn";
        app.Settings[key] = value;
        var e = Assert.ThrowsAny<Exception>(() => app.Server);
        Assert.Contains(message, e.ToString());
    }

    [Fact]
    public async Task Without_an_SMTP_host_e_mails_fail_at_once_and_say_why()
    {
        await using var app = new TaskTrackerApp();
        await app.InitializeAsync();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 2, 0, 0, TimeSpan.Zero));
        var office = app.ClientWith(await app.TokenAsync(Role.Office));
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "wangwu@bureau.example.cn" })).ReadJson<ContactDto>();
        var run = await (await app.ClientWith(await app.TokenAsync(Role.Admin)).PostAsync("/api/reminders/run", null)).ReadJson<DigestRunDto>();
        var d = Assert.Single(run.Deliveries);
        Assert.Equal((DeliveryState.Failed, 1), (d.State, d.Attempts));
        Assert.Contains("Mail:Host is not configured", d.LastError);
    }
}
