using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace TaskTracker.Tests.Infrastructure;

/// <summary>
/// The real service over real HTTP (in-process test server) on a real SQLite file in a fresh temp folder,
/// seeded with the Guizhou plan and the small demo plan. The clock is a FakeTimeProvider tests can move.
/// With TASKTRACKER_TEST_PROVIDER=postgres it runs on a fresh database of its own on the PostgreSQL server
/// named by TASKTRACKER_TEST_PG instead, dropped again on dispose.
/// </summary>
public class TaskTrackerApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string Root { get; } = TestPaths.NewTempDir("app");
    public string SeedRoot => Path.Combine(Root, "seed");
    /// <summary>The SQLite file; unused when <see cref="IsPostgres"/>.</summary>
    public string DatabasePath => Path.Combine(Root, "tasktracker.db");
    public bool IsPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 7, 1, 2, 0, 0, TimeSpan.Zero));
    public Dictionary<string, string?> Settings { get; } = new();

    private readonly Lock _postgresLock = new();
    private string? _postgresServer;   // TASKTRACKER_TEST_PG, for creating and dropping the database
    private string? _postgresDatabase; // set once the database exists, so dispose knows what to drop
    private int _cleanedUp;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public TaskTrackerApp()
    {
        TestPaths.CopyDir(TestPaths.GuizhouSeed, Path.Combine(SeedRoot, "guizhou-2025"));
        TestPaths.CopyDir(TestPaths.DemoSeed, Path.Combine(SeedRoot, "demo-2026"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:SqlitePath", DatabasePath);
        if (IsPostgres)
        {
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("Database:PostgresConnectionString", CreatePostgresDatabase());
        }
        builder.UseSetting("Database:SeedPath", SeedRoot);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Access:AllowAnonymousReads", "true");
        builder.UseSetting("Operations:RateLimitPermits", "1000000"); // tests share one client address; limits are tested on their own
        builder.UseSetting("Notifications:Enabled", "false"); // delivery is driven explicitly by the notification tests
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Clock);
        });
    }

    public virtual Task InitializeAsync()
    {
        _ = Server; // start now so a bad seed or migration fails the fixture, not the first test
        return Task.CompletedTask;
    }

    // Cleanup lives here rather than in IAsyncLifetime.DisposeAsync because the factory's synchronous Dispose()
    // (`using var app = new TaskTrackerApp()`) also ends up here, and a PostgreSQL database must not outlive either.
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Exchange(ref _cleanedUp, 1) == 0)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                TestPaths.TryDelete(Root);
                await DropPostgresDatabaseAsync().ConfigureAwait(false);
            }
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    /// <summary>Creates this fixture's database once (ConfigureWebHost runs again for derived factories) and returns its connection string.</summary>
    private string CreatePostgresDatabase()
    {
        lock (_postgresLock)
        {
            if (_postgresDatabase is null)
            {
                var server = Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PG");
                if (string.IsNullOrWhiteSpace(server))
                    // A missing server in this mode must fail the run, not quietly fall back to SQLite.
                    throw new InvalidOperationException(
                        "TASKTRACKER_TEST_PROVIDER=postgres but TASKTRACKER_TEST_PG is not set. Set it to a connection string for a " +
                        "PostgreSQL server where tests may create databases, e.g. Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres " +
                        "(.ci/test starts such a server).");
                _postgresServer = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
                var name = $"tt_{Guid.NewGuid():N}";
                using var conn = new NpgsqlConnection(_postgresServer);
                conn.Open();
                using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
                cmd.ExecuteNonQuery();
                _postgresDatabase = name;
            }
            return new NpgsqlConnectionStringBuilder(_postgresServer) { Database = _postgresDatabase, Pooling = true }.ConnectionString;
        }
    }

    private async Task DropPostgresDatabaseAsync()
    {
        string? name;
        lock (_postgresLock) name = _postgresDatabase;
        if (name is null) return;
        // Pooled idle connections would otherwise keep the database open; FORCE ends any still in use.
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_postgresServer);
        await conn.OpenAsync().ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Issues a real token through the service's own token service.</summary>
    internal async Task<string> TokenAsync(Domain.Role role, string? agency = null, DateOnly? expires = null)
    {
        using var scope = Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<Features.Access.TokenService>();
        return (await tokens.CreateAsync(role, agency, null, expires, null, default)).Token;
    }

    public HttpClient ClientWith(string? token)
    {
        var client = CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    internal async Task<T> WithDb<T>(Func<Data.TaskTrackerDb, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>());
    }
}

public static class HttpAssertions
{
    public static async Task<T> ReadJson<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, TaskTrackerApp.Json)!;
    }

    /// <summary>Asserts an RFC 9457 problem with the status and returns its JSON.</summary>
    public static async Task<JsonElement> ReadProblem(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        return json;
    }

    public static void AssertFieldError(this JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors), $"no errors member in {problem}");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
    }
}
