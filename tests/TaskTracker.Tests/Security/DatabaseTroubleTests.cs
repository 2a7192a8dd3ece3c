using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TaskTracker.Common.Security;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Security;

public class DatabaseTroubleClassifierTests
{
    [Theory]
    [InlineData(5, "busy")]
    [InlineData(6, "locked")]
    [InlineData(13, "full")]
    public void Sqlite_busy_locked_and_full_are_temporary(int code, string word) =>
        Assert.Contains(word, DatabaseTrouble.Classify(new Microsoft.EntityFrameworkCore.DbUpdateException("x", new SqliteException("x", code))));

    [Theory]
    [InlineData("53100")] // disk full
    [InlineData("53300")] // too many connections
    [InlineData("57P01")] // admin shutdown
    [InlineData("25006")] // read-only transaction
    [InlineData("40001")] // serialisation failure
    [InlineData("40P01")] // deadlock
    public void Postgres_resource_shutdown_and_conflict_states_are_temporary(string state) =>
        Assert.NotNull(DatabaseTrouble.Classify(new PostgresException("x", "ERROR", "ERROR", state)));

    [Fact]
    public void Request_errors_are_not()
    {
        Assert.Null(DatabaseTrouble.Classify(new PostgresException("x", "ERROR", "ERROR", "23505"))); // unique violation
        Assert.Null(DatabaseTrouble.Classify(new SqliteException("x", 19))); // constraint
        Assert.Null(DatabaseTrouble.Classify(new InvalidOperationException("x")));
    }
}

public class UniqueViolationTests
{
    [Fact]
    public void Only_a_unique_or_primary_key_violation_is_one()
    {
        Assert.True(UniqueViolation.Is(new DbUpdateException("x", new SqliteException("x", 19, 2067)))); // SQLITE_CONSTRAINT_UNIQUE
        Assert.True(UniqueViolation.Is(new DbUpdateException("x", new SqliteException("x", 19, 1555)))); // SQLITE_CONSTRAINT_PRIMARYKEY
        Assert.True(UniqueViolation.Is(new DbUpdateException("x", new PostgresException("x", "ERROR", "ERROR", "23505"))));
        Assert.False(UniqueViolation.Is(new DbUpdateException("x", new SqliteException("x", 5)))); // busy
        Assert.False(UniqueViolation.Is(new DbUpdateException("x", new SqliteException("x", 6)))); // locked
        Assert.False(UniqueViolation.Is(new DbUpdateException("x", new SqliteException("x", 19, 787)))); // foreign key
        Assert.False(UniqueViolation.Is(new DbUpdateException("x", new PostgresException("x", "ERROR", "ERROR", "40001"))));
        Assert.False(UniqueViolation.Is(new DbUpdateException("x", new TimeoutException())));
    }
}

/// <summary>A database that cannot take the write: 503 with Retry-After, nothing stored; readiness says so too.</summary>
public sealed class DatabaseBusyTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Database:CommandTimeoutSeconds"] = "1";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    /// <summary>Another process holds the write lock (SQLite) or a lock on the reports table (PostgreSQL; with
    /// <paramref name="readsPass"/> one that lets reads through and stops only writes).</summary>
    private async Task<IAsyncDisposable> HoldWriteLock(bool readsPass = false)
    {
        if (_app.IsPostgres)
        {
            var cs = await _app.WithDb(db => Task.FromResult(db.Database.GetConnectionString()!));
            var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            var tx = await conn.BeginTransactionAsync();
            var mode = readsPass ? "EXCLUSIVE" : "ACCESS EXCLUSIVE";
            await using (var cmd = new NpgsqlCommand($"LOCK TABLE \"Reports\" IN {mode} MODE", conn, tx)) await cmd.ExecuteNonQueryAsync();
            return new Release(async () => { await tx.RollbackAsync(); await conn.DisposeAsync(); });
        }
        var sqlite = new SqliteConnection($"Data Source={_app.DatabasePath};Pooling=False");
        await sqlite.OpenAsync();
        await using (var cmd = sqlite.CreateCommand()) { cmd.CommandText = "BEGIN EXCLUSIVE;"; await cmd.ExecuteNonQueryAsync(); }
        return new Release(async () =>
        {
            await using (var cmd = sqlite.CreateCommand()) { cmd.CommandText = "ROLLBACK;"; await cmd.ExecuteNonQueryAsync(); }
            await sqlite.DisposeAsync();
        });
    }

    private sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }

    [Fact]
    public async Task A_locked_database_answers_503_with_retry_after_and_stores_nothing()
    {
        var reporter = _app.ClientWith(await _app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var target = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T03-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var before = await _app.WithDb(db => db.Reports.CountAsync());
        HttpResponseMessage response;
        await using (await HoldWriteLock())
            response = await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 5, asOf = "2025-06-30" });
        await response.ReadProblem(503);
        Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Equal(before, await _app.WithDb(db => db.Reports.CountAsync()));
        // Once the lock is gone the same request goes through.
        Assert.Equal(HttpStatusCode.Created, (await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 5, asOf = "2025-06-30" })).StatusCode);
    }

    [Fact]
    public async Task A_correction_the_locked_database_cannot_save_answers_503_not_already_corrected()
    {
        var reporter = _app.ClientWith(await _app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var target = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T03-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var filed = await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 5, asOf = "2025-06-30" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var original = (await filed.ReadJson<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        Task<HttpResponseMessage> Correct() => reporter.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{original}/corrections")
        {
            Content = JsonContent.Create(new { value = 6, asOf = "2025-06-30", reason = "补录" }),
            Headers = { { "Idempotency-Key", "busy-correction-1" } },
        });

        HttpResponseMessage locked;
        // PostgreSQL: the handler's reads pass and the insert is what times out, inside the save the correction path guards.
        await using (await HoldWriteLock(readsPass: true))
            locked = await Correct();
        Assert.Contains("Nothing was saved", (await locked.ReadProblem(503)).GetProperty("detail").GetString());
        Assert.Equal(0, await _app.WithDb(db => db.Reports.CountAsync(r => r.SupersedesId == original)));
        // The same request with the same key goes through once the lock is gone: neither the key nor the report was taken.
        Assert.Equal(HttpStatusCode.Created, (await Correct()).StatusCode);
        Assert.Equal(1, await _app.WithDb(db => db.Reports.CountAsync(r => r.SupersedesId == original)));
    }

    [Fact]
    public async Task Readiness_reports_a_database_that_cannot_write()
    {
        var http = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        if (_app.IsPostgres)
        {
            var name = await _app.WithDb(db => Task.FromResult(db.Database.GetDbConnection().Database));
            var on = "ALTER DATABASE \"" + name + "\" SET default_transaction_read_only = on"; // name is this fixture's own tt_<guid>
            await _app.WithDb(db => db.Database.ExecuteSqlRawAsync(on));
            NpgsqlConnection.ClearAllPools();
            try
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
            }
            finally
            {
                // A session started with the setting off overrides the database's default and can undo it.
                var cs = await _app.WithDb(db => Task.FromResult(db.Database.GetConnectionString()!));
                await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false, Options = "-c default_transaction_read_only=off" }.ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("ALTER DATABASE \"" + name + "\" SET default_transaction_read_only = off", conn);
                await cmd.ExecuteNonQueryAsync();
                NpgsqlConnection.ClearAllPools();
            }
        }
        else
        {
            await using (await HoldWriteLock())
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
    }
}

/// <summary>A volume with less free space than Database:MinFreeDiskMb is not ready (SQLite keeps its file on it).</summary>
public sealed class DiskFullReadinessTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Database:MinFreeDiskMb"] = (1024L * 1024).ToString(); // a terabyte: more than this machine has free
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Readiness_fails_when_the_database_volume_is_nearly_full()
    {
        var response = await _app.CreateClient().GetAsync("/health/ready");
        // PostgreSQL's disk is the server's, not this process's: the threshold applies to SQLite only.
        Assert.Equal(_app.IsPostgres ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().GetAsync("/health/live")).StatusCode);
    }
}
