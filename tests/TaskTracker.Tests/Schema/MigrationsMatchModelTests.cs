using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;

namespace TaskTracker.Tests.Schema;

/// <summary>
/// Each provider keeps its own migrations (docs/adr/0002). A model change without a migration for both would only
/// show up on a fresh database of the forgotten provider; this catches it on every run, on either provider.
/// </summary>
public sealed class MigrationsMatchModelTests
{
    [Fact]
    public void Sqlite_migrations_cover_the_model()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes without a SQLite migration");
    }

    [Fact]
    public void Postgres_migrations_cover_the_model()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes without a PostgreSQL migration");
    }
}
