using System.ComponentModel.DataAnnotations;

namespace TaskTracker.Data;

internal enum DatabaseProvider { Sqlite, Postgres }

internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Sqlite (embedded default) or Postgres.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite file path (relative paths are resolved against the content root). Used when Provider is Sqlite.</summary>
    public string SqlitePath { get; set; } = "data/tasktracker.db";

    /// <summary>Npgsql connection string. Required when Provider is Postgres.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Folder holding one sub-folder per plan; loaded at start-up. Empty disables seeding.</summary>
    public string? SeedPath { get; set; } = "seed-data";

    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>SQLite: filings are committed in groups by one writer (ADR 0009). Off gives a transaction per filing.</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most filings one group commit takes.</summary>
    [Range(1, 10_000)]
    public int GroupCommitMaxBatch { get; set; } = 256;

    /// <summary>How long the writer waits for more filings before a commit (0: commit what is queued at once; the fsync
    /// of one batch is the natural wait for the next).</summary>
    [Range(0, 1000)]
    public int GroupCommitDelayMilliseconds { get; set; }
}
