using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace TaskTracker.Benchmarks;

/// <summary>One measured phase: successes, failures, rate and latency percentiles (exact, from every sample).</summary>
public sealed class Phase(long ok, long failed, double seconds, double[] latenciesMs, string? firstError, double cpuMs = double.NaN, string load = "")
{
    /// <summary>CPU time of this whole process (service and load generator) per successful request: steadier than latency when others share the machine.</summary>
    public double CpuMsPerRequest => ok == 0 ? double.NaN : cpuMs / ok;
    /// <summary>The machine's 1-minute load average when the phase started.</summary>
    public string LoadAverage => load;
    public long Ok => ok;
    public long Failed => failed;
    public double Rate => ok / seconds;
    public double P50 => Pct(0.50);
    public double P99 => Pct(0.99);
    public string? FirstError => firstError;

    private double Pct(double q) => latenciesMs.Length == 0 ? double.NaN : latenciesMs[Math.Min(latenciesMs.Length - 1, (int)Math.Ceiling(q * latenciesMs.Length) - 1)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Rate,9:F1}/s  p50 {P50,8:F2} ms  p99 {P99,8:F2} ms  cpu {CpuMsPerRequest,7:F2} ms/req  load {load}  ({ok:N0} ok, {failed} failed{(firstError is null ? "" : "; first: " + firstError)})");
}

/// <summary>The filing every filing phase sends (SQLite and PostgreSQL alike): a new Idempotency-Key each, tokens in turn.</summary>
public static class Filing
{
    public static HttpRequestMessage Request(Uri? baseAddress, int targetId, int n, IReadOnlyList<string> tokens)
    {
        var path = $"/api/targets/{targetId}/reports";
        var m = new HttpRequestMessage(HttpMethod.Post, baseAddress is null ? new Uri(path, UriKind.Relative) : new Uri(baseAddress, path))
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new
            {
                value = 100 + n % 50, asOf = "2025-06-30", narrative = "上半年进展 (benchmark filing)", evidence = new[] { "https://dsj.guizhou.gov.cn/" },
            }), System.Text.Encoding.UTF8, "application/json"),
        };
        m.Headers.Authorization = new("Bearer", tokens[n % tokens.Count]);
        m.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return m;
    }
}

public static class Load
{
    /// <summary>N clients, each sending its next request as soon as the last one is answered, for a fixed time (after a short warm-up).</summary>
    public static async Task<Phase> RunAsync(HttpClient http, int clients, int seconds, Func<HttpRequestMessage> request, HttpStatusCode expected)
    {
        // Warm-up: one second, not measured.
        await Drive(http, clients, TimeSpan.FromSeconds(1), request, expected, null);
        var samples = new List<double>[clients];
        for (var i = 0; i < clients; i++) samples[i] = new List<double>(4096);
        var load = LoadAverage();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var (failed, first) = await Drive(http, clients, TimeSpan.FromSeconds(seconds), request, expected, samples);
        var elapsed = sw.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return new Phase(all.Length, failed, elapsed, all, first, cpu, load);
    }

    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static async Task<(long Failed, string? First)> Drive(HttpClient http, int clients, TimeSpan duration, Func<HttpRequestMessage> request,
        HttpStatusCode expected, List<double>[]? samples)
    {
        long failed = 0;
        string? first = null;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetTimestamp() < end)
            {
                using var msg = request();
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var resp = await http.SendAsync(msg, HttpCompletionOption.ResponseHeadersRead);
                    await using var body = await resp.Content.ReadAsStreamAsync();
                    while (await body.ReadAsync(buffer) > 0) { }
                    var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    if (resp.StatusCode == expected) samples?[i].Add(ms);
                    else
                    {
                        Interlocked.Increment(ref failed);
                        first ??= $"{(int)resp.StatusCode}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref failed);
                    first ??= e.GetType().Name + ": " + e.Message;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return (failed, first);
    }
}

/// <summary>
/// The raw insert rate: the rows one filing writes (idempotency record, report, audit entry, outbox event) with
/// Microsoft.Data.Sqlite alone, prepared statements, the service's pragmas, into a copy of the service's database.
/// </summary>
public static class Raw
{
    public sealed record Sample(Dictionary<string, Dictionary<string, object?>> Rows)
    {
        public static readonly string[] Tables = ["IdempotencyRecords", "Reports", "Audit", "OutboxEvents"];

        public static Sample Read(SqliteConnection c, long reportId)
        {
            var rows = new Dictionary<string, Dictionary<string, object?>>
            {
                ["Reports"] = Row(c, "SELECT * FROM Reports WHERE Id = $id", reportId),
                ["Audit"] = Row(c, "SELECT * FROM Audit WHERE EntityType = 'report' AND EntityId = CAST($id AS TEXT)", reportId),
                ["IdempotencyRecords"] = Row(c, "SELECT * FROM IdempotencyRecords WHERE ResponseLocation = '/api/reports/' || $id", reportId),
                ["OutboxEvents"] = Row(c, "SELECT * FROM OutboxEvents ORDER BY Id DESC LIMIT 1", reportId),
            };
            return new Sample(rows);
        }

        private static Dictionary<string, object?> Row(SqliteConnection c, string sql, long id)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$id", id);
            using var r = cmd.ExecuteReader();
            if (!r.Read()) throw new InvalidOperationException("no row for: " + sql);
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < r.FieldCount; i++)
                if (r.GetName(i) != "Id") row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
            return row;
        }
    }

    public sealed record Result(long Reports, double Seconds, double[] LatenciesMs)
    {
        public double Rate => Reports / Seconds;
        public double P50 => LatenciesMs[(int)(LatenciesMs.Length * 0.5)];
        public double P99 => LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)Math.Ceiling(LatenciesMs.Length * 0.99) - 1)];
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rate:F1}/s  p50 {P50:F2} ms  p99 {P99:F2} ms ({Reports:N0} reports)");
    }

    public static Result Run(string path, Sample sample, int seconds, int commitsPerReport)
    {
        using var c = DataSet.Open(path);
        var cmds = new Dictionary<string, (SqliteCommand Cmd, Dictionary<string, SqliteParameter> Ps)>();
        foreach (var t in Sample.Tables)
        {
            var cols = sample.Rows[t].Keys.ToList();
            var cmd = c.CreateCommand();
            cmd.CommandText = $"INSERT INTO \"{t}\" ({string.Join(", ", cols.Select(x => $"\"{x}\""))}) VALUES ({string.Join(", ", cols.Select((_, i) => "$p" + i))})";
            var ps = new Dictionary<string, SqliteParameter>();
            for (var i = 0; i < cols.Count; i++) ps[cols[i]] = cmd.Parameters.AddWithValue("$p" + i, sample.Rows[t][cols[i]] ?? DBNull.Value);
            cmds[t] = (cmd, ps);
        }
        var lastId = c.CreateCommand();
        lastId.CommandText = "SELECT last_insert_rowid()";
        var lat = new List<double>(100_000);
        long n = 0;
        var sw = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        while (sw.Elapsed < end)
        {
            var t0 = Stopwatch.GetTimestamp();
            var key = Guid.NewGuid().ToString("N");
            var idem = cmds["IdempotencyRecords"];
            var tx = c.BeginTransaction();
            foreach (var x in cmds.Values) x.Cmd.Transaction = tx;
            lastId.Transaction = tx;
            idem.Ps["Key"].Value = key;
            if (commitsPerReport == 2)
            {
                // The service commits an in-flight claim first, then the work and the completed claim in a second transaction.
                idem.Ps["State"].Value = "InFlight";
                idem.Cmd.ExecuteNonQuery();
                tx.Commit();
                tx.Dispose();
                tx = c.BeginTransaction();
                foreach (var x in cmds.Values) x.Cmd.Transaction = tx;
                lastId.Transaction = tx;
            }
            cmds["Reports"].Cmd.ExecuteNonQuery();
            var reportId = (long)lastId.ExecuteScalar()!;
            var audit = cmds["Audit"];
            audit.Ps["EntityId"].Value = reportId.ToString(CultureInfo.InvariantCulture);
            audit.Cmd.ExecuteNonQuery();
            cmds["OutboxEvents"].Cmd.ExecuteNonQuery();
            if (commitsPerReport == 2)
            {
                using var upd = c.CreateCommand();
                upd.Transaction = tx;
                upd.CommandText = "UPDATE IdempotencyRecords SET State = 'Completed', ResponseStatus = $s, ResponseBody = $b, ResponseLocation = $l, CompletedAtUtc = $t WHERE TokenId = $tok AND Key = $k";
                var row = sample.Rows["IdempotencyRecords"];
                upd.Parameters.AddWithValue("$s", row["ResponseStatus"] ?? DBNull.Value);
                upd.Parameters.AddWithValue("$b", row["ResponseBody"] ?? DBNull.Value);
                upd.Parameters.AddWithValue("$l", "/api/reports/" + reportId);
                upd.Parameters.AddWithValue("$t", row["CompletedAtUtc"] ?? DBNull.Value);
                upd.Parameters.AddWithValue("$tok", row["TokenId"]);
                upd.Parameters.AddWithValue("$k", key);
                upd.ExecuteNonQuery();
            }
            else
            {
                idem.Ps["State"].Value = "Completed";
                idem.Ps["ResponseLocation"].Value = "/api/reports/" + reportId;
                idem.Cmd.ExecuteNonQuery();
            }
            tx.Commit();
            tx.Dispose();
            lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            n++;
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        foreach (var x in cmds.Values) x.Cmd.Dispose();
        var arr = lat.ToArray();
        Array.Sort(arr);
        return new Result(n, elapsed, arr);
    }
}

public static class Memory
{
    /// <summary>VmHWM (peak resident set) from /proc/self/status; Process.PeakWorkingSet64 elsewhere.</summary>
    public static long PeakWorkingSetBytes()
    {
        if (File.Exists("/proc/self/status"))
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>Linux resets the peak to the current resident set when 5 is written to clear_refs.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}

public sealed record Machine(string Line, string Markdown)
{
    public static Machine Describe(string dataDir)
    {
        string Read(string f) { try { return File.ReadAllText(f); } catch (IOException) { return ""; } }
        var cpu = Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memKb = Read("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var load = Read("/proc/loadavg").Trim();
        var ram = long.TryParse(memKb.Split(' ')[0], out var kb) ? $"{kb / 1024.0 / 1024.0:F1} GiB" : memKb;
        var line = $"machine: {Environment.ProcessorCount} cores ({cpu}), {ram} RAM, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
                   $"load average at start {load}";
        var md = new StringBuilder()
            .AppendLine($"- cores: {Environment.ProcessorCount} ({cpu})")
            .AppendLine($"- RAM: {ram}")
            .AppendLine($"- OS: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})")
            .AppendLine($"- .NET: {RuntimeInformation.FrameworkDescription}, server GC: {System.Runtime.GCSettings.IsServerGC}")
            .AppendLine($"- data folder: {dataDir} (SQLite file on a real disk, WAL, synchronous=FULL)")
            .AppendLine($"- load average at start (1/5/15 min, runnable/total, last pid): {load}")
            .ToString();
        return new Machine(line, md);
    }
}
