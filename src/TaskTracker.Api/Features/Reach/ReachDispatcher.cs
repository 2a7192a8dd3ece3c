using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;


namespace TaskTracker.Features.Reach;

/// <summary>The platforms' own robot formats and signatures.</summary>
internal static class RobotSigning
{
    /// <summary>
    /// DingTalk 加签: sign = urlencode(base64(HMAC-SHA256(key: secret, data: timestamp + "\n" + secret))), timestamp in
    /// milliseconds; both go on the webhook's query string.
    /// </summary>
    public static string DingTalkSign(string secret, long timestampMs)
    {
        var data = $"{timestampMs.ToString(CultureInfo.InvariantCulture)}\n{secret}";
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(data)));
    }

    public static string DingTalkUrl(string url, string? secret, long timestampMs)
    {
        if (string.IsNullOrEmpty(secret)) return url;
        var sep = url.Contains('?') ? '&' : '?';
        return $"{url}{sep}timestamp={timestampMs.ToString(CultureInfo.InvariantCulture)}&sign={Uri.EscapeDataString(DingTalkSign(secret, timestampMs))}";
    }

    /// <summary>DingTalk's markdown message: title (shown in the notification) and text.</summary>
    public static string DingTalkBody(string title, string markdown) =>
        new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["title"] = title, ["text"] = markdown } }.ToJsonString(Outbox.PayloadJson);

    /// <summary>WeCom group robot's markdown message (content at most 4096 bytes).</summary>
    public static string WeComBody(string markdown)
    {
        var content = markdown;
        while (Encoding.UTF8.GetByteCount(content) > 4096) content = content[..(content.Length * 9 / 10)];
        return new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = content } }.ToJsonString(Outbox.PayloadJson);
    }

    /// <summary>The address with every query value (access_token, key) hidden: those are credentials.</summary>
    public static string Mask(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Query)) return url;
        var parts = u.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2) is [var k, _] ? $"{k}=****" : p);
        return $"{u.GetLeftPart(UriPartial.Path)}?{string.Join('&', parts)}";
    }
}

/// <summary>
/// Sends due reach messages. Each is claimed with a conditional UPDATE (pending, due, lease free or expired), so of
/// several instances exactly one sends it; the result is recorded only while the lease is still this claim's.
/// Failures back off like webhooks (Notifications:BackoffBase doubling to BackoffCap) and end failed after
/// Notifications:MaxAttempts; a failure that retrying cannot fix (no SMTP host, recipient removed) fails at once.
/// </summary>
internal sealed class ReachDispatcher(TaskTrackerDb db, IHttpClientFactory httpFactory, TimeProvider clock, IOptions<NotificationOptions> options,
    IOptions<MailOptions> mail, NotificationInstance instance, ILogger<ReachDispatcher> logger)
{
    /// <summary>The robots' client: a named client so an outbound-address guard can be attached to it in one place.</summary>
    public const string HttpClientName = "reach-robots";

    private sealed record Claimed(long Id, ReachChannel Channel, string Subject, string Body, int Attempts,
        string? Email, string? ContactName, string? RobotUrl, string? RobotSecret, bool RecipientGone);

    private sealed record Outcome(Claimed Message, string? Error, bool Permanent = false)
    {
        public bool Success => Error is null;
    }

    public async Task<int> DispatchOnceAsync(IReadOnlyCollection<long>? only, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var claim = $"{instance.Id}:{Guid.NewGuid():N}";
        var leaseUntil = now + o.LeaseDuration;
        var due = db.Set<ReachDelivery>().Where(d => d.State == DeliveryState.Pending && d.NextAttemptAtUtc <= now
                                                     && (d.LeaseUntilUtc == null || d.LeaseUntilUtc < now));
        if (only is not null) due = due.Where(d => only.Contains(d.Id));
        var candidates = await due.AsNoTracking().OrderBy(d => d.NextAttemptAtUtc).ThenBy(d => d.Id).Take(o.BatchSize).Select(d => d.Id).ToListAsync(ct);
        if (candidates.Count == 0) return 0;
        // The same conditions again, atomically per row: whoever updates a row first owns it.
        var claimedCount = await db.Set<ReachDelivery>()
            .Where(d => candidates.Contains(d.Id) && d.State == DeliveryState.Pending && d.NextAttemptAtUtc <= now
                        && (d.LeaseUntilUtc == null || d.LeaseUntilUtc < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, claim).SetProperty(d => d.LeaseUntilUtc, leaseUntil), ct);
        if (claimedCount == 0) return 0;
        var claimed = await db.Set<ReachDelivery>().AsNoTracking().Where(d => d.LeaseOwner == claim)
            .Select(d => new Claimed(d.Id, d.Channel, d.Subject, d.Body, d.Attempts, d.Contact!.Email, d.Contact!.Name, d.Robot!.Url, d.Robot!.Secret,
                d.Channel == ReachChannel.Email ? d.ContactId == null : d.RobotId == null))
            .ToListAsync(ct);
        var outcomes = await Task.WhenAll(claimed.Select(d => SendAsync(d, ct)));
        foreach (var r in outcomes) await CompleteAsync(r, claim, ct);
        return claimed.Count;
    }

    public async Task<int> DrainAsync(IReadOnlyCollection<long>? only, CancellationToken ct, int maxBatches = 50)
    {
        var total = 0;
        for (var i = 0; i < maxBatches; i++)
        {
            var n = await DispatchOnceAsync(only, ct);
            total += n;
            if (n == 0) break;
        }
        return total;
    }

    private async Task<Outcome> SendAsync(Claimed d, CancellationToken ct)
    {
        if (d.RecipientGone) return new Outcome(d, d.Channel == ReachChannel.Email ? "the contact was removed" : "the robot was removed", Permanent: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            return d.Channel == ReachChannel.Email ? await EmailAsync(d, timeout.Token) : await RobotAsync(d, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(d, $"timed out after {options.Value.Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or System.Net.Sockets.SocketException
                                      or MailKit.ProtocolException or MailKit.CommandException or AuthenticationException or JsonException)
        {
            return new Outcome(d, e.GetBaseException().Message);
        }
    }

    private async Task<Outcome> EmailAsync(Claimed d, CancellationToken ct)
    {
        var m = mail.Value;
        if (!m.Configured) return new Outcome(d, "Mail:Host is not configured; set Mail: settings and re-drive", Permanent: true);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(m.From!));
        message.To.Add(new MailboxAddress(d.ContactName, d.Email!));
        message.Subject = d.Subject;
        message.Date = clock.GetUtcNow();
        message.Headers.Add("X-TaskTracker-Message", d.Id.ToString(CultureInfo.InvariantCulture));
        message.Body = new TextPart("plain") { Text = d.Body };
        using var smtp = new SmtpClient();
        smtp.Timeout = (int)options.Value.Timeout.TotalMilliseconds;
        await smtp.ConnectAsync(m.Host!, m.Port, m.Tls switch
        {
            MailTls.None => SecureSocketOptions.None,
            MailTls.StartTls => SecureSocketOptions.StartTls,
            MailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, ct);
        if (!string.IsNullOrEmpty(m.User)) await smtp.AuthenticateAsync(m.User, m.Password!, ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(true, ct);
        return new Outcome(d, null);
    }

    private async Task<Outcome> RobotAsync(Claimed d, CancellationToken ct)
    {
        string url, body;
        if (d.Channel == ReachChannel.DingTalk)
        {
            url = RobotSigning.DingTalkUrl(d.RobotUrl!, d.RobotSecret, clock.GetUtcNow().ToUnixTimeMilliseconds());
            body = RobotSigning.DingTalkBody(d.Subject, d.Body);
        }
        else
        {
            url = d.RobotUrl!;
            body = RobotSigning.WeComBody(d.Body);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var http = httpFactory.CreateClient(HttpClientName);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var code = (int)response.StatusCode;
        if (code is < 200 or >= 300) return new Outcome(d, $"HTTP {code}{(text.Length > 0 ? ": " + Snippet(text) : "")}");
        // Both platforms answer 200 with {"errcode":0,"errmsg":"ok"}; anything else (bad signature, rate limit) is a failure.
        if (TryErrcode(text, out var errcode, out var errmsg) && errcode != 0) return new Outcome(d, $"errcode {errcode}: {errmsg}");
        return new Outcome(d, null);
    }

    private static bool TryErrcode(string text, out long errcode, out string? errmsg)
    {
        errcode = 0;
        errmsg = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject o && o["errcode"] is JsonValue v && v.TryGetValue(out long c))
            {
                errcode = c;
                errmsg = o["errmsg"]?.ToString();
                return true;
            }
        }
        catch (JsonException) { }
        return false;
    }

    private static string Snippet(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private async Task CompleteAsync(Outcome r, string claim, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var mine = db.Set<ReachDelivery>().Where(d => d.Id == r.Message.Id && d.LeaseOwner == claim && d.State == DeliveryState.Pending);
        int updated;
        var attempts = r.Message.Attempts + 1;
        if (r.Success)
        {
            updated = await mine.ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DeliveryState.Delivered).SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.LastError, (string?)null).SetProperty(d => d.DeliveredAtUtc, now)
                .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);
        }
        else
        {
            var failed = r.Permanent || attempts >= o.MaxAttempts;
            var next = failed ? now : now + o.Backoff(attempts);
            var error = r.Error is { Length: > 2000 } e ? e[..2000] : r.Error;
            updated = await mine.ExecuteUpdateAsync(s => s.SetProperty(d => d.State, failed ? DeliveryState.Failed : DeliveryState.Pending)
                .SetProperty(d => d.Attempts, attempts).SetProperty(d => d.LastError, error).SetProperty(d => d.NextAttemptAtUtc, next)
                .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);
            if (updated == 1)
                logger.LogWarning("Reach message {Id} ({Channel}) attempt {Attempt} failed: {Error}; {Next}", r.Message.Id, r.Message.Channel, attempts, error,
                    failed ? "giving up (failed, can be re-driven)" : $"next attempt at {next:O}");
        }
        if (updated == 0)
            logger.LogWarning("Reach message {Id}: the lease {Claim} was lost before the result could be recorded", r.Message.Id, claim);
    }
}
