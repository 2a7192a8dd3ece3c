using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace TaskTracker.Benchmarks;

/// <summary>
/// The real service (the API's own Program) on Kestrel over real TCP, on a SQLite file in a temp folder, with
/// production-like settings. The only addition is <see cref="MinimalEndpoint"/>, which exists only in this host.
/// </summary>
public sealed class BenchHost(string root, string seedRoot, int port, string? postgres = null) : WebApplicationFactory<Program>
{
    public string DatabasePath => Path.Combine(root, "tasktracker.db");
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:SqlitePath", DatabasePath);
        builder.UseSetting("Database:SeedPath", seedRoot);
        if (postgres is not null)
        {
            // The PostgreSQL phase: two of these hosts on one database (see PgPhase).
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("Database:PostgresConnectionString", postgres);
        }
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
        builder.UseSetting("Access:AllowAnonymousReads", "true");
        builder.UseSetting("Operations:RateLimitPermits", "0"); // 0 disables the per-token limiter
        builder.UseSetting("Operations:SwaggerEnabled", "false");
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, MinimalEndpoint>());
    }

    public void Start()
    {
        UseKestrel(o => o.ListenLocalhost(port));
        StartServer();
    }
}

/// <summary>
/// A minimal endpoint of the same server: answers GET /bench/static with fixed bytes (set to the dashboard's own
/// response body) before any of the service's middleware. The ceiling a dashboard request is compared with.
/// </summary>
public sealed class MinimalEndpoint : IStartupFilter
{
    public static volatile byte[] Body = "{}"u8.ToArray();
    public static volatile string ETag = "\"static\"";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, nxt) =>
        {
            if (http.Request.Path == "/bench/static")
            {
                var body = Body;
                http.Response.StatusCode = 200;
                http.Response.ContentType = "application/json; charset=utf-8";
                http.Response.Headers.ETag = ETag;
                http.Response.ContentLength = body.Length;
                await http.Response.Body.WriteAsync(body);
                return;
            }
            await nxt(http);
        });
        next(app);
    };
}

/// <summary>Counts EF Core commands and commits through its DiagnosticListener, without touching the service's configuration.</summary>
public sealed class EfCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    public long Commands;
    public long Commits;

    public static EfCounter Install()
    {
        var c = new EfCounter();
        DiagnosticListener.AllListeners.Subscribe(c);
        return c;
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "Microsoft.EntityFrameworkCore") value.Subscribe(this, name =>
            name is "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted"
                or "Microsoft.EntityFrameworkCore.Database.Transaction.TransactionCommitted");
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key.EndsWith("CommandExecuted", StringComparison.Ordinal)) Interlocked.Increment(ref Commands);
        else Interlocked.Increment(ref Commits);
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }
}
