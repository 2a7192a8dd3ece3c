// TaskTracker load benchmark (issue 7). Run by hand:
//   dotnet run -c Release --project tests/TaskTracker.Benchmarks -- [--reports 1000000] [--quick] [--seconds 10] [--note "..."]
// Starts the real service in-process on Kestrel (real HTTP over TCP) on a SQLite file in a temp folder, loads the data
// set in bulk, measures filing, raw Microsoft.Data.Sqlite inserts, reading and memory, prints a table and appends the
// run to RESULTS.md beside this file.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace TaskTracker.Benchmarks;

internal static class BenchProgram
{
public static async Task<int> Main(string[] args)
{

// WebApplicationFactory finds the service's content root through MvcTestingAppManifest.json in the current directory.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);
var opts = Options.Parse(args);
var log = (string s) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {s}");
var repo = FindRepo();
var root = Path.Combine(Path.GetTempPath(), $"tt-bench-{Guid.NewGuid():N}"[..20]);
var seedRoot = Path.Combine(root, "seed");
CopyDir(Path.Combine(repo, "seed-data", "guizhou-2025"), Path.Combine(seedRoot, "guizhou-2025"));
var machine = Machine.Describe(root);
log($"benchmark: {opts.Reports:N0} reports, {opts.Tasks:N0} tasks, {opts.Agencies} agencies, {opts.Seconds}s per phase; data in {root}");
log(machine.Line);

var ef = EfCounter.Install();
var results = new Results(opts, machine);
var total = Stopwatch.StartNew();
await using var host = new BenchHost(root, seedRoot, FreePort());
var sw = Stopwatch.StartNew();
host.Start(); // migrates and seeds Guizhou
log($"service started on {host.BaseAddress} in {sw.Elapsed.TotalSeconds:F1}s");

// ---- data set ----
var data = new DataSet(host.DatabasePath);
sw.Restart();
data.BuildPlans(opts.Tasks, opts.Agencies);
log($"plans: {data.Plans} plans, {data.Tasks:N0} tasks, {data.Measures:N0} measures ({data.TargetCount:N0} targets, {data.GuizhouTargets} in Guizhou), {data.Agencies} agencies in {sw.Elapsed.TotalSeconds:F1}s");
results.Add("data", $"{data.Plans} plans, {data.Tasks:N0} tasks, {data.Measures:N0} measures, {data.Agencies} agencies; reports spread uniformly over {data.TargetCount:N0} targets (Guizhou: {data.GuizhouTargets} targets)");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
    { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

const string Dashboard = "/api/plans/guizhou-2025/dashboard?asOf=2025-06-30";
const string Overdue = "/api/plans/guizhou-2025/overdue?asOf=2025-12-10";

async Task<Dictionary<string, Phase>> ReadingAsync(string label)
{
    var d = await http.GetAsync(Dashboard);
    var bytes = await d.Content.ReadAsByteArrayAsync();
    if (d.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"dashboard: {(int)d.StatusCode} {Encoding.UTF8.GetString(bytes)}");
    var etag = d.Headers.ETag!.Tag;
    MinimalEndpoint.Body = bytes;
    MinimalEndpoint.ETag = etag;
    var guizhouReports = DataSet.Scalar<long>(Open(), "SELECT COUNT(*) FROM Reports WHERE PlanId = (SELECT Id FROM Plans WHERE Code = 'guizhou-2025')");
    log($"reading at {label}: dashboard {bytes.Length:N0} bytes over {guizhouReports:N0} Guizhou reports");
    results.Add($"guizhou reports at {label}", guizhouReports.ToString("N0", CultureInfo.InvariantCulture));
    var phases = new Dictionary<string, Phase>
    {
        ["dashboard 200"] = await Load.RunAsync(http, opts.ReadClients, opts.Seconds, () => Get(Dashboard), HttpStatusCode.OK),
        ["dashboard 304"] = await Load.RunAsync(http, opts.ReadClients, opts.Seconds, () => Get(Dashboard, etag), HttpStatusCode.NotModified),
        ["overdue 200"] = await Load.RunAsync(http, opts.ReadClients, opts.Seconds, () => Get(Overdue), HttpStatusCode.OK),
        ["minimal 200"] = await Load.RunAsync(http, opts.ReadClients, opts.Seconds, () => Get("/bench/static"), HttpStatusCode.OK),
    };
    foreach (var (k, v) in phases) log($"  {k,-14} {v}");
    return phases;
}

static HttpRequestMessage Get(string path, string? ifNoneMatch = null)
{
    var m = new HttpRequestMessage(HttpMethod.Get, path);
    if (ifNoneMatch is not null) m.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
    return m;
}

SqliteConnection Open() => DataSet.Open(host.DatabasePath);

// ---- reading at the first checkpoint (100k) ----
sw.Restart();
data.LoadReportsUpTo(opts.Checkpoint, log);
log($"loaded {opts.Checkpoint:N0} reports in {sw.Elapsed.TotalSeconds:F1}s");
var readSmall = await ReadingAsync(opts.CheckpointLabel);

// ---- grow to the full size, reset the peak, read again ----
sw.Restart();
data.LoadReportsUpTo(opts.Reports, log);
var loadSeconds = sw.Elapsed.TotalSeconds;
log($"loaded {opts.Reports:N0} reports in total ({(opts.Reports - opts.Checkpoint) / loadSeconds:N0}/s in bulk)");
results.Add("bulk load", $"{opts.Reports - opts.Checkpoint:N0} reports in {loadSeconds:F1}s");
var peakBeforeReset = Memory.PeakWorkingSetBytes();
GC.Collect(2, GCCollectionMode.Forced, true, true);
var resetOk = Memory.ResetPeak();
var readLarge = await ReadingAsync(opts.FullLabel);
var peakReading = Memory.PeakWorkingSetBytes();

// ---- filing at full size ----
var reporter = await ReporterAsync();
var filing = new Dictionary<int, Phase>();
var statements = new Dictionary<int, (double Commands, double Commits)>();
foreach (var clients in new[] { 1, 8, 64 })
{
    var tokens = new List<string>();
    for (var i = 0; i < clients; i++) tokens.Add(await TokenAsync(reporter.Agency));
    var (c0, t0) = (Interlocked.Read(ref ef.Commands), Interlocked.Read(ref ef.Commits));
    var seq = 0;
    var phase = await Load.RunAsync(http, clients, opts.Seconds, () =>
    {
        var n = Interlocked.Increment(ref seq);
        var m = new HttpRequestMessage(HttpMethod.Post, $"/api/targets/{reporter.TargetId}/reports")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                value = 100 + n % 50, asOf = "2025-06-30", narrative = "上半年进展 (benchmark filing)", evidence = new[] { "https://dsj.guizhou.gov.cn/" },
            }), Encoding.UTF8, "application/json"),
        };
        m.Headers.Authorization = new("Bearer", tokens[n % tokens.Count]);
        m.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return m;
    }, HttpStatusCode.Created);
    filing[clients] = phase;
    if (phase.Ok > 0)
        statements[clients] = ((Interlocked.Read(ref ef.Commands) - c0) / (double)phase.Ok, (Interlocked.Read(ref ef.Commits) - t0) / (double)phase.Ok);
    log($"filing, {clients,2} clients: {phase}; per filing {statements.GetValueOrDefault(clients).Commands:F1} SQL commands, {statements.GetValueOrDefault(clients).Commits:F1} commits");
}
var peakAll = Memory.PeakWorkingSetBytes();

// ---- raw Microsoft.Data.Sqlite inserts of the same rows, same pragmas, schema and indexes (a copy of the database) ----
var sample = await SampleFilingAsync(reporter, await TokenAsync(reporter.Agency));
var rawPath = Path.Combine(root, "raw.db");
using (var c = Open()) DataSet.Exec(c, "VACUUM INTO $p", ("$p", rawPath));
var raw1 = Raw.Run(rawPath, sample, opts.Seconds, commitsPerReport: 1);
log($"raw inserts, one transaction per report: {raw1}");
var raw2 = Raw.Run(rawPath, sample, opts.Seconds, commitsPerReport: 2);
log($"raw inserts, claim committed first then the rest (the service's two commits): {raw2}");

// ---- results ----
results.Reading(opts.CheckpointLabel, readSmall);
results.Reading(opts.FullLabel, readLarge);
results.Filing(filing, statements, raw1, raw2);
results.Memory(peakBeforeReset, resetOk, peakReading, peakAll);
results.Targets(filing, raw1, raw2, readSmall, readLarge, resetOk ? Math.Max(peakReading, peakAll) : peakAll);
var md = results.Markdown(total.Elapsed);
Console.WriteLine();
Console.WriteLine(md);
var resultsFile = Path.Combine(repo, "tests", "TaskTracker.Benchmarks", "RESULTS.md");
if (!opts.NoRecord)
{
    if (!File.Exists(resultsFile)) await File.WriteAllTextAsync(resultsFile, "# Benchmark results\n\nEach run appends one section (newest last). Command: see README, section Benchmark.\n");
    await File.AppendAllTextAsync(resultsFile, "\n" + md);
    log($"appended to {resultsFile}");
}
await host.DisposeAsync();
SqliteConnection.ClearAllPools();
if (!opts.Keep) try { Directory.Delete(root, true); } catch (IOException) { }
return 0;

// ---- helpers ----
async Task<(int TargetId, string Agency)> ReporterAsync()
{
    // T02-1 (AI core industry revenue) as in the README walk-through; its first responsible agency that is not a group files.
    var doc = JsonDocument.Parse(await http.GetStringAsync("/api/plans/guizhou-2025/measures/T02-1")).RootElement;
    var agency = doc.GetProperty("responsibleAgencies").EnumerateArray()
        .First(a => a.GetProperty("kind").GetString() != "group").GetProperty("code").GetString()!;
    return (doc.GetProperty("id").GetInt32(), agency);
}

async Task<string> TokenAsync(string agency)
{
    using var scope = host.Services.CreateScope();
    var tokens = scope.ServiceProvider.GetRequiredService<TaskTracker.Features.Access.TokenService>();
    return (await tokens.CreateAsync(TaskTracker.Domain.Role.Reporter, agency, "benchmark", null, null, default)).Token;
}

async Task<Raw.Sample> SampleFilingAsync((int TargetId, string Agency) r, string token)
{
    var m = new HttpRequestMessage(HttpMethod.Post, $"/api/targets/{r.TargetId}/reports")
    {
        Content = new StringContent("""{"value": 118.6, "asOf": "2025-06-30", "narrative": "上半年进展 (benchmark filing)", "evidence": ["https://dsj.guizhou.gov.cn/"]}""",
            Encoding.UTF8, "application/json"),
    };
    m.Headers.Authorization = new("Bearer", token);
    m.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
    var resp = await http.SendAsync(m);
    var body = await resp.Content.ReadAsStringAsync();
    if (resp.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"sample filing: {(int)resp.StatusCode} {body}");
    var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    using var c = Open();
    // Copy the rows that one filing wrote, so the raw phase writes the same columns and sizes.
    return Raw.Sample.Read(c, id);
}

static int FreePort()
{
    var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    var port = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return port;
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "TaskTracker.sln"))) return d.FullName;
    throw new InvalidOperationException("TaskTracker.sln not found above " + AppContext.BaseDirectory);
}

static void CopyDir(string from, string to)
{
    Directory.CreateDirectory(to);
    foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    foreach (var d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
}

} // Main
} // BenchProgram

internal sealed record Options(long Reports, long Checkpoint, int Tasks, int Agencies, int Seconds, int ReadClients, bool Quick, bool Keep, bool NoRecord, string Note)
{
    public string CheckpointLabel => Label(Checkpoint);
    public string FullLabel => Label(Reports);
    private static string Label(long n) => n >= 1_000_000 && n % 1_000_000 == 0 ? $"{n / 1_000_000}M" : n >= 1000 && n % 1000 == 0 ? $"{n / 1000}k" : n.ToString(CultureInfo.InvariantCulture);

    public static Options Parse(string[] a)
    {
        string? Val(string name) { var i = Array.IndexOf(a, name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : null; }
        var quick = a.Contains("--quick");
        var reports = long.Parse(Val("--reports") ?? (quick ? "20000" : "1000000"), CultureInfo.InvariantCulture);
        return new Options(reports, reports / 10, int.Parse(Val("--tasks") ?? "10000", CultureInfo.InvariantCulture),
            int.Parse(Val("--agencies") ?? "200", CultureInfo.InvariantCulture),
            int.Parse(Val("--seconds") ?? (quick ? "3" : "15"), CultureInfo.InvariantCulture),
            int.Parse(Val("--read-clients") ?? "8", CultureInfo.InvariantCulture),
            quick, a.Contains("--keep"), a.Contains("--no-record"),
            Val("--note") ?? "shared machine: other engineers were building and testing on it during the run");
    }
}
