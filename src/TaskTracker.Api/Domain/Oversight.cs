namespace TaskTracker.Domain;

public enum InstructionStatus { AwaitingReply, Replied, Closed }

public enum InstructionEntryKind { Issued, Reply, ExtensionRequested, SentBack, Closed, ExtensionAccepted, ExtensionRejected }

/// <summary>A follow-up instruction (督办) from the leadership office to one agency about a task or a measure.</summary>
public sealed class Instruction
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public int? TaskId { get; set; }
    public WorkTask? Task { get; set; }
    public int? MeasureId { get; set; }
    public Measure? Measure { get; set; }
    /// <summary>The agency that must reply.</summary>
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    public required string Text { get; set; }
    public DateOnly ReplyBy { get; set; }
    public InstructionStatus Status { get; set; }
    /// <summary>A pending extension request: the new date the agency asked for.</summary>
    public DateOnly? ExtensionRequestedTo { get; set; }
    public DateTime IssuedAtUtc { get; set; }
    public int? IssuedByTokenId { get; set; }
    public DateTime? ClosedAtUtc { get; set; }
    public int Version { get; set; } = 1;
    public List<InstructionEntry> Thread { get; set; } = [];
}

/// <summary>One step of an instruction's thread. Append-only: nothing in a thread is edited or deleted.</summary>
public sealed class InstructionEntry
{
    public long Id { get; set; }
    public int InstructionId { get; set; }
    public InstructionEntryKind Kind { get; set; }
    public string? Text { get; set; }
    public DateOnly? Date { get; set; }
    public DateTime AtUtc { get; set; }
    public int? TokenId { get; set; }
    public string? Actor { get; set; }
    public int? AgencyId { get; set; }
}

/// <summary>
/// An event written in the same transaction as the change it reports (transactional outbox). DedupKey makes
/// events that may be detected more than once, such as a deadline passing, happen once.
/// </summary>
public sealed class OutboxEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public int? PlanId { get; set; }
    public int? AgencyId { get; set; }
    public required string Payload { get; set; }
    public string? DedupKey { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

public sealed class WebhookSubscription
{
    public int Id { get; set; }
    public required string Url { get; set; }
    /// <summary>Shared secret for the HMAC-SHA256 signature; shown once at registration.</summary>
    public required string Secret { get; set; }
    /// <summary>Event types to deliver; empty means all.</summary>
    public List<string> EventTypes { get; set; } = [];
    public bool Active { get; set; } = true;
    public string? Description { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

public enum DeliveryState { Pending, Delivered, Failed }

/// <summary>One event to one subscription: retried with backoff, visible when it fails, re-drivable.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long EventId { get; set; }
    public OutboxEvent Event { get; set; } = null!;
    public int SubscriptionId { get; set; }
    public WebhookSubscription Subscription { get; set; } = null!;
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    /// <summary>Claimed by an instance until then, so two instances never send the same delivery at once.</summary>
    public DateTime? LeaseUntilUtc { get; set; }
    public string? LeaseOwner { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAtUtc { get; set; }
}
