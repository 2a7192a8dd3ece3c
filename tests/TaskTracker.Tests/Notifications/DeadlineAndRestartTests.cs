using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using TaskTracker.Domain;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Oversight;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Notifications;

/// <summary>
/// What survives a restart: deliveries still pending when an instance stops, and deadlines that pass while no
/// instance runs. The "restarted" service is a new instance (own container, own background loop) on the same database.
/// </summary>
public class DeadlineAndRestartTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _db = new(); // owns the database; its own loop is off
    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync()
    {
        _db.Settings["Outbound:AllowedNetworks:0"] = "127.0.0.1/32"; // the receiver is on loopback, which is refused by default
        return _db.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await ((IAsyncLifetime)_db).DisposeAsync();
    }

    private static Dictionary<string, string?> Running => new()
    {
        ["Notifications:Enabled"] = "true", ["Notifications:PollInterval"] = "00:00:00.050", ["Notifications:DeadlineScanInterval"] = "01:00:00",
        ["Outbound:AllowedNetworks:0"] = "127.0.0.1/32",
    };

    private static Dictionary<string, string?> Stopped => new() { ["Notifications:Enabled"] = "false", ["Outbound:AllowedNetworks:0"] = "127.0.0.1/32" };

    private static FakeTimeProvider ClockAt(int y, int m, int d) => new(new DateTimeOffset(y, m, d, 2, 0, 0, TimeSpan.Zero));

    private async Task<WebhookCreatedDto> Register(params string[] types)
    {
        var office = _db.ClientWith(await _db.TokenAsync(Role.Office));
        return await (await office.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, eventTypes = types })).ReadJson<WebhookCreatedDto>();
    }

    private Task<int> DemoMeasure(string code) =>
        _db.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "demo-2026").Select(m => m.Id).SingleAsync());

    private Task<List<OutboxEvent>> Events(string key) => _db.WithDb(db => db.OutboxEvents.AsNoTracking().Where(e => e.DedupKey == key).ToListAsync());

    [Fact]
    public async Task A_delivery_pending_when_the_service_stops_is_sent_by_the_next_one()
    {
        var hook = await Register(EventTypes.ReportFiled);
        var clock = ClockAt(2025, 7, 1);
        long deliveryId;
        await using (var first = new ServiceInstance(_db, clock, Stopped))
        {
            var reporter = first.ClientWith(await _db.TokenAsync(Role.Reporter, "bigdata-bureau"));
            var measure = await _db.WithDb(db => db.Measures.Where(m => m.Code == "T02-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
            Assert.Equal(HttpStatusCode.Created, (await reporter.PostAsJsonAsync($"/api/targets/{measure}/reports", new { value = 130, asOf = "2025-06-30" })).StatusCode);
            var pending = await _db.WithDb(db => db.WebhookDeliveries.AsNoTracking().SingleAsync());
            Assert.Equal(DeliveryState.Pending, pending.State);
            deliveryId = pending.Id;
        } // stopped before sending anything
        Assert.Empty(_receiver.Requests);

        await using var second = new ServiceInstance(_db, clock, Running);
        _ = second.Server; // its background loop picks the delivery up
        await NotificationHelpers.WaitUntil(async () => (await _db.WithDb(db => db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId))).State == DeliveryState.Delivered,
            "the restarted service to deliver");
        var r = Assert.Single(_receiver.Requests);
        Assert.Equal(deliveryId, r.DeliveryId);
        Assert.True(WebhookReceiver.SignatureValid(r, hook.Secret));
    }

    [Fact]
    public async Task A_deadline_that_passed_while_nothing_ran_gives_one_event_after_restart()
    {
        await Register(EventTypes.MeasureOverdue);
        var measure = await DemoMeasure("T02-1");
        var key = DeadlineWatcher.MeasureKey(measure, new DateOnly(2026, 12, 31));

        await using (var before = new ServiceInstance(_db, ClockAt(2026, 12, 20), Stopped))
        {
            await before.Services.ScanAsync(); // long-past Guizhou deadlines give their events; T02-1 is not due yet
            Assert.Empty(await Events(key));
            Assert.Equal(0, await before.Services.ScanAsync()); // a second scan writes nothing new
        }

        // The service is down over new year; it comes back on 5 January.
        await using var after = new ServiceInstance(_db, ClockAt(2027, 1, 5), Running);
        _ = after.Server;
        await NotificationHelpers.WaitUntil(async () => (await Events(key)).Count == 1, "the catch-up scan");
        await NotificationHelpers.WaitUntil(() => Task.FromResult(_receiver.Requests.Any(r => r.Body.Contains($"\"measureId\":{measure},"))), "the overdue event to be delivered");
        Assert.Equal(0, await after.Services.ScanAsync());
        Assert.Equal(0, await after.Services.ScanAsync());
        var ev = Assert.Single(await Events(key));
        Assert.Equal(EventTypes.MeasureOverdue, ev.Type);
        var data = JsonDocument.Parse(ev.Payload).RootElement.GetProperty("data");
        Assert.Equal("T02-1", data.GetProperty("code").GetString());
        Assert.Equal("demo-2026", data.GetProperty("plan").GetString());
        Assert.Equal(5, data.GetProperty("daysOverdue").GetInt32());

        await after.Services.DrainAsync();
        var all = await _db.WithDb(db => db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.MeasureOverdue).Select(e => e.DedupKey).ToListAsync());
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Single(_receiver.Requests, r => r.Body.Contains($"\"measureId\":{measure},"));
        Assert.Equal(_receiver.Requests.Count, _receiver.Requests.Select(r => r.DeliveryId).Distinct().Count());
    }

    [Fact]
    public async Task An_instruction_past_its_reply_by_date_gives_one_event()
    {
        _db.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 10, 2, 0, 0, TimeSpan.Zero));
        var office = _db.ClientWith(await _db.TokenAsync(Role.Office));
        var issued = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请报送开放数据集进度", replyBy = "2026-04-20" })).ReadJson<InstructionDto>();
        var key = DeadlineWatcher.InstructionKey(issued.Id, new DateOnly(2026, 4, 20));

        await _db.Services.ScanAsync();
        _db.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 20, 2, 0, 0, TimeSpan.Zero)); // the reply-by day itself is not late
        await _db.Services.ScanAsync();
        Assert.Empty(await Events(key));

        _db.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 21, 2, 0, 0, TimeSpan.Zero));
        await _db.Services.ScanAsync();
        await _db.Services.ScanAsync();
        var ev = Assert.Single(await Events(key));
        Assert.Equal(EventTypes.InstructionOverdue, ev.Type);
        var data = JsonDocument.Parse(ev.Payload).RootElement.GetProperty("data");
        Assert.Equal(issued.Id, data.GetProperty("instructionId").GetInt32());
        Assert.Equal("demo-bureau", data.GetProperty("agency").GetString());
        Assert.Equal(1, data.GetProperty("daysOverdue").GetInt32());
        Assert.Equal(1, await _db.WithDb(db => db.OutboxEvents.CountAsync(e => e.Type == EventTypes.InstructionOverdue)));

        // Once replied, no further overdue event for it; a scan a week later adds nothing.
        var bureau = _db.ClientWith(await _db.TokenAsync(Role.Reporter, "demo-bureau"));
        await (await bureau.PostAsJsonAsync($"/api/instructions/{issued.Id}/replies", new { text = "已报送" })).ReadJson<InstructionDto>();
        _db.Clock.Advance(TimeSpan.FromDays(7));
        await _db.Services.ScanAsync();
        Assert.Equal(1, await _db.WithDb(db => db.OutboxEvents.CountAsync(e => e.Type == EventTypes.InstructionOverdue)));
    }
}
