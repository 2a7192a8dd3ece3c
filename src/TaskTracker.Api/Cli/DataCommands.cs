using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Cli;

internal sealed record TableCheck(string Table, long SourceRows, long TargetRows, string SourceChecksum, string TargetChecksum)
{
    public bool Matches => SourceRows == TargetRows && SourceChecksum == TargetChecksum;
}

/// <summary>
/// Moves a whole deployment between providers (SQLite ⇄ PostgreSQL): every table, keys preserved, then proves the copy
/// by row counts and per-table checksums computed the same way on both sides.
/// </summary>
internal static class DataCopy
{
    // Parents before children, so foreign keys hold at every insert.
    private static readonly Type[] Order =
    [
        typeof(Agency), typeof(AgencyGroupMember), typeof(Plan), typeof(Section), typeof(WorkTask), typeof(Clause), typeof(ClauseAgency),
        typeof(Measure), typeof(MeasureAssignment), typeof(MilestoneStep), typeof(PlannedValue), typeof(ApiToken), typeof(ProgressReport), typeof(Attachment), typeof(IdempotencyRecord), typeof(AuditEntry),
        typeof(Instruction), typeof(InstructionEntry), typeof(OutboxEvent), typeof(WebhookSubscription), typeof(WebhookDelivery),
    ];

    public static TaskTrackerDb Open(DatabaseProvider provider, string connection) => provider switch
    {
        DatabaseProvider.Postgres => new PostgresTaskTrackerDb(new DbContextOptionsBuilder<PostgresTaskTrackerDb>().UseNpgsql(connection).Options),
        _ => new SqliteTaskTrackerDb(new DbContextOptionsBuilder<SqliteTaskTrackerDb>()
            .UseSqlite(connection.Contains('=') ? connection : $"Data Source={connection}").AddInterceptors(new SqlitePragmas()).Options),
    };

    public static async Task<IReadOnlyList<TableCheck>> CopyAsync(TaskTrackerDb source, TaskTrackerDb target, TextWriter log, CancellationToken ct)
    {
        await target.Database.MigrateAsync(ct);
        if (await target.Plans.AnyAsync(ct) || await target.Agencies.AnyAsync(ct))
            throw new InvalidOperationException("The target database already holds data; copy only into an empty database.");

        foreach (var type in Order)
        {
            var copied = await (Task<int>)typeof(DataCopy).GetMethod(nameof(CopyTableAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type).Invoke(null, [source, target, ct])!;
            await log.WriteLineAsync($"copied {copied,9} rows of {type.Name}");
        }
        if (target.Database.IsNpgsql()) await ResetSequencesAsync(target, ct);
        return await VerifyAsync(source, target, ct);
    }

    private static async Task<int> CopyTableAsync<T>(TaskTrackerDb source, TaskTrackerDb target, CancellationToken ct) where T : class
    {
        var entityType = source.Model.FindEntityType(typeof(T))!;
        var key = entityType.FindPrimaryKey()!.Properties;
        IQueryable<T> query = source.Set<T>().AsNoTracking();
        query = key.Aggregate((IOrderedQueryable<T>?)null, (q, p) => q is null
            ? query.OrderBy(e => EF.Property<object>(e, p.Name))
            : q.ThenBy(e => EF.Property<object>(e, p.Name)))!;
        var count = 0;
        await using var tx = await target.Database.BeginTransactionAsync(ct);
        const int batch = 5000;
        for (var skip = 0; ; skip += batch)
        {
            var rows = await query.Skip(skip).Take(batch).ToListAsync(ct);
            if (rows.Count == 0) break;
            target.Set<T>().AddRange(rows);
            await target.SaveChangesAsync(ct);
            target.ChangeTracker.Clear();
            count += rows.Count;
        }
        await tx.CommitAsync(ct);
        return count;
    }

    /// <summary>Inserted rows kept their ids; PostgreSQL's identity sequences must continue after them.</summary>
    private static async Task ResetSequencesAsync(TaskTrackerDb db, CancellationToken ct)
    {
        foreach (var et in db.Model.GetEntityTypes().Where(e => e.BaseType is null && !e.IsOwned()))
        {
            var key = et.FindPrimaryKey()!.Properties;
            if (key.Count != 1 || key[0].ValueGenerated != Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd) continue;
            var table = et.GetTableName()!;
            var column = key[0].GetColumnName();
#pragma warning disable EF1002 // identifiers come from the model, not from input
            await db.Database.ExecuteSqlRawAsync(
                $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), GREATEST(COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0), 1), (SELECT COUNT(*) > 0 FROM \"{table}\"))", ct);
#pragma warning restore EF1002
        }
    }

    public static async Task<IReadOnlyList<TableCheck>> VerifyAsync(TaskTrackerDb source, TaskTrackerDb target, CancellationToken ct)
    {
        var result = new List<TableCheck>();
        foreach (var type in Order)
        {
            var method = typeof(DataCopy).GetMethod(nameof(ChecksumAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
            var (sRows, sSum) = await (Task<(long, string)>)method.Invoke(null, [source, ct])!;
            var (tRows, tSum) = await (Task<(long, string)>)method.Invoke(null, [target, ct])!;
            result.Add(new TableCheck(type.Name, sRows, tRows, sSum, tSum));
        }
        return result;
    }

    /// <summary>
    /// SHA-256 over every row's properties, written the same way whatever the provider returned, with rows sorted so
    /// that the order a provider streams them in does not matter.
    /// </summary>
    private static async Task<(long, string)> ChecksumAsync<T>(TaskTrackerDb db, CancellationToken ct) where T : class
    {
        var types = db.Model.FindEntityType(typeof(T))!.GetDerivedTypesInclusive().ToList();
        var lines = new List<string>();
        await foreach (var row in db.Set<T>().AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            var sb = new StringBuilder();
            Append(sb, types.First(t => t.ClrType == row.GetType()), row);
            lines.Add(sb.ToString());
        }
        lines.Sort(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var l in lines) sha.AppendData(Encoding.UTF8.GetBytes(l + "\n"));
        return (lines.Count, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static void Append(StringBuilder sb, IEntityType et, object entity)
    {
        foreach (var p in et.GetProperties().Where(p => p.PropertyInfo is not null || p.FieldInfo is not null).OrderBy(p => p.Name, StringComparer.Ordinal))
            sb.Append(p.Name).Append('=').Append(Canonical(p.GetGetter().GetClrValue(entity))).Append(';');
        foreach (var nav in et.GetNavigations().Where(n => n.TargetEntityType.IsOwned()).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var owned = nav.GetGetter().GetClrValue(entity);
            sb.Append(nav.Name).Append('{');
            if (owned is not null) Append(sb, nav.TargetEntityType, owned);
            sb.Append('}');
        }
    }

    private static string Canonical(object? v) => v switch
    {
        null => "∅",
        // PostgreSQL keeps microseconds, SQLite ticks: compare at the precision both keep.
        DateTime d => new DateTime(d.Ticks - d.Ticks % 10, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
        decimal m => (m / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string s => s.Replace("\\", "\\\\").Replace(";", "\\;"),
        byte[] b => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b)), // evidence files: compare by digest
        IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Canonical)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}

/// <summary>`data copy` and `backup`, run by the service binary against its configuration.</summary>
internal static class DataCommands
{
    public const string Usage = """
        usage:
          data copy --to-provider <sqlite|postgres> --to <connection string or sqlite path> [--from-provider … --from …]
                    (source defaults to the configured database)
          data verify --to-provider … --to …     (counts and checksums only)
          backup --to <file>                     (SQLite online backup of the configured database)
        """;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        var opts = Options(args);
        var configured = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        try
        {
            if (args[0] == "backup")
            {
                if (configured.Provider != DatabaseProvider.Sqlite)
                {
                    await error.WriteLineAsync("backup is for SQLite; for PostgreSQL use pg_dump (see README).");
                    return 2;
                }
                if (!opts.TryGetValue("to", out var to)) { await error.WriteLineAsync(Usage); return 2; }
                var source = DatabaseSetup.SqliteFullPath(configured, contentRoot);
                await BackupAsync(source, to);
                await output.WriteLineAsync($"Backed up {source} to {Path.GetFullPath(to)} (online backup; integrity_check ok).");
                return 0;
            }
            if (args.ElementAtOrDefault(1) is not ("copy" or "verify") || !opts.TryGetValue("to", out var target) || !opts.TryGetValue("to-provider", out var toProvider))
            {
                await error.WriteLineAsync(Usage);
                return 2;
            }
            var fromProvider = opts.TryGetValue("from-provider", out var fp) ? Parse(fp) : configured.Provider;
            var from = opts.GetValueOrDefault("from") ?? (configured.Provider == DatabaseProvider.Postgres
                ? configured.PostgresConnectionString! : DatabaseSetup.SqliteFullPath(configured, contentRoot));
            await using var src = DataCopy.Open(fromProvider, from);
            await using var dst = DataCopy.Open(Parse(toProvider), target);
            var checks = args[1] == "copy" ? await DataCopy.CopyAsync(src, dst, output, CancellationToken.None) : await DataCopy.VerifyAsync(src, dst, CancellationToken.None);
            foreach (var c in checks)
                await output.WriteLineAsync($"{(c.Matches ? "ok      " : "MISMATCH")} {c.Table,-20} rows {c.SourceRows,9} → {c.TargetRows,9}  sha256 {c.SourceChecksum[..16]} → {c.TargetChecksum[..16]}");
            var ok = checks.All(c => c.Matches);
            await output.WriteLineAsync(ok ? "All tables match." : "Some tables differ.");
            return ok ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or SqliteException or Npgsql.NpgsqlException)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    /// <summary>SQLite's online backup API: a consistent copy while the service keeps running.</summary>
    public static async Task BackupAsync(string sourcePath, string destinationPath)
    {
        var dest = Path.GetFullPath(destinationPath);
        if (File.Exists(dest)) throw new InvalidOperationException($"{dest} exists; choose a new file.");
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        await using (var source = new SqliteConnection($"Data Source={sourcePath};Mode=ReadOnly"))
        await using (var target = new SqliteConnection($"Data Source={dest};Pooling=False"))
        {
            await source.OpenAsync();
            await target.OpenAsync();
            source.BackupDatabase(target);
            await using var check = target.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            var result = (string?)await check.ExecuteScalarAsync();
            if (result != "ok") throw new InvalidOperationException($"backup failed its integrity check: {result}");
        }
        SqliteConnection.ClearAllPools();
    }

    private static DatabaseProvider Parse(string s) => s.ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => throw new ArgumentException($"unknown provider '{s}': sqlite or postgres."),
    };

    private static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length - 1; i++)
            if (args[i].StartsWith("--", StringComparison.Ordinal)) result[args[i][2..]] = args[++i];
        return result;
    }
}
