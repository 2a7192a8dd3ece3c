using System.ComponentModel.DataAnnotations;


namespace TaskTracker.Features.Reach;

/// <summary>Daily digests and reminders (section <c>Reach</c>). Retries, backoff, leases and timeouts follow <c>Notifications:</c>.</summary>
internal sealed class ReachOptions
{
    public const string Section = "Reach";

    /// <summary>Run the background loop that writes the daily digest and sends messages. The API works either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time of day, China time (UTC+8), from which the day's digest is written; e.g. 08:30.</summary>
    public TimeSpan DigestTime { get; set; } = new(8, 30, 0);

    public static IEnumerable<(Func<ReachOptions, bool> Check, string Message)> Rules =>
    [
        (o => o.DigestTime >= TimeSpan.Zero && o.DigestTime < TimeSpan.FromDays(1), "Reach:DigestTime must be a time of day between 00:00 and 23:59:59 (China time)."),
    ];
}

internal enum MailTls { Auto, None, StartTls, SslOnConnect }

/// <summary>The SMTP server e-mails go out through (section <c>Mail</c>). Without a host, e-mail messages fail visibly until one is configured.</summary>
internal sealed class MailOptions
{
    public const string Section = "Mail";

    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 25;
    /// <summary>auto (STARTTLS when offered; TLS on connect on port 465), none, starttls (required), sslonconnect.</summary>
    public MailTls Tls { get; set; } = MailTls.Auto;
    /// <summary>Sender, e.g. <c>督查室 &lt;duchashi@example.gov.cn&gt;</c>.</summary>
    public string? From { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    public static IEnumerable<(Func<MailOptions, bool> Check, string Message)> Rules =>
    [
        (o => !o.Configured || (o.From is not null && MimeKit.MailboxAddress.TryParse(o.From, out _)),
            "Mail:From must be a valid address (e.g. \"督查室 <duchashi@example.gov.cn>\") when Mail:Host is set."),
        (o => string.IsNullOrEmpty(o.User) == string.IsNullOrEmpty(o.Password), "Mail:User and Mail:Password go together: set both or neither."),
        (o => o.Host is null || (o.Host.Length <= 253 && !o.Host.Any(char.IsWhiteSpace)), "Mail:Host must be a host name or address without spaces."),
    ];
}
