using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Notifications;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Notifications;

/// <summary>
/// Two running instances (own containers, own background loops) on one database — PostgreSQL in the PostgreSQL run,
/// one SQLite file in the SQLite run — both dispatching at once: every delivery reaches the receiver exactly once.
/// </summary>
public class TwoInstanceDeliveryTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _db = new();
    private readonly WebhookReceiver _receiver = new() { Delay = TimeSpan.FromMilliseconds(15) };

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await ((IAsyncLifetime)_db).DisposeAsync();
    }

    [Fact]
    public async Task Each_delivery_is_sent_once_when_two_instances_dispatch_together()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Enabled"] = "true", ["Notifications:PollInterval"] = "00:00:00.020", ["Notifications:BatchSize"] = "3",
        };
        // Same clock for both: leases are compared against one notion of now, as with NTP-synchronised servers.
        await using var a = new ServiceInstance(_db, _db.Clock, settings);
        await using var b = new ServiceInstance(_db, _db.Clock, settings);
        _ = a.Server;
        _ = b.Server; // both loops also ran a deadline scan at start, racing on the same dedup keys

        var office = a.ClientWith(await _db.TokenAsync(Role.Office));
        var hook = await (await office.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, eventTypes = new[] { EventTypes.ReportFiled } }))
            .ReadJson<WebhookCreatedDto>();
        var token = await _db.TokenAsync(Role.Reporter, "bigdata-bureau");
        var (ca, cb) = (a.ClientWith(token), b.ClientWith(token));
        var measure = await _db.WithDb(db => db.Measures.Where(m => m.Code == "T02-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());

        const int filings = 50;
        var responses = await Task.WhenAll(Enumerable.Range(0, filings).Select(i =>
            (i % 2 == 0 ? ca : cb).PostAsJsonAsync($"/api/targets/{measure}/reports", new { value = 100 + i, asOf = "2025-06-30" })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        await NotificationHelpers.WaitUntil(
            () => _db.WithDb(async db => await db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == hook.Id && d.State == DeliveryState.Delivered) == filings),
            "all deliveries to be delivered", seconds: 90);
        await Task.Delay(300); // a duplicate send would arrive within a few poll intervals

        var received = _receiver.Requests;
        Assert.Equal(filings, received.Count);
        Assert.Equal(filings, received.Select(r => r.DeliveryId).Distinct().Count());
        Assert.All(received, r => Assert.True(WebhookReceiver.SignatureValid(r, hook.Secret)));
        var deliveries = await _db.WithDb(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == hook.Id).ToListAsync());
        Assert.All(deliveries, d => Assert.Equal((DeliveryState.Delivered, 1, (string?)null), (d.State, d.Attempts, d.LeaseOwner)));
        Assert.Equal(deliveries.Select(d => d.Id).Order(), received.Select(r => r.DeliveryId).Order());

        var keys = await _db.WithDb(db => db.OutboxEvents.AsNoTracking().Where(e => e.DedupKey != null).Select(e => e.DedupKey).ToListAsync());
        Assert.NotEmpty(keys); // Guizhou measures already overdue on 1 July 2025 produced their events, each once
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }
}
