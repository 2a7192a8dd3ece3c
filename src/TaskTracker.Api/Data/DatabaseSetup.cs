using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace TaskTracker.Data;

internal static class DatabaseSetup
{
    public static IServiceCollection AddTaskTrackerDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        // The domain's one responsibility resolver reads the plan's agency links through this request's context.
        services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<TaskTrackerDb>();
            return new Responsibility(db.ClauseAgencies, db.AgencyGroupMembers, db.Agencies, db.MeasureAssignments);
        });
        services.AddSingleton<CacheVersion>();
        services.AddSingleton<ReferenceChangeInterceptor>();
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.PostgresConnectionString),
                "Database:PostgresConnectionString is required when Database:Provider is Postgres.")
            .Validate(o => o.Provider != DatabaseProvider.Sqlite || !string.IsNullOrWhiteSpace(o.SqlitePath),
                "Database:SqlitePath is required when Database:Provider is Sqlite.")
            .ValidateOnStart();

        var provider = configuration.GetSection(DatabaseOptions.Section).GetValue<DatabaseProvider?>(nameof(DatabaseOptions.Provider))
                       ?? DatabaseProvider.Sqlite;
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddDbContext<TaskTrackerDb, PostgresTaskTrackerDb>((sp, o) =>
            {
                var opts = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
                o.UseNpgsql(opts.PostgresConnectionString, n => n.CommandTimeout(opts.CommandTimeoutSeconds)
                    .MigrationsHistoryTable("__EFMigrationsHistory")
                    .ExecutionStrategy(d => new SafeRetryingExecutionStrategy(d))); // transient errors retried where a retry is whole
                o.AddInterceptors(sp.GetRequiredService<ReferenceChangeInterceptor>());
            });
        }
        else
        {
            services.AddDbContext<TaskTrackerDb, SqliteTaskTrackerDb>((sp, o) =>
            {
                var opts = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
                var env = sp.GetRequiredService<IHostEnvironment>();
                o.UseSqlite(SqliteConnectionString(opts, env.ContentRootPath), s => s.CommandTimeout(opts.CommandTimeoutSeconds))
                    .AddInterceptors(new SqlitePragmas(), sp.GetRequiredService<ReferenceChangeInterceptor>());
            });
        }
        return services;
    }

    public static string SqliteFullPath(DatabaseOptions opts, string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(opts.SqlitePath) ? opts.SqlitePath : Path.Combine(contentRoot, opts.SqlitePath));

    private static string SqliteConnectionString(DatabaseOptions opts, string contentRoot)
    {
        var path = SqliteFullPath(opts, contentRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Pooling=False would cost a pragma round-trip per open anyway; keep the pool and set pragmas on open.
        return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Cache = Microsoft.Data.Sqlite.SqliteCacheMode.Default }.ToString();
    }

    /// <summary>Applies migrations and, on SQLite, proves the durability pragmas took effect.</summary>
    public static async Task InitialiseAsync(TaskTrackerDb db, DatabaseOptions opts, ILogger logger, CancellationToken ct)
    {
        if (opts.MigrateOnStartup)
            await db.Database.MigrateAsync(ct);

        if (db.Database.IsSqlite())
        {
            var conn = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode;";
                var journal = (string?)await cmd.ExecuteScalarAsync(ct);
                cmd.CommandText = "PRAGMA synchronous;";
                var sync = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
                if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase) || sync != 2)
                    throw new InvalidOperationException(
                        $"SQLite durability settings not in effect: journal_mode={journal}, synchronous={sync} (expected wal and 2=FULL).");
                logger.LogInformation("SQLite at {Path}: journal_mode={Journal}, synchronous=FULL", conn.DataSource, journal);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
