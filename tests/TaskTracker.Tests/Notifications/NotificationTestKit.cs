using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using TaskTracker.Features.Notifications;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Notifications;

/// <summary>A real HTTP server on 127.0.0.1 that records every webhook request and answers with the status <see cref="Respond"/> picks.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(int Number, string Event, long DeliveryId, string Timestamp, string Signature, string ContentType, string Body);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly Task _loop;
    private int _count;

    /// <summary>(request, 1-based number of the request) → HTTP status to answer.</summary>
    public Func<Received, int> Respond { get; set; } = _ => 200;
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;
    public string Url { get; }
    public IReadOnlyList<Received> Requests => _received.ToArray();

    public WebhookReceiver()
    {
        Url = LoopbackListener.Start(_listener, "hook/");
        _loop = Task.Run(() => LoopbackListener.ServeAsync(_listener, HandleAsync));
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var r = new Received(Interlocked.Increment(ref _count), ctx.Request.Headers[WebhookSignature.EventHeader] ?? "",
                long.TryParse(ctx.Request.Headers[WebhookSignature.DeliveryHeader], out var id) ? id : -1,
                ctx.Request.Headers[WebhookSignature.TimestampHeader] ?? "", ctx.Request.Headers[WebhookSignature.SignatureHeader] ?? "",
                ctx.Request.ContentType ?? "", body);
            _received.Enqueue(r);
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
            ctx.Response.StatusCode = Respond(r);
            var answer = Encoding.UTF8.GetBytes(ctx.Response.StatusCode >= 400 ? "receiver says no" : "ok");
            await ctx.Response.OutputStream.WriteAsync(answer);
            ctx.Response.Close();
        }
        catch (Exception)
        {
            try { ctx.Response.Abort(); } catch (Exception) { }
        }
    }

    /// <summary>What a receiver must do: recompute the HMAC over "{timestamp}.{body}" with the secret and compare in constant time.</summary>
    public static bool SignatureValid(Received r, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{r.Timestamp}.{r.Body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(r.Signature));
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _listener.Stop();
        _listener.Close();
        await Task.WhenAny(_loop, Task.Delay(2000));
    }
}

/// <summary>Another instance of the service on the database of <paramref name="owner"/>, with its own container and settings, on a given clock.</summary>
public sealed class ServiceInstance(TaskTrackerApp owner, FakeTimeProvider clock, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var (provider, connection) = owner.IsPostgres
            ? ("Postgres", owner.WithDb(db => Task.FromResult(db.Database.GetConnectionString()!)).GetAwaiter().GetResult())
            : ("Sqlite", owner.DatabasePath);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", provider);
        builder.UseSetting(provider == "Postgres" ? "Database:PostgresConnectionString" : "Database:SqlitePath", connection);
        builder.UseSetting("Database:SeedPath", owner.SeedRoot);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Access:AllowAnonymousReads", "true");
        builder.UseSetting("Operations:RateLimitPermits", "1000000");
        foreach (var (k, v) in settings) builder.UseSetting(k, v);
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(clock);
        });
    }

    public HttpClient ClientWith(string? token)
    {
        var c = CreateClient();
        if (token is not null) c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return c;
    }
}

public static class NotificationHelpers
{
    public static async Task<T> InScope<T>(this IServiceProvider services, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public static Task<int> DrainAsync(this IServiceProvider services) =>
        services.InScope(sp => sp.GetRequiredService<WebhookDispatcher>().DrainAsync(CancellationToken.None));

    public static Task<int> ScanAsync(this IServiceProvider services) =>
        services.InScope(sp => sp.GetRequiredService<DeadlineWatcher>().ScanOnceAsync(CancellationToken.None));

    public static async Task WaitUntil(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"waited {seconds} s for {what}");
            await Task.Delay(50);
        }
    }
}
