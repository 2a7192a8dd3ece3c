using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Common;

internal static class EventTypes
{
    public const string ReportFiled = "report.filed";
    public const string ReportCorrected = "report.corrected";
    public const string ReportReturned = "report.returned";
    public const string ReportAccepted = "report.accepted";
    public const string MeasureOverdue = "measure.overdue";
    public const string InstructionIssued = "instruction.issued";
    public const string InstructionReplied = "instruction.replied";
    public const string InstructionOverdue = "instruction.overdue";
    public const string InstructionDecided = "instruction.decided";
    public const string TaskSignedOff = "task.signed_off";
    public const string MeasureSignedOff = "measure.signed_off";
    public const string TaskSignOffReopened = "task.sign_off_reopened";
    public const string MeasureSignOffReopened = "measure.sign_off_reopened";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        ReportFiled, ReportCorrected, ReportReturned, ReportAccepted, MeasureOverdue,
        InstructionIssued, InstructionReplied, InstructionOverdue, InstructionDecided,
        TaskSignedOff, MeasureSignedOff, TaskSignOffReopened, MeasureSignOffReopened,
    };
}

/// <summary>
/// Adds an event and one pending delivery per matching webhook to the caller's unit of work, so the event exists
/// exactly when the change it describes was committed.
/// </summary>
internal static class Outbox
{
    /// <summary>Payloads look like the API's own JSON: camelCase names, kebab-case enums, Chinese kept as written.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions PayloadJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower) },
    };

    public static async Task<OutboxEvent> EnqueueAsync(TaskTrackerDb db, DateTime nowUtc, string type, object payload,
        int? planId, int? agencyId, string? dedupKey, CancellationToken ct)
    {
        var ev = new OutboxEvent
        {
            Type = type, PlanId = planId, AgencyId = agencyId, DedupKey = dedupKey, CreatedAtUtc = nowUtc,
            Payload = System.Text.Json.JsonSerializer.Serialize(new { type, occurredAtUtc = nowUtc, data = payload }, PayloadJson),
        };
        db.OutboxEvents.Add(ev);
        // Webhooks get only the types they can subscribe to; other modules' events (reach.*) carry their own deliveries.
        if (!EventTypes.All.Contains(type)) return ev;
        var subscriptions = await ActiveSubscriptionsAsync(db, ct);
        foreach (var s in subscriptions.Where(s => s.EventTypes.Count == 0 || s.EventTypes.Contains(type)))
            db.WebhookDeliveries.Add(new WebhookDelivery { Event = ev, SubscriptionId = s.Id, State = DeliveryState.Pending, NextAttemptAtUtc = nowUtc });
        return ev;
    }

    /// <summary>The active subscriptions as (id, event types); cached by the host's <see cref="ReferenceCache{TKey,TValue}"/>
    /// (emptied when a subscription changes) when the context was made by the host.</summary>
    private static async Task<IReadOnlyList<ActiveSubscription>> ActiveSubscriptionsAsync(TaskTrackerDb db, CancellationToken ct)
    {
        async Task<IReadOnlyList<ActiveSubscription>?> Load(CancellationToken c) => await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.Active).Select(s => new ActiveSubscription(s.Id, s.EventTypes)).ToListAsync(c);
        var host = db.GetService<Microsoft.EntityFrameworkCore.Infrastructure.IDbContextOptions>()
            .FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?.ApplicationServiceProvider;
        var cache = host?.GetService<ReferenceCache<bool, IReadOnlyList<ActiveSubscription>>>();
        return (cache is null ? await Load(ct) : await cache.GetOrLoadAsync(true, Load, ct))!;
    }

    internal sealed record ActiveSubscription(int Id, List<string> EventTypes);
}
