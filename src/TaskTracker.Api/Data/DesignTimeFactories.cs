using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TaskTracker.Data;

// Used only by `dotnet ef` to create migrations; the running service configures contexts in DatabaseSetup.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTaskTrackerDb>
{
    public SqliteTaskTrackerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTaskTrackerDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTaskTrackerDb>
{
    public PostgresTaskTrackerDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTaskTrackerDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
