using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace TaskTracker.Features.Notifications;

/// <summary>
/// Every PollInterval: sends due webhook deliveries; every DeadlineScanInterval: writes events for passed deadlines.
/// The waiting is in real time; "now" for due dates, leases and backoff comes from the injected TimeProvider.
/// A failed round is logged and the loop carries on.
/// </summary>
internal sealed class NotificationWorker(IServiceScopeFactory scopes, IOptions<NotificationOptions> options, ILogger<NotificationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("Notifications are disabled (Notifications:Enabled=false): events are kept in the outbox but not delivered");
            return;
        }
        await Task.Yield();
        long? lastScan = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lastScan is null || Stopwatch.GetElapsedTime(lastScan.Value) >= o.DeadlineScanInterval)
                {
                    lastScan = Stopwatch.GetTimestamp();
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<DeadlineWatcher>().ScanOnceAsync(stoppingToken);
                }
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<WebhookDispatcher>().DrainAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Notification round failed; retrying in {Interval}", o.PollInterval);
            }
            try
            {
                await Task.Delay(o.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

internal static class NotificationSetup
{
    public static IServiceCollection AddNotificationServices(IServiceCollection services, IConfiguration config)
    {
        var builder = services.AddOptions<NotificationOptions>().Bind(config.GetSection(NotificationOptions.Section)).ValidateDataAnnotations();
        foreach (var (check, message) in NotificationOptions.Rules) builder.Validate(check, message);
        builder.ValidateOnStart();
        services.AddSingleton<NotificationInstance>();
        services.AddScoped<WebhookDispatcher>();
        services.AddScoped<DeadlineWatcher>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan; // the dispatcher applies Notifications:Timeout per request
                c.DefaultRequestHeaders.UserAgent.ParseAdd("TaskTracker-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddHostedService<NotificationWorker>();
        return services;
    }
}
