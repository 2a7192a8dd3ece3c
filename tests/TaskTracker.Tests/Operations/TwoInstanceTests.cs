using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Operations;

/// <summary>
/// Two independent service instances (own containers, own caches) on one database: on PostgreSQL in the
/// PostgreSQL run of the suite, on one SQLite file in the SQLite run. Instance A runs on a fake clock (mid-2025) and B on
/// the real one: far worse skew than real servers have, so B sees A's idempotency claims as expired and takes them
/// over, and only the claim's owner mark keeps a key to one report.
/// </summary>
public class TwoInstanceTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _a = new();
    private SecondInstance _b = null!;

    private sealed class SecondInstance(string provider, string connection, string seedRoot) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Database:Provider", provider);
            builder.UseSetting(provider == "Postgres" ? "Database:PostgresConnectionString" : "Database:SqlitePath", connection);
            builder.UseSetting("Database:SeedPath", seedRoot);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Access:AllowAnonymousReads", "true");
            builder.UseSetting("Operations:RateLimitPermits", "1000000");
            builder.UseSetting("Notifications:Enabled", "false");
        }
    }

    public async Task InitializeAsync()
    {
        await _a.InitializeAsync();
        var connection = await _a.WithDb(db => Task.FromResult(_a.IsPostgres ? db.Database.GetConnectionString()! : _a.DatabasePath));
        _b = new SecondInstance(_a.IsPostgres ? "Postgres" : "Sqlite", connection, _a.SeedRoot);
        _ = _b.Server;
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await ((IAsyncLifetime)_a).DisposeAsync();
    }

    private HttpClient B(string? token)
    {
        var c = _b.CreateClient();
        if (token is not null) c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return c;
    }

    private Task<int> Id(string code) => _a.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());

    [Fact]
    public async Task Concurrent_filings_through_both_instances_are_all_kept()
    {
        var token = await _a.TokenAsync(Role.Reporter, "bigdata-bureau");
        var (a, b) = (_a.ClientWith(token), B(token));
        var url = $"/api/targets/{await Id("T02-1")}/reports";
        var before = await _a.WithDb(db => db.Reports.CountAsync());
        var sends = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).PostAsJsonAsync(url, new { value = 100 + i, asOf = "2025-06-30" }));
        var responses = await Task.WhenAll(sends);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(r => r.ReadJson<ReportDto>()));
        Assert.Equal(40, ids.Select(r => r.Id).Distinct().Count());
        Assert.Equal(before + 40, await _a.WithDb(db => db.Reports.CountAsync()));
    }

    [Fact]
    public async Task An_idempotency_key_is_honoured_across_instances()
    {
        var token = await _a.TokenAsync(Role.Reporter, "bigdata-bureau");
        var (a, b) = (_a.ClientWith(token), B(token));
        var url = $"/api/targets/{await Id("T03-1")}/reports";
        var before = await _a.WithDb(db => db.Reports.CountAsync());
        for (var round = 0; round < 5; round++)
        {
            var key = $"two-instances-{round}";
            HttpRequestMessage Request() => new(HttpMethod.Post, url) { Content = JsonContent.Create(new { value = 40 + round, asOf = "2025-06-30" }), Headers = { { "Idempotency-Key", key } } };
            var responses = await Task.WhenAll(a.SendAsync(Request()), b.SendAsync(Request()), a.SendAsync(Request()), b.SendAsync(Request()));
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
            var created = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.ReadJson<ReportDto>()));
            Assert.Single(created.Select(c => c.Id).Distinct());
            // A later retry on the other instance replays the same report.
            var replay = await (round % 2 == 0 ? b : a).SendAsync(Request());
            Assert.Equal(created[0].Id, (await replay.ReadJson<ReportDto>()).Id);
        }
        Assert.Equal(before + 5, await _a.WithDb(db => db.Reports.CountAsync()));
    }

    [Fact]
    public async Task ETags_agree_across_instances_and_change_when_either_writes()
    {
        const string url = "/api/plans/guizhou-2025/dashboard?asOf=2025-06-30";
        var first = await _a.CreateClient().GetAsync(url);
        var etag = first.Headers.ETag!.Tag;
        var fromB = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "If-None-Match", etag } } };
        Assert.Equal(HttpStatusCode.NotModified, (await _b.CreateClient().SendAsync(fromB)).StatusCode);

        var token = await _a.TokenAsync(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await B(token).PostAsJsonAsync($"/api/targets/{await Id("T06-1")}/reports", new { value = 260, asOf = "2025-06-30" })).StatusCode);

        var fromA = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "If-None-Match", etag } } };
        var changed = await _a.CreateClient().SendAsync(fromA);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var newTag = changed.Headers.ETag!.Tag;
        Assert.NotEqual(etag, newTag);
        Assert.Equal(newTag, (await _b.CreateClient().GetAsync(url)).Headers.ETag!.Tag);
        var dashboard = await changed.ReadJson<Standing.PlanDashboard>();
        Assert.Equal(260m, dashboard.Tasks.Single(t => t.Number == 6).Measures.Single(m => m.Code == "T06-1").LatestValue);
    }

    [Fact]
    public async Task A_dashboard_cached_on_one_instance_changes_after_a_filing_on_the_other()
    {
        const string url = "/api/plans/guizhou-2025/dashboard?asOf=2025-06-30";
        var a = _a.CreateClient();
        var cached = await (await a.GetAsync(url)).Content.ReadAsByteArrayAsync();
        var entries = _a.Service<Common.DashboardResponseCache>().Count;
        Assert.True(entries >= 1);
        Assert.Equal(cached, await (await a.GetAsync(url)).Content.ReadAsByteArrayAsync());
        Assert.Equal(entries, _a.Service<Common.DashboardResponseCache>().Count);
        // What A holds is byte for byte what B computes.
        Assert.Equal(cached, await (await _b.CreateClient().GetAsync(url)).Content.ReadAsByteArrayAsync());

        var token = await _a.TokenAsync(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await B(token).PostAsJsonAsync($"/api/targets/{await Id("T06-1")}/reports", new { value = 270, asOf = "2025-06-30" })).StatusCode);

        var fromA = await a.GetAsync(url);
        var fresh = await fromA.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(cached, fresh);
        var dashboard = await fromA.ReadJson<Standing.PlanDashboard>();
        Assert.Equal(270m, dashboard.Tasks.Single(t => t.Number == 6).Measures.Single(m => m.Code == "T06-1").LatestValue);
        Assert.Equal(fresh, await (await _b.CreateClient().GetAsync(url)).Content.ReadAsByteArrayAsync());
    }
}
