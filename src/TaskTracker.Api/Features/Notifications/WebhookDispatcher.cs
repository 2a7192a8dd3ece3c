using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Notifications;

/// <summary>Who this process is when it claims deliveries: unique per running instance, also within one test process.</summary>
internal sealed class NotificationInstance
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}

internal static class WebhookSignature
{
    public const string EventHeader = "X-TaskTracker-Event";
    public const string DeliveryHeader = "X-TaskTracker-Delivery";
    public const string TimestampHeader = "X-TaskTracker-Timestamp";
    public const string SignatureHeader = "X-TaskTracker-Signature";

    /// <summary>"sha256=" + lowercase hex HMAC-SHA256(secret, "{timestamp}.{body}").</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}

/// <summary>
/// Sends due webhook deliveries. A delivery is first claimed with a conditional UPDATE (pending, due, lease free or
/// expired → this claim's owner mark and a lease), so of several instances on one database exactly one sends it;
/// the result is only written while the lease is still this claim's.
/// </summary>
internal sealed class WebhookDispatcher(TaskTrackerDb db, IHttpClientFactory httpFactory, TimeProvider clock,
    IOptions<NotificationOptions> options, NotificationInstance instance, ILogger<WebhookDispatcher> logger)
{
    public const string HttpClientName = "webhooks";

    private sealed record Claimed(long Id, long EventId, string Type, string Payload, DateTime CreatedAtUtc, string Url, string Secret, int Attempts);

    private sealed record Outcome(Claimed Delivery, int? StatusCode, string? Error)
    {
        public bool Success => StatusCode is >= 200 and < 300;
    }

    /// <summary>Claims one batch of due deliveries and sends them. Returns how many were attempted.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var claim = $"{instance.Id}:{Guid.NewGuid():N}";
        var leaseUntil = now + o.LeaseDuration;

        var candidates = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAtUtc <= now && (d.LeaseUntilUtc == null || d.LeaseUntilUtc < now)
                        && d.Subscription.Active)
            .OrderBy(d => d.NextAttemptAtUtc).ThenBy(d => d.Id).Take(o.BatchSize).Select(d => d.Id).ToListAsync(ct);
        if (candidates.Count == 0) return 0;
        // The same conditions again, atomically per row: whoever updates a row first owns it, the other matches nothing.
        var claimedCount = await db.WebhookDeliveries
            .Where(d => candidates.Contains(d.Id) && d.State == DeliveryState.Pending && d.NextAttemptAtUtc <= now
                        && (d.LeaseUntilUtc == null || d.LeaseUntilUtc < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, claim).SetProperty(d => d.LeaseUntilUtc, leaseUntil), ct);
        if (claimedCount == 0) return 0;

        var claimed = await db.WebhookDeliveries.AsNoTracking().Where(d => d.LeaseOwner == claim)
            .Select(d => new Claimed(d.Id, d.EventId, d.Event.Type, d.Event.Payload, d.Event.CreatedAtUtc, d.Subscription.Url, d.Subscription.Secret, d.Attempts))
            .ToListAsync(ct);

        // Sent side by side, so a batch takes about one request timeout and stays well inside the lease.
        var outcomes = await Task.WhenAll(claimed.Select(d => SendAsync(d, ct)));
        foreach (var outcome in outcomes) await CompleteAsync(outcome, claim, ct);
        return claimed.Count;
    }

    /// <summary>Keeps claiming batches until nothing is due (or <paramref name="maxBatches"/> is reached).</summary>
    public async Task<int> DrainAsync(CancellationToken ct, int maxBatches = 50)
    {
        var total = 0;
        for (var i = 0; i < maxBatches; i++)
        {
            var n = await DispatchOnceAsync(ct);
            total += n;
            if (n == 0) break;
        }
        return total;
    }

    /// <summary>The body receivers get: the stored event with its id.</summary>
    public static string Body(long eventId, string payload)
    {
        var node = JsonNode.Parse(payload)!.AsObject();
        var body = new JsonObject { ["eventId"] = eventId };
        foreach (var (k, v) in node.ToList())
        {
            node.Remove(k);
            body[k] = v;
        }
        return body.ToJsonString(Outbox.PayloadJson);
    }

    private async Task<Outcome> SendAsync(Claimed d, CancellationToken ct)
    {
        var body = Body(d.EventId, d.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, d.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.EventHeader, d.Type);
        request.Headers.Add(WebhookSignature.DeliveryHeader, d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(d.Secret, timestamp, body));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var http = httpFactory.CreateClient(HttpClientName);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300) return new Outcome(d, code, null);
            var text = await ReadSnippetAsync(response, timeout.Token);
            var error = code is >= 300 and < 400
                ? $"HTTP {code}: redirects are not followed{(response.Headers.Location is { } l ? $" (Location: {l})" : "")}"
                : $"HTTP {code}{(string.IsNullOrWhiteSpace(text) ? "" : ": " + text)}";
            return new Outcome(d, code, error);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(d, null, $"timed out after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            return new Outcome(d, null, e.GetBaseException().Message);
        }
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length > 300 ? text[..300] + "…" : text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    private async Task CompleteAsync(Outcome r, string claim, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var mine = db.WebhookDeliveries.Where(d => d.Id == r.Delivery.Id && d.LeaseOwner == claim && d.State == DeliveryState.Pending);
        int updated;
        if (r.Success)
        {
            updated = await mine.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, DeliveryState.Delivered).SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.LastStatusCode, r.StatusCode).SetProperty(d => d.LastError, (string?)null)
                .SetProperty(d => d.DeliveredAtUtc, now)
                .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);
        }
        else
        {
            var attempts = r.Delivery.Attempts + 1;
            var failed = attempts >= o.MaxAttempts;
            var next = failed ? now : now + Backoff(o, attempts);
            var error = r.Error is { Length: > 2000 } e ? e[..2000] : r.Error;
            updated = await mine.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, failed ? DeliveryState.Failed : DeliveryState.Pending).SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.LastStatusCode, r.StatusCode).SetProperty(d => d.LastError, error)
                .SetProperty(d => d.NextAttemptAtUtc, next)
                .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);
            if (updated == 1)
                logger.LogWarning("Webhook delivery {Delivery} ({Type}) attempt {Attempt} failed: {Error}; {Next}", r.Delivery.Id, r.Delivery.Type,
                    attempts, error, failed ? "giving up (failed, can be re-driven)" : $"next attempt at {next:O}");
        }
        if (updated == 0)
            logger.LogWarning("Webhook delivery {Delivery}: the lease {Claim} was lost before the result could be recorded; another instance may resend it",
                r.Delivery.Id, claim);
    }

    /// <summary>Wait before the next attempt after <paramref name="attempts"/> failures: base·2^(attempts−1), capped.</summary>
    public static TimeSpan Backoff(NotificationOptions o, int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var ticks = o.BackoffBase.Ticks * factor;
        return ticks >= o.BackoffCap.Ticks ? o.BackoffCap : TimeSpan.FromTicks((long)ticks);
    }
}
