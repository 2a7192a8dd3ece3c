using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using TaskTracker.Data;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.CrashSafety;

/// <summary>
/// A database of its own (a SQLite file, or a fresh PostgreSQL database in the PostgreSQL run) that the real service
/// binary runs against as a child process, so the process can be killed with SIGKILL and started again.
/// </summary>
public sealed class ServiceDatabase : IAsyncDisposable
{
    public string Root { get; } = TestPaths.NewTempDir("crash");
    public string SeedRoot => Path.Combine(Root, "seed");
    public string SqlitePath => Path.Combine(Root, "tasktracker.db");
    public bool IsPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);
    public string? PostgresConnectionString { get; }
    private readonly string? _server, _name;

    public ServiceDatabase()
    {
        TestPaths.CopyDir(TestPaths.GuizhouSeed, Path.Combine(SeedRoot, "guizhou-2025"));
        if (!IsPostgres) return;
        var server = Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PG");
        if (string.IsNullOrWhiteSpace(server))
            throw new InvalidOperationException("TASKTRACKER_TEST_PROVIDER=postgres but TASKTRACKER_TEST_PG is not set.");
        _server = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
        _name = $"tt_crash_{Guid.NewGuid():N}";
        using var conn = new NpgsqlConnection(_server);
        conn.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", conn);
        cmd.ExecuteNonQuery();
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _name, Pooling = false }.ConnectionString;
    }

    public Dictionary<string, string> Environment_() => IsPostgres
        ? new() { ["Database__Provider"] = "Postgres", ["Database__PostgresConnectionString"] = PostgresConnectionString! }
        : new() { ["Database__Provider"] = "Sqlite", ["Database__SqlitePath"] = SqlitePath };

    /// <summary>An EF context on the same database, for reading what the service really stored.</summary>
    public ServiceProvider OpenDb()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(Environment_().ToDictionary(
            kv => kv.Key.Replace("__", ":"), kv => (string?)kv.Value)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(Root));
        services.AddTaskTrackerDatabase(config);
        return services.BuildServiceProvider();
    }

    private sealed class TestHostEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "TaskTracker.Api";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDelete(Root);
        if (_name is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>The service binary (TaskTracker.Api.dll, copied next to the test assembly) as a child process.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "TaskTracker.Api.dll");
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();
    public Uri BaseAddress { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    private ServiceProcess(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    private static ProcessStartInfo StartInfo(ServiceDatabase db, IEnumerable<string> args, int? port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = db.Root };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in db.Environment_()) psi.Environment[k] = v;
        psi.Environment["Database__SeedPath"] = db.SeedRoot;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Access__AllowAnonymousReads"] = "true";
        psi.Environment["Operations__RateLimitPermits"] = "0";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Notifications__Enabled"] = "false";
        // Claims of killed requests expire sooner, so their retries need not wait the production 30 s.
        psi.Environment["Operations__IdempotencyLeaseSeconds"] = "5";
        psi.Environment["DOTNET_gcServer"] = "0";
        if (port is { } p) psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{p}";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Runs `tokens create` against the same database and returns the token (the last stdout line).</summary>
    public static async Task<string> CreateTokenAsync(ServiceDatabase db, params string[] args)
    {
        using var p = Process.Start(StartInfo(db, ["tokens", "create", .. args], null))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(p.ExitCode == 0 && lines.Length > 0, $"tokens create failed ({p.ExitCode}): {await stderr}");
        return lines[^1];
    }

    /// <summary>Runs the binary with these arguments to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(ServiceDatabase db, params string[] args)
    {
        using var p = Process.Start(StartInfo(db, args, null))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout, await stderr);
    }

    public static async Task<ServiceProcess> StartAsync(ServiceDatabase db, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var process = Process.Start(StartInfo(db, [], port, settings))!;
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (service._log) service._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (service._log) service._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"service exited with {process.ExitCode}:\n{service.Log}");
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return service;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        await service.DisposeAsync();
        throw new TimeoutException("service did not become ready:\n" + service.Log);
    }

    public HttpClient Client(string? token)
    {
        var c = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return c;
    }

    /// <summary>SIGKILL on Linux: no shutdown hooks, no flushing, whatever was in flight is cut off.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
