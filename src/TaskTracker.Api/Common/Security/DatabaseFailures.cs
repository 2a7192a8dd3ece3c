using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskTracker.Data;

namespace TaskTracker.Common.Security;

/// <summary>Readiness settings read from the <c>Database</c> section.</summary>
internal sealed class DatabaseHealthOptions
{
    /// <summary>SQLite: readiness fails when the volume holding the database has less free space than this (MiB).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1024 * 1024)] public long MinFreeDiskMb { get; set; } = 64;

    /// <summary>Seconds a 503 for a busy, locked, full or unreachable database tells the client to wait (Retry-After).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)] public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>Which database errors are the service's temporary trouble rather than the request's fault.</summary>
internal static class DatabaseTrouble
{
    /// <summary>A short reason when <paramref name="e"/> (or what it wraps) is busy, locked, full or transient; else null.</summary>
    public static string? Classify(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SqliteException s:
                    return s.SqliteErrorCode switch
                    {
                        5 => "the database is busy",          // SQLITE_BUSY
                        6 => "the database is locked",        // SQLITE_LOCKED
                        13 => "the database is full",         // SQLITE_FULL
                        10 => "the database could not be written", // SQLITE_IOERR
                        14 => "the database could not be opened",  // SQLITE_CANTOPEN
                        _ => null,
                    };
                case PostgresException p when p.SqlState.StartsWith("53", StringComparison.Ordinal): // insufficient resources: disk full, memory, connections
                    return "the database is out of resources";
                case PostgresException p when p.SqlState is "25006" || p.SqlState.StartsWith("57P", StringComparison.Ordinal): // read-only, shutting down, starting
                    return "the database cannot take writes now";
                case PostgresException p when p.SqlState is "40001" or "40P01" or "55P03": // serialisation failure, deadlock, lock not available
                    return "the database is busy";
                case NpgsqlException n when n.IsTransient:
                    return "the database is unreachable or busy";
                case TimeoutException:
                    return "the database did not answer in time";
            }
        }
        return null;
    }
}

/// <summary>Whether a failed save was refused by a unique index (another request wrote the same key first).</summary>
internal static class UniqueViolation
{
    /// <summary>True only for a unique or primary-key violation; busy, locked, full and every other error are not.</summary>
    public static bool Is(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SqliteException s:
                    return s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555; // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
                case PostgresException p:
                    return p.SqlState == PostgresErrorCodes.UniqueViolation;
            }
        }
        return false;
    }
}

/// <summary>Busy, locked, full or transient database errors answer 503 with Retry-After instead of a bare 500.</summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, IOptions<DatabaseHealthOptions> options, ILogger<DatabaseUnavailableHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (DatabaseTrouble.Classify(exception) is not { } reason) return false;
        logger.LogWarning(exception, "Database unavailable for {Method} {Path}: {Reason}", http.Request.Method, http.Request.Path, reason);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http, Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = 503, Title = "Service unavailable", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
                Detail = $"Nothing was saved: {reason}. Retry after {options.Value.RetryAfterSeconds} seconds (with the same Idempotency-Key).",
            },
        });
    }
}

/// <summary>
/// Readiness means the database takes writes, not just answers: SQLite must grant the write lock within a second and
/// have disk space left; PostgreSQL must be able to start a writing transaction (not read-only, not in recovery).
/// </summary>
internal sealed class WritableDatabaseCheck(TaskTrackerDb db, IOptions<DatabaseHealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            if (db.Database.IsSqlite())
            {
                var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
                var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource))!;
                var free = new DriveInfo(folder).AvailableFreeSpace;
                if (free < options.Value.MinFreeDiskMb * 1024 * 1024)
                    return HealthCheckResult.Unhealthy($"the database volume has {free / 1024 / 1024} MiB free, less than Database:MinFreeDiskMb");
                await using var conn = new SqliteConnection(builder.ToString());
                await conn.OpenAsync(ct);
                // One statement per command: after a PRAGMA that returns a row, the rest of a batch is not run.
                foreach (var sql in new[] { "PRAGMA busy_timeout=1000;", "BEGIN IMMEDIATE;", "ROLLBACK;" })
                {
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = sql;
                    cmd.CommandTimeout = 2;
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            else
            {
                // A standby, or a database set read-only (as an operator does when the disk fills), answers reads but no writes.
                var conn = db.Database.GetDbConnection();
                await db.Database.OpenConnectionAsync(ct);
                try
                {
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = "SELECT current_setting('transaction_read_only') = 'off' AND NOT pg_is_in_recovery()";
                    if (await cmd.ExecuteScalarAsync(ct) is not true) return HealthCheckResult.Unhealthy("the database is read-only");
                }
                finally { await db.Database.CloseConnectionAsync(); }
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("the database cannot take writes: " + (DatabaseTrouble.Classify(e) ?? e.GetType().Name));
        }
    }
}
