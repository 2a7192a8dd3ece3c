using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace TaskTracker.Benchmarks;

/// <summary>
/// The PostgreSQL phase (issue 16): two service hosts (each its own Kestrel, DI container, caches and connection pool)
/// on one fresh PostgreSQL database, the same one-plan data set loaded in bulk server-side, the same reads and filings
/// with the clients split over both instances, and the cost of the cross-instance data-version check (the one-row
/// plan revision read that every cached read and 304 pays, and that lets one instance see the other's writes).
/// </summary>
internal static class PgPhase
{
    private static readonly string[] Cities = ["贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市", "黔东南州", "黔南州", "黔西南州"];

    public sealed record Outcome(Dictionary<string, Phase> Small, Dictionary<string, Phase> Large, Dictionary<int, Phase> Filing,
        List<double> ColdSmall, List<double> ColdLarge, double StampMicros, int Seen, int Trials);

    public static async Task<Outcome> RunAsync(Options opts, string server, string root, string seedRoot, Action<string> log, Results results,
        Func<HttpClient, Func<Uri>, string, Task<Dictionary<string, Phase>>> reads, Func<HttpClient, Func<Uri>, string, Task<List<double>>> cold,
        Func<string, Task> officeToken)
    {
        var name = $"tt_bench_{Guid.NewGuid():N}"[..24];
        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await Exec(c, $"CREATE DATABASE \"{name}\"");
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 40 }.ConnectionString;
        try
        {
            var sw = Stopwatch.StartNew();
            await using var a = new BenchHost(Path.Combine(root, "pg-a"), seedRoot, FreePort(), cs);
            a.Start(); // migrates and seeds
            await using var b = new BenchHost(Path.Combine(root, "pg-b"), seedRoot, FreePort(), cs);
            b.Start();
            log($"PostgreSQL: two instances on {a.BaseAddress} and {b.BaseAddress}, database {name}, started in {sw.Elapsed.TotalSeconds:F1}s");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
                { BaseAddress = a.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var turn = 0;
            // Each request goes to the next instance in turn: the clients are split over both.
            Uri Next() => Interlocked.Increment(ref turn) % 2 == 0 ? a.BaseAddress : b.BaseAddress;

            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            var targets = await PrepareAsync(conn);
            using (var scope = a.Services.CreateScope())
                await officeToken((await scope.ServiceProvider.GetRequiredService<Features.Access.TokenService>()
                    .CreateAsync(Domain.Role.Office, null, "benchmark", null, null, default)).Token);
            log($"PostgreSQL: {targets} Guizhou targets");

            sw.Restart();
            await LoadAsync(conn, opts.Checkpoint, targets);
            log($"PostgreSQL: loaded {opts.Checkpoint:N0} reports in {sw.Elapsed.TotalSeconds:F1}s");
            var small = await reads(http, Next, "PostgreSQL " + opts.CheckpointLabel);
            var coldSmall = await cold(http, Next, "PostgreSQL " + opts.CheckpointLabel);

            sw.Restart();
            await LoadAsync(conn, opts.Reports - opts.Checkpoint, targets);
            log($"PostgreSQL: loaded {opts.Reports:N0} reports in total ({sw.Elapsed.TotalSeconds:F1}s for the rest)");
            results.Add("PostgreSQL bulk load", $"{opts.Reports - opts.Checkpoint:N0} reports in {sw.Elapsed.TotalSeconds:F1}s (server-side INSERT … SELECT, then ANALYZE as autovacuum would)");
            var large = await reads(http, Next, "PostgreSQL " + opts.FullLabel);
            var coldLarge = await cold(http, Next, "PostgreSQL " + opts.FullLabel);

            // Filing, clients split over both instances.
            var (targetId, agency) = await ReporterAsync(http);
            var filing = new Dictionary<int, Phase>();
            foreach (var clients in new[] { 1, 8 })
            {
                var tokens = new List<string>();
                for (var i = 0; i < clients; i++) tokens.Add(await TokenAsync(a, agency));
                var seq = 0;
                filing[clients] = await Load.RunAsync(http, clients, opts.Seconds, () =>
                    Filing.Request(Next(), targetId, Interlocked.Increment(ref seq), tokens), HttpStatusCode.Created);
                log($"PostgreSQL filing, {clients,2} clients over both instances: {filing[clients]}");
            }

            // The cross-instance data-version check: its cost (the one-row read, timed alone) and that it works (a filing on
            // A is seen by B's very next conditional request).
            var stamp = await StampMicrosAsync(a);
            var token = await TokenAsync(a, agency);
            var seen = 0;
            const int trials = 20;
            const string dash = "/api/plans/guizhou-2025/dashboard?asOf=2025-06-30";
            for (var i = 0; i < trials; i++)
            {
                var before = await http.GetAsync(new Uri(b.BaseAddress, dash));
                var tag = before.Headers.ETag!.Tag;
                var post = new HttpRequestMessage(HttpMethod.Post, new Uri(a.BaseAddress, $"/api/targets/{targetId}/reports"))
                {
                    Content = new StringContent($$"""{"value": {{200 + i}}, "asOf": "2025-06-30", "narrative": "cross-instance check"}""", Encoding.UTF8, "application/json"),
                };
                post.Headers.Authorization = new("Bearer", token);
                post.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                if ((await http.SendAsync(post)).StatusCode != HttpStatusCode.Created) continue;
                var after = new HttpRequestMessage(HttpMethod.Get, new Uri(b.BaseAddress, dash));
                after.Headers.TryAddWithoutValidation("If-None-Match", tag);
                var r = await http.SendAsync(after);
                if (r.StatusCode == HttpStatusCode.OK && r.Headers.ETag!.Tag != tag) seen++;
            }
            log($"PostgreSQL: stamp read {stamp:F0} µs; a filing on A seen by B's next request in {seen} of {trials} trials");
            return new Outcome(small, large, filing, coldSmall, coldLarge, stamp, seen, trials);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(admin);
            await c.OpenAsync();
            await Exec(c, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    /// <summary>The plan-revision read alone (<see cref="Common.PlanVersions"/>), averaged over 2,000 calls on one instance.</summary>
    public static async Task<double> StampMicrosAsync(BenchHost host)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>();
        for (var i = 0; i < 200; i++) await Common.PlanVersions.ReadAsync(db, "guizhou-2025", default);
        var sw = Stopwatch.StartNew();
        const int n = 2000;
        for (var i = 0; i < n; i++) await Common.PlanVersions.ReadAsync(db, "guizhou-2025", default);
        return sw.Elapsed.TotalMicroseconds / n;
    }

    private static async Task<int> PrepareAsync(NpgsqlConnection c)
    {
        // Guizhou's active targets with an agency that answers for each, as the SQLite loader picks them.
        await Exec(c, """
            CREATE TEMP TABLE bench_targets AS
            SELECT (row_number() OVER (ORDER BY m."Id") - 1)::int AS k, m."Id" AS mid, m."PlanId" AS pid,
                   COALESCE((SELECT ca."AgencyId" FROM "ClauseAgencies" ca WHERE ca."ClauseId" = m."ClauseId" ORDER BY ca."Position" LIMIT 1),
                            (SELECT ca."AgencyId" FROM "ClauseAgencies" ca JOIN "Clauses" cl ON cl."Id" = ca."ClauseId" WHERE cl."TaskId" = m."TaskId" ORDER BY cl."Seq", ca."Position" LIMIT 1),
                            p."OwnerAgencyId", (SELECT MIN("Id") FROM "Agencies")) AS aid,
                   COALESCE(m."Value", 100) AS target
            FROM "Measures" m JOIN "Plans" p ON p."Id" = m."PlanId"
            WHERE m."Type" = 'target' AND m."Active" AND p."Code" = 'guizhou-2025'
            """);
        await using var cmd = new NpgsqlCommand("SELECT COUNT(*) FROM bench_targets", c);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The SQLite data set's shape: month ends over 12 years up to 2025-11, a third city parts, values climbing towards the target.</summary>
    private static async Task LoadAsync(NpgsqlConnection c, long n, int targets)
    {
        var cities = string.Join(", ", Cities.Select(x => $"'{x}'"));
        await Exec(c, $"""
            INSERT INTO "Reports" ("PlanId", "MeasureId", "AgencyId", "TokenId", "Value", "Status", "Period", "SubUnit", "AsOf", "Narrative", "Evidence",
                                   "FiledAtUtc", "SupersedesId", "CorrectionReason", "ReviewStatus", "ReviewComment", "ReviewedAtUtc", "ReviewedByTokenId", "Version")
            SELECT t.pid, t.mid, t.aid, NULL,
                   round((t.target * ((d.asof - date '2013-12-01') / 12.0 / 365.0) * (0.6 + random() * 0.6))::numeric, 2),
                   NULL, NULL, CASE WHEN x.rc < 1.0 / 3 THEN (ARRAY[{cities}])[1 + floor(random() * 9)::int] END,
                   d.asof, '月度进展：按计划推进 (benchmark data)', ARRAY[]::text[],
                   ((d.asof + time '02:00') AT TIME ZONE 'UTC') + (1 + floor(random() * 14)) * interval '1 day' + floor(random() * 86400) * interval '1 second',
                   NULL, NULL, 'Submitted', NULL, NULL, NULL, 1
            FROM (SELECT floor(random() * {targets})::int AS k, (1 + floor(random() * 144))::int AS back, random() AS rc FROM generate_series(1, {n})) x
            JOIN bench_targets t ON t.k = x.k
            CROSS JOIN LATERAL (SELECT (date '2025-12-01' - make_interval(months => x.back) + interval '1 month' - interval '1 day')::date AS asof) d
            """);
        // The bulk load bypasses the write step, so it moves the data version itself; ANALYZE as autovacuum soon would.
        await Exec(c, """UPDATE "Plans" SET "Revision" = "Revision" + 1""");
        await Exec(c, """ANALYZE "Reports" """);
    }

    private static async Task<(int TargetId, string Agency)> ReporterAsync(HttpClient http)
    {
        var doc = JsonDocument.Parse(await http.GetStringAsync("/api/plans/guizhou-2025/measures/T02-1")).RootElement;
        var agency = doc.GetProperty("responsibleAgencies").EnumerateArray()
            .First(x => x.GetProperty("kind").GetString() != "group").GetProperty("code").GetString()!;
        return (doc.GetProperty("id").GetInt32(), agency);
    }

    private static async Task<string> TokenAsync(BenchHost host, string agency)
    {
        using var scope = host.Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<Features.Access.TokenService>();
        return (await tokens.CreateAsync(Domain.Role.Reporter, agency, "benchmark", null, null, default)).Token;
    }

    private static async Task Exec(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
