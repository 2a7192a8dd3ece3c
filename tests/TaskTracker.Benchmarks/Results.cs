using System.Globalization;
using System.Text;

namespace TaskTracker.Benchmarks;

/// <summary>Collects the figures and writes one dated Markdown section: machine, conditions, tables, targets met or not.</summary>
internal sealed class Results(Options opts, Machine machine)
{
    private readonly List<(string Key, string Value)> _facts = [];
    private readonly StringBuilder _tables = new();
    private readonly List<(string Target, string Figure, bool Met, string Limit)> _targets = [];

    private static string F(double x, string fmt = "F1") => x.ToString(fmt, CultureInfo.InvariantCulture);

    public void Add(string key, string value) => _facts.Add((key, value));

    public void Reading(string label, Dictionary<string, Phase> phases)
    {
        _tables.AppendLine($"Reading at {label} reports ({opts.ReadClients} concurrent clients, {opts.Seconds} s each):").AppendLine()
            .AppendLine("| request | req/s | p50 ms | p99 ms | ok | failed | CPU ms/req² | load avg at start |").AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (k, p) in phases)
            _tables.AppendLine($"| {k} | {F(p.Rate)} | {F(p.P50, "F2")} | {F(p.P99, "F2")} | {p.Ok:N0} | {p.Failed} | {F(p.CpuMsPerRequest, "F2")} | {p.LoadAverage} |");
        var min = phases["minimal 200"].Rate;
        _tables.AppendLine().AppendLine($"Dashboard 200 / minimal endpoint: {F(phases["dashboard 200"].Rate / min * 100)}%; " +
                                        $"dashboard 304 / minimal: {F(phases["dashboard 304"].Rate / min * 100)}%; overdue 200 / minimal: {F(phases["overdue 200"].Rate / min * 100)}%.")
            .AppendLine();
    }

    public void Filing(Dictionary<int, Phase> filing, Dictionary<int, (double Commands, double Commits)> stmts, Raw.Result raw1, Raw.Result raw2)
    {
        _tables.AppendLine($"Filing at {opts.FullLabel} reports (POST /api/targets/{{id}}/reports, reporter tokens, a new Idempotency-Key each, 201 after commit; {opts.Seconds} s each):").AppendLine()
            .AppendLine("| clients | reports/s | p50 ms | p99 ms | ok | failed | EF commands per filing | EF transactions per filing¹ | vs raw (1 tx) | vs raw (2 tx) | CPU ms/filing² | load avg at start |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (c, p) in filing)
        {
            var s = stmts.GetValueOrDefault(c);
            _tables.AppendLine($"| {c} | {F(p.Rate)} | {F(p.P50, "F2")} | {F(p.P99, "F2")} | {p.Ok:N0} | {p.Failed} | {F(s.Commands)} | {F(s.Commits)} | " +
                               $"{F(p.Rate / raw1.Rate * 100)}% | {F(p.Rate / raw2.Rate * 100)}% | {F(p.CpuMsPerRequest, "F2")} | {p.LoadAverage} |");
        }
        _tables.AppendLine().AppendLine("¹ EF's TransactionCommitted events. On SQLite filings are group-committed (ADR 0009): the Idempotency-Key is written in the filing's own transaction and one COMMIT serves every filing of a batch, so below 1.0 this column is the inverse of the mean batch size. With Database:GroupCommit=false the claim is a separate autocommitted INSERT, not counted here (one more durable commit per filing than shown).")
            .AppendLine().AppendLine("Raw Microsoft.Data.Sqlite, same rows (idempotency record, report, audit entry, outbox event), same pragmas, a copy of the same database (schema, indexes, data), one client:").AppendLine()
            .AppendLine("| variant | reports/s | p50 ms | p99 ms |").AppendLine("|---|---:|---:|---:|")
            .AppendLine($"| one transaction per report | {F(raw1.Rate)} | {F(raw1.P50, "F2")} | {F(raw1.P99, "F2")} |")
            .AppendLine($"| claim committed first, then the rest (the service's shape) | {F(raw2.Rate)} | {F(raw2.P50, "F2")} | {F(raw2.P99, "F2")} |")
            .AppendLine();
    }

    public void Memory(long beforeReset, bool reset, long reading, long all)
    {
        Add("peak working set, whole run (incl. bulk load)", Mb(beforeReset));
        Add(reset ? "peak working set after the load, reading at full size" : "peak working set (reset unavailable: whole run)", Mb(reading));
        Add("peak working set after the load, reading and filing at full size", Mb(all));
    }

    private static string Mb(long b) => $"{b / 1024.0 / 1024.0:F0} MB";

    public void Targets(Dictionary<int, Phase> filing, Raw.Result raw1, Raw.Result raw2, Dictionary<string, Phase> small, Dictionary<string, Phase> large, long peak)
    {
        foreach (var (c, p) in filing)
            _targets.Add(($"filing, {c} client(s): at least 50% of the raw insert rate",
                $"{F(p.Rate)}/s = {F(p.Rate / raw1.Rate * 100)}% of {F(raw1.Rate)}/s (one tx); {F(p.Rate / raw2.Rate * 100)}% of {F(raw2.Rate)}/s (two tx)",
                p.Rate >= 0.5 * raw1.Rate, "CPU per filing (see the EF commands per filing) and SQLite's single writer: the write side of issue 16"));
        var d = large["dashboard 200"].Rate / large["minimal 200"].Rate;
        _targets.Add(($"dashboard at least 50% of the minimal endpoint ({opts.FullLabel}, 200)", $"{F(large["dashboard 200"].Rate)} vs {F(large["minimal 200"].Rate)} req/s = {F(d * 100)}%", d >= 0.5, "the middleware chain (authentication, rate limiter, metrics) and the revision read per request, against none for the minimal endpoint"));
        var d304 = large["dashboard 304"].Rate / large["minimal 200"].Rate;
        _targets.Add(($"dashboard at least 50% of the minimal endpoint ({opts.FullLabel}, 304)", $"{F(large["dashboard 304"].Rate)} vs {F(large["minimal 200"].Rate)} req/s = {F(d304 * 100)}%", d304 >= 0.5, "as for the 200: the pipeline and the revision read"));
        foreach (var k in large.Keys.Where(k => k != "minimal 200" && small.ContainsKey(k)))
        {
            var r = large[k].P99 / small[k].P99;
            _targets.Add(($"{k}: p99 at {opts.FullLabel} no more than 1.2x p99 at {opts.CheckpointLabel}",
                $"{F(large[k].P99, "F2")} ms vs {F(small[k].P99, "F2")} ms = {F(r, "F2")}x", r <= 1.2,
                "a cached read does not touch the history (one revision row); a miss recomputes: see the cold dashboard. On a loaded machine p99 is noise"));
        }
        _targets.Add(($"peak memory at {opts.FullLabel} under 500 MB", Mb(peak) + " (whole process, load generator included)", peak < 500L * 1024 * 1024, "the in-process load generator's samples and the response cache"));
    }

    /// <summary>A free-form table (e.g. the wrk figures) and the targets it decides.</summary>
    public void Table(string markdown) => _tables.Append(markdown).AppendLine();

    public void Target(string target, string figure, bool met, string limit = "") => _targets.Add((target, figure, met, limit));

    public string Markdown(TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(opts.Quick ? " (--quick: smoke run, not the figures of record)" : "")}").AppendLine();
        sb.AppendLine($"Command: `dotnet run -c Release --project tests/TaskTracker.Benchmarks -- --reports {opts.Reports}{(opts.Quick ? " --quick" : "")}{(opts.OnePlan ? " --one-plan" : "")}{(opts.Wrk ? " --wrk" : "")}{(opts.Postgres is null ? "" : " --postgres")} --seconds {opts.Seconds}`; took {elapsed.TotalMinutes:F1} min.").AppendLine();
        sb.AppendLine("Machine:").AppendLine().Append(machine.Markdown).AppendLine($"- conditions: {opts.Note}; the load generator runs in the same process, on the same cores, as the service").AppendLine();
        foreach (var (k, v) in _facts) sb.AppendLine($"- {k}: {v}");
        sb.AppendLine().Append(_tables);
        sb.AppendLine("² CPU time of the whole process (service and load generator) per successful request; steadier than latency when other work shares the cores. " +
                      "The load average (1 min, whole machine) shows how much other work there was; on 2 cores anything above 2 means requests waited for a core.").AppendLine();
        sb.AppendLine("Targets:").AppendLine().AppendLine("| target | figure | met | what limits it (when not met) |").AppendLine("|---|---|---|---|");
        foreach (var (t, f, m, l) in _targets) sb.AppendLine($"| {t} | {f} | {(m ? "met" : "**not met**")} | {(m ? "" : l)} |");
        return sb.ToString();
    }
}
