using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace TaskTracker.Benchmarks;

/// <summary>
/// Builds the data set in bulk with raw SQL against the product's own schema (created by its migrations): plans
/// cloned from the seeded Guizhou plan (sections, tasks, clauses, responsible agencies, measures) until the task
/// count is reached, synthetic agencies up to the agency count, and progress reports in big transactions.
/// </summary>
public sealed class DataSet(string dbPath)
{
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

    private readonly Random _rng = new(20250101);
    private List<(long Id, int PlanId, int AgencyId, decimal Target)> _targets = [];
    public long ReportsLoaded { get; private set; }
    public int Plans { get; private set; }
    public int Tasks { get; private set; }
    public int Agencies { get; private set; }
    public int Measures { get; private set; }
    public int GuizhouTargets { get; private set; }

    public static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Exec(c, Pragmas);
        return c;
    }

    public static long Exec(SqliteConnection c, string sql, params (string, object?)[] ps)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd.ExecuteNonQuery();
    }

    public static T Scalar<T>(SqliteConnection c, string sql, params (string, object?)[] ps)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static List<string> Columns(SqliteConnection c, string table)
    {
        var cols = new List<string>();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"PRAGMA table_info(\"{table}\")";
        using var r = cmd.ExecuteReader();
        while (r.Read()) cols.Add(r.GetString(1));
        return cols;
    }

    /// <summary>INSERT INTO t (cols but Id) SELECT (src.col or override) FROM t src WHERE ...</summary>
    private static long Clone(SqliteConnection c, SqliteTransaction tx, string table, string where, Dictionary<string, string> overrides,
        params (string, object?)[] ps)
    {
        var cols = Columns(c, table).Where(x => x != "Id" || overrides.ContainsKey("Id")).ToList();
        var sql = $"INSERT INTO \"{table}\" ({string.Join(", ", cols.Select(x => $"\"{x}\""))}) SELECT " +
                  $"{string.Join(", ", cols.Select(x => overrides.TryGetValue(x, out var e) ? e : $"src.\"{x}\""))} FROM \"{table}\" src WHERE {where}";
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd.ExecuteNonQuery();
    }

    public void BuildPlans(int tasksWanted, int agenciesWanted)
    {
        using var c = Open(dbPath);
        using var tx = c.BeginTransaction();
        var g = Scalar<int>(c, "SELECT Id FROM Plans WHERE Code = 'guizhou-2025'");
        var gTasks = Scalar<int>(c, "SELECT COUNT(*) FROM Tasks WHERE PlanId = $g", ("$g", g));

        // Agencies: clone an ordinary (non-group) agency until there are enough.
        var have = Scalar<int>(c, "SELECT COUNT(*) FROM Agencies");
        var template = Scalar<int>(c, "SELECT Id FROM Agencies WHERE Kind <> 'group' ORDER BY Id LIMIT 1");
        for (var i = have; i < agenciesWanted; i++)
            Clone(c, tx, "Agencies", "src.Id = $t", new()
            {
                ["Code"] = "$code", ["NameZh"] = "$zh", ["NameEn"] = "$en",
            }, ("$t", template), ("$code", $"bench-agency-{i}"), ("$zh", $"基准单位{i}"), ("$en", $"Benchmark agency {i}"));
        var synthetic = new List<long>();
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT Id FROM Agencies WHERE Code LIKE 'bench-agency-%' ORDER BY Id";
            using var r = cmd.ExecuteReader();
            while (r.Read()) synthetic.Add(r.GetInt64(0));
        }

        var clones = (int)Math.Ceiling((tasksWanted - gTasks) / (double)gTasks);
        for (var k = 1; k <= clones; k++)
        {
            Clone(c, tx, "Plans", "src.Id = $g", new() { ["Code"] = "$code" }, ("$g", g), ("$code", $"bench-plan-{k:D3}"));
            var p = Scalar<long>(c, "SELECT last_insert_rowid()");
            var ps = new (string, object?)[] { ("$g", g), ("$p", p), ("$lead", synthetic.Count == 0 ? null : synthetic[k % synthetic.Count]) };
            Clone(c, tx, "Sections", "src.PlanId = $g", new() { ["PlanId"] = "$p" }, ps);
            Clone(c, tx, "Tasks", "src.PlanId = $g", new()
            {
                ["PlanId"] = "$p",
                ["SectionId"] = "(SELECT n.Id FROM Sections n JOIN Sections o ON o.Number = n.Number WHERE o.Id = src.SectionId AND n.PlanId = $p)",
            }, ps);
            const string newTask = "(SELECT n.Id FROM Tasks n JOIN Tasks o ON o.Number = n.Number WHERE o.Id = src.TaskId AND n.PlanId = $p)";
            Clone(c, tx, "Clauses", "src.TaskId IN (SELECT Id FROM Tasks WHERE PlanId = $g)", new() { ["TaskId"] = newTask }, ps);
            const string newClause = "(SELECT nc.Id FROM Clauses oc JOIN Tasks ot ON ot.Id = oc.TaskId JOIN Tasks nt ON nt.Number = ot.Number AND nt.PlanId = $p " +
                                     "JOIN Clauses nc ON nc.TaskId = nt.Id AND nc.Seq = oc.Seq WHERE oc.Id = src.ClauseId)";
            // Each cloned plan gets a different lead agency, so all 200 agencies answer for something.
            Clone(c, tx, "ClauseAgencies", "src.ClauseId IN (SELECT cl.Id FROM Clauses cl JOIN Tasks t ON t.Id = cl.TaskId WHERE t.PlanId = $g)", new()
            {
                ["ClauseId"] = newClause,
                ["AgencyId"] = synthetic.Count == 0 ? "src.AgencyId" : "CASE WHEN src.Position = 0 THEN $lead ELSE src.AgencyId END",
            }, ps);
            Clone(c, tx, "Measures", "src.PlanId = $g", new()
            {
                ["PlanId"] = "$p", ["TaskId"] = newTask, ["ClauseId"] = newClause,
            }, ps);
        }
        tx.Commit();

        Plans = Scalar<int>(c, "SELECT COUNT(*) FROM Plans");
        Tasks = Scalar<int>(c, "SELECT COUNT(*) FROM Tasks");
        Agencies = Scalar<int>(c, "SELECT COUNT(*) FROM Agencies");
        Measures = Scalar<int>(c, "SELECT COUNT(*) FROM Measures");
        GuizhouTargets = Scalar<int>(c, "SELECT COUNT(*) FROM Measures WHERE PlanId = $g AND Type = 'target' AND Active", ("$g", g));

        // Every active target, with an agency that answers for it (the clause's or task's lead, else the plan owner).
        using var q = c.CreateCommand();
        q.CommandText = """
            SELECT m.Id, m.PlanId,
                   COALESCE((SELECT ca.AgencyId FROM ClauseAgencies ca WHERE ca.ClauseId = m.ClauseId ORDER BY ca.Position LIMIT 1),
                            (SELECT ca.AgencyId FROM ClauseAgencies ca JOIN Clauses cl ON cl.Id = ca.ClauseId WHERE cl.TaskId = m.TaskId ORDER BY cl.Seq, ca.Position LIMIT 1),
                            p.OwnerAgencyId, (SELECT MIN(Id) FROM Agencies)),
                   m.Value
            FROM Measures m JOIN Plans p ON p.Id = m.PlanId
            WHERE m.Type = 'target' AND m.Active
            ORDER BY m.Id
            """;
        using var rd = q.ExecuteReader();
        while (rd.Read())
            _targets.Add((rd.GetInt64(0), rd.GetInt32(1), rd.GetInt32(2),
                rd.IsDBNull(3) ? 100m : decimal.Parse(rd.GetString(3), CultureInfo.InvariantCulture)));
    }

    public int TargetCount => _targets.Count;

    /// <summary>
    /// "One plan with a long history": from now on every report goes to Guizhou's own targets, filed monthly over
    /// many years (2014-2025) by its agencies, a third of them city parts (a sub-unit), as a real deployment grows.
    /// </summary>
    public void OnlyGuizhou(int guizhouPlanId, int years = 12)
    {
        _targets = _targets.Where(t => t.PlanId == guizhouPlanId).ToList();
        _longHistoryYears = years;
    }

    private int _longHistoryYears;
    private static readonly string[] Cities = ["贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市", "黔东南州", "黔南州", "黔西南州"];

    /// <summary>Adds reports until <paramref name="total"/> exist, uniformly over every active target of every plan, in big transactions.</summary>
    public void LoadReportsUpTo(long total, Action<string> log)
    {
        using var c = Open(dbPath);
        var start = ReportsLoaded;
        var plan2025 = new DateOnly(2025, 1, 1);
        const int batch = 50_000;
        while (ReportsLoaded < total)
        {
            using var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO Reports (PlanId, MeasureId, AgencyId, TokenId, Value, Status, Period, SubUnit, AsOf, Narrative, Evidence,
                                     FiledAtUtc, SupersedesId, CorrectionReason, ReviewStatus, ReviewComment, ReviewedAtUtc, ReviewedByTokenId, Version)
                VALUES ($plan, $measure, $agency, NULL, $value, NULL, NULL, $subUnit, $asOf, $narrative, '[]',
                        $filed, NULL, NULL, 'Submitted', NULL, NULL, NULL, 1)
                """;
            var pPlan = cmd.Parameters.Add("$plan", SqliteType.Integer);
            var pMeasure = cmd.Parameters.Add("$measure", SqliteType.Integer);
            var pAgency = cmd.Parameters.Add("$agency", SqliteType.Integer);
            var pValue = cmd.Parameters.Add("$value", SqliteType.Text);
            var pAsOf = cmd.Parameters.Add("$asOf", SqliteType.Text);
            var pNarr = cmd.Parameters.Add("$narrative", SqliteType.Text);
            var pFiled = cmd.Parameters.Add("$filed", SqliteType.Text);
            var pSub = cmd.Parameters.Add("$subUnit", SqliteType.Text);
            cmd.Prepare();
            var n = (int)Math.Min(batch, total - ReportsLoaded);
            for (var i = 0; i < n; i++)
            {
                var t = _targets[_rng.Next(_targets.Count)];
                var day = _rng.Next(0, 330);
                var asOf = plan2025.AddDays(day);
                string? subUnit = null;
                if (_longHistoryYears > 0)
                {
                    // Month ends over the years up to 2025-11, so the figures keep a meaning for 2025.
                    var month = new DateOnly(2025, 12, 1).AddMonths(-_rng.Next(1, _longHistoryYears * 12 + 1));
                    asOf = month.AddMonths(1).AddDays(-1);
                    // The value climbs towards the target over the whole history (the formula below reads day / 365).
                    day = (int)((asOf.DayNumber - new DateOnly(2025 - _longHistoryYears, 12, 1).DayNumber) / (double)_longHistoryYears);
                    if (_rng.Next(3) == 0) subUnit = Cities[_rng.Next(Cities.Length)];
                }
                var filed = asOf.ToDateTime(new TimeOnly(2, 0), DateTimeKind.Utc).AddDays(_rng.Next(1, 15)).AddSeconds(_rng.Next(0, 86_400));
                pPlan.Value = t.PlanId;
                pMeasure.Value = t.Id;
                pAgency.Value = t.AgencyId;
                pValue.Value = Math.Round(t.Target * (decimal)(day / 365.0 * (0.6 + _rng.NextDouble() * 0.6)), 2).ToString(CultureInfo.InvariantCulture);
                pAsOf.Value = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                pNarr.Value = "月度进展：按计划推进 (benchmark data)";
                pFiled.Value = filed.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                pSub.Value = (object?)subUnit ?? DBNull.Value;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            ReportsLoaded += n;
            if ((ReportsLoaded - start) % 200_000 == 0 || ReportsLoaded == total) log($"  loaded {ReportsLoaded:N0} reports");
        }
        // The bulk load bypasses the write step, so it moves every plan's data version itself, as a writer must:
        // otherwise cached reads taken before the load would still be served after it.
        Exec(c, "UPDATE Plans SET Revision = Revision + 1;");
        Exec(c, "PRAGMA wal_checkpoint(TRUNCATE);"); // no ANALYZE: a deployment would not have run it either
    }

    public static string Describe(SqliteConnection c, string table) =>
        new StringBuilder().AppendJoin(", ", Columns(c, table)).ToString();
}
