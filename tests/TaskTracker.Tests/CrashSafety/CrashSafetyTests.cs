using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Features.Dashboards;
using TaskTracker.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TaskTracker.Tests.CrashSafety;

/// <summary>
/// The real service binary under concurrent filings, killed with SIGKILL mid-load and started again: every
/// acknowledged report survives exactly once, retries with the same Idempotency-Key never duplicate, the SQLite file
/// passes integrity_check, and the dashboard equals a recomputation from the stored reports. On PostgreSQL in the
/// PostgreSQL run.
/// </summary>
[Collection(CrashCollection.Name)]
public class CrashSafetyTests(ITestOutputHelper output)
{
    // Targets the big-data bureau answers for (as lead of the plan's headline targets or of the task).
    private static readonly string[] Codes = ["T02-1", "T03-1", "T06-1", "H1"];
    private const int Clients = 8, PerClient = 60;

    private enum Outcome { NotSent, Acknowledged, Failed, Unknown }

    private sealed record Attempt(int N, string Key, string Url, int Value)
    {
        public Outcome Outcome { get; set; } = Outcome.NotSent;
        public long? ReportId { get; set; }
        public int? Status { get; set; }
        public object Body => new { value = Value, asOf = "2025-06-30", narrative = $"crash-test {Key}" };
    }

    [Fact]
    public async Task Acknowledged_reports_survive_a_SIGKILL_exactly_once_and_retries_do_not_duplicate()
    {
        var watch = Stopwatch.StartNew();
        await using var db = new ServiceDatabase();
        var token = await ServiceProcess.CreateTokenAsync(db, "--role", "reporter", "--agency", "bigdata-bureau", "--name", "crash");
        var service = await ServiceProcess.StartAsync(db);
        output.WriteLine($"started after {watch.Elapsed}");

        Dictionary<string, int> ids;
        using (var sp = db.OpenDb())
        using (var scope = sp.CreateScope())
        {
            var ctx = scope.ServiceProvider.GetRequiredService<TaskTrackerDb>();
            ids = await ctx.Measures.Where(m => Codes.Contains(m.Code) && m.Plan.Code == "guizhou-2025").ToDictionaryAsync(m => m.Code, m => m.Id);
        }

        var attempts = Enumerable.Range(0, Clients * PerClient)
            .Select(n => new Attempt(n, $"crash-{n}-{Guid.NewGuid():N}", $"/api/targets/{ids[Codes[n % Codes.Length]]}/reports", n + 1)).ToList();
        var acks = 0;
        var serverErrors = new ConcurrentBag<string>();
        var killed = new TaskCompletionSource();

        async Task Client(int c)
        {
            using var http = service.Client(token);
            foreach (var a in attempts.Where(a => a.N % Clients == c))
            {
                if (killed.Task.IsCompleted && Random.Shared.Next(10) != 0) break; // most clients stop once the server is gone
                a.Outcome = Outcome.Unknown;
                try
                {
                    var r = await Send(http, a);
                    a.Status = (int)r.StatusCode;
                    if (r.StatusCode == HttpStatusCode.Created)
                    {
                        a.ReportId = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                        a.Outcome = Outcome.Acknowledged;
                        Interlocked.Increment(ref acks);
                    }
                    else if ((int)r.StatusCode is >= 400 and < 500) a.Outcome = Outcome.Failed;
                    else serverErrors.Add($"{a.Key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
                {
                    // No (complete) answer: the report may or may not have been stored.
                }
            }
        }

        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))).ToArray();
        var killDeadline = Stopwatch.StartNew();
        while (Volatile.Read(ref acks) < 40 && killDeadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(5);
        killed.SetResult(); // first, so clients stop sending to a dead port rather than piling up refused connections
        service.Kill();
        output.WriteLine($"killed after {Volatile.Read(ref acks)} acks at {watch.Elapsed}");
        await Task.WhenAll(load);
        await service.DisposeAsync();

        Assert.True(acks >= 40, "too few acknowledgements before the kill:\n" + service.Log);
        Assert.Empty(serverErrors);

        // Start again on the same database and retry every request whose outcome is unknown, with the same key and body.
        await using var restarted = await ServiceProcess.StartAsync(db);
        output.WriteLine($"restarted at {watch.Elapsed}; unknown: {attempts.Count(a => a.Outcome == Outcome.Unknown)}");
        var retryDeadline = Stopwatch.StartNew();
        var unknown = attempts.Where(a => a.Outcome == Outcome.Unknown).ToList();
        await Parallel.ForEachAsync(unknown, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (a, _) =>
        {
            using var http = restarted.Client(token);
            {
                while (true)
                {
                    var r = await Send(http, a);
                    // 409: the killed request's claim is still within its lease; it can be taken over once the lease ends.
                    if (r.StatusCode == HttpStatusCode.Conflict && retryDeadline.Elapsed < TimeSpan.FromSeconds(30)) { await Task.Delay(500); continue; }
                    Assert.True(r.StatusCode == HttpStatusCode.Created, $"retry of {a.Key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                    a.ReportId = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                    a.Outcome = Outcome.Acknowledged;
                    break;
                }
            }
        });
        output.WriteLine($"retried at {watch.Elapsed}");

        using var provider = db.OpenDb();
        using var scope2 = provider.CreateScope();
        var store = scope2.ServiceProvider.GetRequiredService<TaskTrackerDb>();
        var reports = await store.Reports.AsNoTracking().ToListAsync();
        var byValue = reports.GroupBy(r => (int)r.Value!.Value).ToDictionary(g => g.Key, g => g.ToList());

        // No report twice: every request carries its own value, so a duplicate shows as a repeated value.
        Assert.All(byValue, g => Assert.True(g.Value.Count == 1, $"value {g.Key} stored {g.Value.Count} times"));
        var sent = attempts.Where(a => a.Outcome != Outcome.NotSent).ToDictionary(a => a.Value);
        foreach (var r in reports)
        {
            Assert.True(sent.TryGetValue((int)r.Value!.Value, out var a), $"report {r.Id} matches no request");
            Assert.True(a!.Outcome == Outcome.Acknowledged, $"report {r.Id} stored for a request that was {a.Outcome} ({a.Status})");
        }
        foreach (var a in attempts.Where(a => a.Outcome == Outcome.Acknowledged))
        {
            Assert.True(byValue.TryGetValue(a.Value, out var stored), $"acknowledged {a.Key} (report {a.ReportId}) is missing");
            Assert.Equal(a.ReportId, stored![0].Id);
            Assert.Equal($"crash-test {a.Key}", stored[0].Narrative);
        }
        Assert.Equal(attempts.Count(a => a.Outcome == Outcome.Acknowledged), reports.Count);
        // Every completed idempotency key points at exactly the report it acknowledged.
        var keys = attempts.ToDictionary(a => a.Key);
        foreach (var rec in await store.IdempotencyRecords.AsNoTracking().ToListAsync())
        {
            Assert.Equal(IdempotencyState.Completed, rec.State);
            Assert.Equal(keys[rec.Key].ReportId, JsonDocument.Parse(rec.ResponseBody!).RootElement.GetProperty("id").GetInt64());
        }

        if (!db.IsPostgres)
        {
            await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.SqlitePath}");
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
        }

        await AssertDashboardMatchesRecomputation(restarted, store);
        output.WriteLine($"done at {watch.Elapsed}");
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, Attempt a) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, a.Url) { Content = JsonContent.Create(a.Body), Headers = { { "Idempotency-Key", a.Key } } });

    /// <summary>The dashboard served by the restarted service equals the product's completion rules applied to the stored reports.</summary>
    internal static async Task AssertDashboardMatchesRecomputation(ServiceProcess service, TaskTrackerDb store)
    {
        var asOf = new DateOnly(2025, 6, 30);
        using var http = service.Client(null);
        var dashboard = await (await http.GetAsync($"/api/plans/guizhou-2025/dashboard?asOf={asOf:yyyy-MM-dd}")).ReadJson<PlanDashboard>();
        var plan = await store.Plans.AsNoTracking().SingleAsync(p => p.Code == "guizhou-2025");
        var targets = await store.Targets.AsNoTracking().Where(t => t.PlanId == plan.Id && t.Active).ToListAsync();
        var facts = (await store.Reports.AsNoTracking().Where(r => r.PlanId == plan.Id).ToListAsync())
            .ToLookup(r => r.MeasureId, r => new ReportFact(r.Id, r.AsOf, r.FiledAtUtc, r.Value, r.Status, r.Period, r.SubUnit, r.SupersedesId, r.ReviewStatus, r.ReviewedAtUtc));
        var figures = dashboard.Headline.Concat(dashboard.Tasks.SelectMany(t => t.Measures)).DistinctBy(f => f.Id).ToDictionary(f => f.Id);
        var compared = 0;
        foreach (var t in targets)
        {
            var expected = Completion.ForTarget(
                new TargetFacts(t.Value, t.Kind, t.Direction, t.Comparison, t.Baseline?.Value, plan.PeriodStart, t.DueDate),
                facts[t.Id], asOf, StatusThresholds.Default, DateTime.MaxValue);
            Assert.True(figures.TryGetValue(t.Id, out var f), $"target {t.Code} missing from the dashboard");
            Assert.True(expected.LatestReportId == f!.LatestReportId && expected.LatestValue == f.LatestValue
                        && Round(expected.Completion) == f.Completion && expected.Status == f.Status,
                $"{t.Code}: dashboard {f.LatestReportId}/{f.LatestValue}/{f.Completion}/{f.Status}, recomputed {expected.LatestReportId}/{expected.LatestValue}/{expected.Completion}/{expected.Status}");
            if (facts[t.Id].Any()) compared++;
        }
        Assert.True(compared >= 4, "the filed targets were not on the dashboard");
    }

    // The dashboard shows completion to 4 decimal places (StandingCalculator.Round).
    private static double? Round(double? x) => x is { } v ? Math.Round(v, 4) : null;
}

/// <summary>The crash test starts and kills real processes and measures nothing but correctness; running it alone keeps it fast on 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash";
}
