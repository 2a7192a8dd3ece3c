using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Data;
using TaskTracker.Domain;
using Xunit.Abstractions;

namespace TaskTracker.Tests.CrashSafety;

/// <summary>
/// Group commit (ADR 0009) under SIGKILL: many clients keep the single writer inside a batch transaction all the time,
/// and the process is killed in the middle of it. After a restart every filing that got 201 is stored with its audit
/// entry, its outbox event and its completed Idempotency-Key; nothing of an uncommitted batch is left (no report, audit
/// entry, event or key without the others); retries with the same key replay or file exactly once.
/// </summary>
[Collection(CrashCollection.Name)]
public class GroupCommitCrashTests(ITestOutputHelper output)
{
    private static readonly string[] Codes = ["T02-1", "T03-1", "T06-1", "H1"];
    private const int Clients = 16, PerClient = 40;

    private sealed record Attempt(int N, string Key, string Url, int Value)
    {
        public int? Status { get; set; }
        public bool Sent { get; set; }
        public long? ReportId { get; set; }
        public object Body => new { value = Value, asOf = "2025-06-30", narrative = $"batch-crash {Key}" };
    }

    [Fact]
    public async Task A_SIGKILL_during_a_group_commit_loses_no_acknowledged_filing_and_leaves_nothing_half_written()
    {
        var watch = Stopwatch.StartNew();
        await using var db = new ServiceDatabase();
        var token = await ServiceProcess.CreateTokenAsync(db, "--role", "reporter", "--agency", "bigdata-bureau", "--name", "batch-crash");
        // A batch of at most 8 keeps several batches in the queue at once, so the kill lands inside one of them.
        var settings = new Dictionary<string, string> { ["Database__GroupCommitMaxBatch"] = "8" };
        var service = await ServiceProcess.StartAsync(db, settings);

        Dictionary<string, int> ids;
        using (var sp = db.OpenDb())
        using (var scope = sp.CreateScope())
        {
            var ctx = scope.ServiceProvider.GetRequiredService<TaskTrackerDb>();
            ids = await ctx.Measures.Where(m => Codes.Contains(m.Code) && m.Plan.Code == "guizhou-2025").ToDictionaryAsync(m => m.Code, m => m.Id);
        }
        var attempts = Enumerable.Range(0, Clients * PerClient)
            .Select(n => new Attempt(n, $"batch-{n}-{Guid.NewGuid():N}", $"/api/targets/{ids[Codes[n % Codes.Length]]}/reports", n + 1)).ToList(); // unique per request and valid for every target (growth rates stay under 1000%)
        var acks = 0;
        var inFlight = 0;
        var inFlightAtKill = -1;
        var serverErrors = new ConcurrentBag<string>();
        var killed = new TaskCompletionSource();

        async Task Client(int c)
        {
            using var http = service.Client(token);
            foreach (var a in attempts.Where(a => a.N % Clients == c))
            {
                if (killed.Task.IsCompleted) break;
                a.Sent = true;
                Interlocked.Increment(ref inFlight);
                try
                {
                    var r = await Send(http, a);
                    a.Status = (int)r.StatusCode;
                    if (r.StatusCode == HttpStatusCode.Created)
                    {
                        a.ReportId = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                        Interlocked.Increment(ref acks);
                    }
                    else serverErrors.Add($"{a.Key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
                {
                    a.Status = null; // no (complete) answer: stored or not, the retry will tell
                    a.ReportId = null;
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        }

        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))).ToArray();
        var until = Stopwatch.StartNew();
        while (Volatile.Read(ref acks) < 80 && until.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(2);
        inFlightAtKill = Volatile.Read(ref inFlight);
        killed.SetResult();
        service.Kill();
        output.WriteLine($"killed after {Volatile.Read(ref acks)} acks with {inFlightAtKill} filings in flight at {watch.Elapsed}");
        await Task.WhenAll(load);
        await service.DisposeAsync();

        Assert.True(acks >= 20, "too few acknowledgements before the kill:\n" + service.Log); // a loaded machine may file slowly
        // With 16 clients and one writer, the filings in flight were queued or inside the batch being committed.
        Assert.True(inFlightAtKill > 0, "the kill landed while no filing was in flight");
        Assert.True(serverErrors.IsEmpty, string.Join("\n", serverErrors.Take(5)));

        // Before any retry: what survived the kill is whole. Each report has its audit entry, its outbox event and its
        // completed key; no audit entry, event or key names a report that is not there.
        var acknowledged = attempts.Where(a => a.ReportId is not null).ToList();
        await AssertWholeAsync(db, attempts, mustContain: acknowledged);

        await using var restarted = await ServiceProcess.StartAsync(db, settings);
        // Every request that got no answer is retried with its key and body: filed now, or replayed if its batch committed.
        var unknown = attempts.Where(a => a.Sent && a.ReportId is null).ToList();
        output.WriteLine($"restarted at {watch.Elapsed}; {unknown.Count} without an answer");
        var replayedUnknown = 0;
        await Parallel.ForEachAsync(unknown, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (a, _) =>
        {
            using var http = restarted.Client(token);
            var r = await Send(http, a);
            // PostgreSQL only (claim-first): a killed request's claim answers 409 until its lease (5 s here) runs out.
            for (var wait = Stopwatch.StartNew(); r.StatusCode == HttpStatusCode.Conflict && db.IsPostgres && wait.Elapsed < TimeSpan.FromSeconds(30);)
            {
                await Task.Delay(500);
                r = await Send(http, a);
            }
            Assert.True(r.StatusCode == HttpStatusCode.Created, $"retry of {a.Key}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            if (r.Headers.Contains("Idempotent-Replayed")) Interlocked.Increment(ref replayedUnknown);
            a.ReportId = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        });
        output.WriteLine($"{replayedUnknown} of {unknown.Count} unanswered filings had been committed before the kill");
        // Acknowledged filings sent again replay the same report.
        foreach (var a in acknowledged.Take(20))
        {
            using var http = restarted.Client(token);
            var r = await Send(http, a);
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            Assert.Equal("true", r.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(a.ReportId, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        var all = attempts.Where(a => a.Sent).ToList();
        await AssertWholeAsync(db, attempts, mustContain: all);
        if (!db.IsPostgres)
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db.SqlitePath}"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
        }
        using var provider = db.OpenDb();
        using var scope2 = provider.CreateScope();
        await CrashSafetyTests.AssertDashboardMatchesRecomputation(restarted, scope2.ServiceProvider.GetRequiredService<TaskTrackerDb>());
        output.WriteLine($"done at {watch.Elapsed}");
    }

    /// <summary>Reports, audit entries, outbox events and keys agree one to one, and every filing in <paramref name="mustContain"/> is there once.</summary>
    private static async Task AssertWholeAsync(ServiceDatabase db, List<Attempt> attempts, List<Attempt> mustContain)
    {
        using var provider = db.OpenDb();
        using var scope = provider.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<TaskTrackerDb>();
        var reports = await store.Reports.AsNoTracking().ToListAsync();
        var audits = await store.Audit.AsNoTracking().Where(e => e.Action == "report.filed").ToListAsync();
        var events = await store.OutboxEvents.AsNoTracking().Where(e => e.Type == "report.filed").ToListAsync();
        var keys = await store.IdempotencyRecords.AsNoTracking().ToListAsync();

        var byValue = attempts.ToDictionary(a => a.Value);
        var byKey = attempts.ToDictionary(a => a.Key);
        Assert.All(reports.GroupBy(r => r.Value), g => Assert.True(g.Count() == 1, $"value {g.Key} stored {g.Count()} times"));
        foreach (var r in reports)
        {
            Assert.True(byValue.TryGetValue((int)r.Value!.Value, out var a), $"report {r.Id} matches no request");
            Assert.Equal($"batch-crash {a!.Key}", r.Narrative);
            if (a.ReportId is { } acked) Assert.Equal(acked, r.Id);
        }
        var reportIds = reports.Select(r => r.Id).ToHashSet();
        Assert.Equal(reportIds, audits.Select(e => long.Parse(e.EntityId)).ToHashSet());
        Assert.Equal(reports.Count, audits.Count);
        Assert.Equal(reportIds, events.Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("data").GetProperty("id").GetInt64()).ToHashSet());
        Assert.Equal(reports.Count, events.Count);
        // Grouped (SQLite) writes the key with the filing, so a kill leaves no key behind; claim-first (PostgreSQL, ADR 0003)
        // may leave an in-flight claim of a killed request, which names no report and is taken over by its retry.
        var completed = keys.Where(k => k.State == IdempotencyState.Completed).ToList();
        if (!db.IsPostgres) Assert.Equal(keys.Count, completed.Count);
        Assert.Equal(reports.Count, completed.Count);
        foreach (var k in completed)
        {
            var id = JsonDocument.Parse(k.ResponseBody!).RootElement.GetProperty("id").GetInt64();
            Assert.Contains(id, reportIds);
            Assert.Equal((int)reports.Single(r => r.Id == id).Value!.Value, byKey[k.Key].Value);
        }
        foreach (var a in mustContain)
            Assert.True(reports.Any(r => r.Id == a.ReportId), $"filing {a.Key} (report {a.ReportId}) is missing");
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, Attempt a) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, a.Url) { Content = JsonContent.Create(a.Body), Headers = { { "Idempotency-Key", a.Key } } });
}
