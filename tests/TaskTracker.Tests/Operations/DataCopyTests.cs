using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Features.Operations;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Operations;

/// <summary>
/// Moving a deployment between SQLite and PostgreSQL keeps everything, proven by counts and checksums. Needs the
/// PostgreSQL server that .ci/test starts (TASKTRACKER_TEST_PG); without it the test fails rather than skips.
/// </summary>
public class DataCopyTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    private readonly List<string> _pgDatabases = [];
    private readonly string _dir = TestPaths.NewTempDir("copy");

    public Task InitializeAsync() => _app.InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        SqliteConnection.ClearAllPools();
        foreach (var name in _pgDatabases)
        {
            await using var conn = new NpgsqlConnection(Server());
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        TestPaths.TryDelete(_dir);
    }

    private static string Server() => Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PG") is { Length: > 0 } s
        ? new NpgsqlConnectionStringBuilder(s) { Pooling = false }.ConnectionString
        : throw new InvalidOperationException("TASKTRACKER_TEST_PG is not set: run the suite with .ci/test, which starts PostgreSQL.");

    private async Task<string> NewPostgresAsync()
    {
        var name = $"tt_copy_{Guid.NewGuid():N}";
        await using (var conn = new NpgsqlConnection(Server()))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        _pgDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(Server()) { Database = name }.ConnectionString;
    }

    private async Task PopulateAsync()
    {
        var reporter = _app.ClientWith(await _app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var office = _app.ClientWith(await _app.TokenAsync(Role.Office));
        var target = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T02-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var first = await (await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 1400.5, asOf = "2025-06-30", narrative = "上半年 🎉", evidence = new[] { "https://example.gov.cn/a" } })).ReadJson<ReportDto>();
        var second = await (await reporter.PostAsJsonAsync($"/api/reports/{first.Id}/corrections", new { value = 1410, asOf = "2025-06-30", reason = "更正" })).ReadJson<ReportDto>();
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{second.Id}/review") { Content = JsonContent.Create(new { decision = "accept" }), Headers = { { "If-Match", second.ETag } } };
        (await office.SendAsync(review)).EnsureSuccessStatusCode();
        var key = new HttpRequestMessage(HttpMethod.Post, $"/api/targets/{target}/reports") { Content = JsonContent.Create(new { value = 1450, asOf = "2025-06-30" }), Headers = { { "Idempotency-Key", "copy-1" } } };
        (await reporter.SendAsync(key)).EnsureSuccessStatusCode();
        var evidence = new MultipartFormDataContent { { new ByteArrayContent(Evidence.EvidenceFiles.Pdf("copy")), "file", "证明.pdf" } };
        (await reporter.PostAsync($"/api/reports/{second.Id}/attachments", evidence)).EnsureSuccessStatusCode();
        (await office.PostAsJsonAsync("/api/plans/guizhou-2025/instructions", new { taskNumber = 5, agency = "bigdata-bureau", text = "请加快科创城企业集聚", replyBy = "2025-07-20" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Copy_to_the_other_provider_and_back_keeps_every_row()
    {
        await PopulateAsync();
        var (otherProvider, other) = _app.IsPostgres ? ("sqlite", Path.Combine(_dir, "copy.db")) : ("postgres", await NewPostgresAsync());

        var output = new StringWriter();
        var rc = await DataCommands.RunAsync(_app.Services, ["data", "copy", "--to-provider", otherProvider, "--to", other], output, new StringWriter());
        Assert.True(rc == 0, output.ToString());
        Assert.Contains("All tables match.", output.ToString());
        Assert.Contains("ProgressReport", output.ToString());

        // And back, into a fresh database of the original kind: identical to where it started.
        var sourceConnection = await _app.WithDb(db => Task.FromResult(db.Database.GetConnectionString()!));
        var originalKind = _app.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var back = _app.IsPostgres ? await NewPostgresAsync() : Path.Combine(_dir, "back.db");
        await using (var src = DataCopy.Open(otherProvider == "postgres" ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, other))
        await using (var dst = DataCopy.Open(originalKind, back))
            Assert.All(await DataCopy.CopyAsync(src, dst, TextWriter.Null, default), c => Assert.True(c.Matches, c.Table));
        await using (var original = DataCopy.Open(originalKind, sourceConnection))
        await using (var roundTrip = DataCopy.Open(originalKind, back))
        {
            var checks = await DataCopy.VerifyAsync(original, roundTrip, default);
            Assert.All(checks, c => Assert.True(c.Matches, c.Table));
            Assert.Contains(checks, c => c.Table == "ProgressReport" && c.SourceRows == 3);
            Assert.Contains(checks, c => c.Table == "InstructionEntry" && c.SourceRows == 1);
            // New rows continue after the copied ids (PostgreSQL sequences were moved on).
            var maxAudit = await roundTrip.Audit.MaxAsync(a => a.Id);
            roundTrip.Audit.Add(new AuditEntry { AtUtc = DateTime.UtcNow, Action = "test", EntityType = "test", EntityId = "1" });
            await roundTrip.SaveChangesAsync();
            Assert.True(await roundTrip.Audit.MaxAsync(a => a.Id) > maxAudit);
        }
    }

    [Fact]
    public async Task Copy_refuses_a_target_that_already_holds_data()
    {
        var sourceConnection = await _app.WithDb(db => Task.FromResult(db.Database.GetConnectionString()!));
        var kind = _app.IsPostgres ? "postgres" : "sqlite";
        var error = new StringWriter();
        Assert.Equal(1, await DataCommands.RunAsync(_app.Services, ["data", "copy", "--to-provider", kind, "--to", sourceConnection], TextWriter.Null, error));
        Assert.Contains("already holds data", error.ToString());
        Assert.Equal(2, await DataCommands.RunAsync(_app.Services, ["data", "copy"], TextWriter.Null, new StringWriter()));
    }

    [Fact]
    public async Task Sqlite_online_backup_is_a_consistent_copy()
    {
        await PopulateAsync();
        var file = Path.Combine(_dir, "backup.db");
        var output = new StringWriter();
        var error = new StringWriter();
        var rc = await DataCommands.RunAsync(_app.Services, ["backup", "--to", file], output, error);
        if (_app.IsPostgres)
        {
            Assert.Equal(2, rc);
            Assert.Contains("pg_dump", error.ToString());
            return;
        }
        Assert.Equal(0, rc);
        await using var copy = DataCopy.Open(DatabaseProvider.Sqlite, file);
        await using var live = DataCopy.Open(DatabaseProvider.Sqlite, _app.DatabasePath);
        Assert.All(await DataCopy.VerifyAsync(live, copy, default), c => Assert.True(c.Matches, c.Table));
        Assert.Equal(1, await DataCommands.RunAsync(_app.Services, ["backup", "--to", file], TextWriter.Null, new StringWriter())); // never overwrites
    }
}
