using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Notifications;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Notifications;

/// <summary>
/// Two instances (own containers, own dispatchers) on one database — PostgreSQL in the PostgreSQL run,
/// one SQLite file in the SQLite run — both dispatching at once: every delivery reaches the receiver exactly once,
/// and deadline scans racing on the same dedup keys write each event once.
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
        // Loops off: the test starts every dispatcher at the same moment on a full queue, the worst case for double sends.
        var settings = new Dictionary<string, string?> { ["Notifications:Enabled"] = "false", ["Notifications:BatchSize"] = "3",
            ["Outbound:AllowedNetworks:0"] = "127.0.0.1/32" }; // the receiver is on loopback, refused by default
        // Same clock for both: leases are compared against one notion of now, as with NTP-synchronised servers.
        await using var a = new ServiceInstance(_db, _db.Clock, settings);
        await using var b = new ServiceInstance(_db, _db.Clock, settings);

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
        Assert.Equal(filings, await _db.WithDb(db => db.WebhookDeliveries.CountAsync(d => d.State == DeliveryState.Pending)));

        // Three dispatchers per instance, released together, each claiming small batches until nothing is pending.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // an async gate: blocking waits would starve the thread pool on 2 cores
        var attemptsBy = new int[6];
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var services = (w % 2 == 0 ? a : b).Services;
            await start.Task;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                attemptsBy[w] += await services.InScope(sp => sp.GetRequiredService<WebhookDispatcher>().DispatchOnceAsync(CancellationToken.None));
                if (!await _db.WithDb(db => db.WebhookDeliveries.AnyAsync(d => d.State == DeliveryState.Pending))) return;
            }
        })).ToList();
        // Both instances also scan for deadlines at the same moment, racing on the same dedup keys.
        var scans = new[] { a, b, a, b }.Select(i => Task.Run(async () => { await start.Task; return await i.Services.ScanAsync(); })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);
        var notDelivered = await _db.WithDb(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.State != DeliveryState.Delivered)
            .Select(d => $"{d.Id} {d.State} {d.Attempts} {d.LastStatusCode} {d.LastError}").ToListAsync());
        Assert.True(notDelivered.Count == 0, string.Join("; ", notDelivered));
        await Task.WhenAll(scans);
        Assert.True(attemptsBy.Where((_, w) => w % 2 == 0).Sum() > 0 && attemptsBy.Where((_, w) => w % 2 == 1).Sum() > 0,
            $"both instances should have sent some: {string.Join(",", attemptsBy)}");
        Assert.Equal(filings, attemptsBy.Sum());

        var received = _receiver.Requests;
        Assert.Equal(filings, received.Count);
        Assert.Equal(filings, received.Select(r => r.DeliveryId).Distinct().Count());
        Assert.All(received, r => Assert.True(WebhookReceiver.SignatureValid(r, hook.Secret)));
        var deliveries = await _db.WithDb(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == hook.Id).ToListAsync());
        Assert.All(deliveries, d => Assert.Equal((DeliveryState.Delivered, 1, (string?)null), (d.State, d.Attempts, d.LeaseOwner)));
        Assert.Equal(deliveries.Select(d => d.Id).Order(), received.Select(r => r.DeliveryId).Order());

        var keys = await _db.WithDb(db => db.OutboxEvents.AsNoTracking().Where(e => e.DedupKey != null).Select(e => e.DedupKey).ToListAsync());
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }
}
