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
}
