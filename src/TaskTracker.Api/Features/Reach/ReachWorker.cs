using Microsoft.Extensions.Options;


namespace TaskTracker.Features.Reach;

/// <summary>
/// Every Notifications:PollInterval: once the China-time clock has passed Reach:DigestTime, writes the day's digests
/// (the outbox's unique key keeps each agency's to one a day across instances and restarts), then sends due messages.
/// The waiting is in real time; the date and time of day come from the injected TimeProvider.
/// </summary>
internal sealed class ReachWorker(IServiceScopeFactory scopes, IOptions<ReachOptions> reach, IOptions<NotificationOptions> notifications,
    TimeProvider clock, ILogger<ReachWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!reach.Value.Enabled)
        {
            logger.LogInformation("Reach is disabled (Reach:Enabled=false): no daily digest; reminders are still sent by the request that makes them");
            return;
        }
        await Task.Yield();
        DateOnly? digested = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow().ToOffset(ChinaTime.Offset);
                var today = DateOnly.FromDateTime(now.DateTime);
                if (digested != today && now.TimeOfDay >= reach.Value.DigestTime)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ReachWriter>().RunDigestAsync(today, stoppingToken);
                    digested = today;
                }
                await using (var scope = scopes.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<ReachDispatcher>().DrainAsync(null, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Reach round failed; retrying in {Interval}", notifications.Value.PollInterval);
            }
            try
            {
                await Task.Delay(notifications.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

internal static class ReachSetup
{
    public static IServiceCollection AddReachServices(IServiceCollection services, IConfiguration config)
    {
        var r = services.AddOptions<ReachOptions>().Bind(config.GetSection(ReachOptions.Section));
        foreach (var (check, message) in ReachOptions.Rules) r.Validate(check, message);
        r.ValidateOnStart();
        var m = services.AddOptions<MailOptions>().Bind(config.GetSection(MailOptions.Section)).ValidateDataAnnotations();
        foreach (var (check, message) in MailOptions.Rules) m.Validate(check, message);
        m.ValidateOnStart();
        services.AddScoped<ReachData>();
        services.AddScoped<ReachWriter>();
        services.AddScoped<ReachDispatcher>();
        services.AddHttpClient(ReachDispatcher.HttpClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan; // the dispatcher applies Notifications:Timeout per message
                c.DefaultRequestHeaders.UserAgent.ParseAdd("TaskTracker-Reach/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddHostedService<ReachWorker>();
        return services;
    }
}
