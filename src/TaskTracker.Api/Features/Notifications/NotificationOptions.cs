using System.ComponentModel.DataAnnotations;

namespace TaskTracker.Features.Notifications;

/// <summary>Webhook delivery and deadline scanning (section <c>Notifications</c>). Validated when the service starts.</summary>
internal sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Run the background loop that delivers webhooks and scans for passed deadlines. Events are written to the outbox either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the loop looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a delivery is marked failed (it can then be re-driven).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; doubled after each further failure, up to <see cref="BackoffCap"/>.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between two attempts.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one webhook request may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an instance holds the deliveries it claimed; must exceed a batch's worth of requests.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often to look for measures and instructions whose deadline passed.</summary>
    public TimeSpan DeadlineScanInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries one instance claims at a time.</summary>
    [Range(1, 1000)] public int BatchSize { get; set; } = 20;

    /// <summary>The checks run at start, each with the message an operator sees when it fails.</summary>
    public static IEnumerable<(Func<NotificationOptions, bool> Check, string Message)> Rules =>
    [
        (o => o.PollInterval >= TimeSpan.FromMilliseconds(10) && o.PollInterval <= TimeSpan.FromHours(1),
            "Notifications:PollInterval must be between 00:00:00.010 and 01:00:00."),
        (o => o.BackoffBase > TimeSpan.Zero, "Notifications:BackoffBase must be positive (e.g. 00:00:30)."),
        (o => o.BackoffCap >= o.BackoffBase, "Notifications:BackoffCap must be at least Notifications:BackoffBase."),
        (o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(5), "Notifications:Timeout must be between 0 and 00:05:00."),
        (o => o.LeaseDuration > o.Timeout * 2,
            "Notifications:LeaseDuration must be more than twice Notifications:Timeout, or another instance could take over a delivery still being sent."),
        (o => o.DeadlineScanInterval >= TimeSpan.FromMilliseconds(10), "Notifications:DeadlineScanInterval must be positive."),
    ];
}
