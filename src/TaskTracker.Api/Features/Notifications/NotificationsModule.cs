namespace TaskTracker.Features.Notifications;

/// <summary>The Notifications module: what it registers and the routes it answers.</summary>
internal static class NotificationsModule
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        NotificationSetup.AddNotificationServices(builder.Services, builder.Configuration);
        builder.Services.AddModuleValidators(typeof(NotificationsModule));
        return builder;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        return WebhookEndpoints.MapEndpoints(app);
    }
}
