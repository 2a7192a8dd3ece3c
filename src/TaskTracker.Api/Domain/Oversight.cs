namespace TaskTracker.Domain;

internal enum InstructionStatus { AwaitingReply, Replied, Closed }

internal enum InstructionEntryKind { Issued, Reply, ExtensionRequested, SentBack, Closed, ExtensionAccepted, ExtensionRejected }

/// <summary>A follow-up instruction (督办) from the leadership office to one agency about a task or a measure.</summary>
internal sealed class Instruction
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

    /// <summary>交办: a new instruction awaiting the agency's reply.</summary>
    public static Instruction Issue(int planId, int? taskId, int? measureId, int agencyId, string text, DateOnly replyBy, Actor by, DateTime now) => new()
    {
        PlanId = planId, TaskId = taskId, MeasureId = measureId, AgencyId = agencyId, Text = text, ReplyBy = replyBy,
        Status = InstructionStatus.AwaitingReply, IssuedAtUtc = now, IssuedByTokenId = by.TokenId,
        Thread = [InstructionEntry.Of(InstructionEntryKind.Issued, text, replyBy, by, now)],
    };

    /// <summary>反馈: the agency replies, perhaps asking for a later reply-by date.</summary>
    public void Reply(string? text, DateOnly? extensionTo, Actor by, DateTime now)
    {
        if (Status != InstructionStatus.AwaitingReply)
            throw new RuleViolationException($"Instruction {Id} is {Kebab(Status)}; it is not awaiting a reply.");
        Thread.Add(InstructionEntry.Of(InstructionEntryKind.Reply, text, null, by, now));
        if (extensionTo is { } ext)
        {
            Thread.Add(InstructionEntry.Of(InstructionEntryKind.ExtensionRequested, null, ext, by, now));
            ExtensionRequestedTo = ext;
        }
        Status = InstructionStatus.Replied;
        Version++;
    }

    /// <summary>复核 → 办结: the office closes it, sends the reply back, or decides a requested extension.</summary>
    public void Decide(DecisionAction action, string? comment, DateOnly? replyBy, Actor by, DateTime now)
    {
        if (Status == InstructionStatus.Closed) throw new RuleViolationException($"Instruction {Id} is closed.");
        switch (action)
        {
            case DecisionAction.Close:
                Status = InstructionStatus.Closed;
                ClosedAtUtc = now;
                ExtensionRequestedTo = null;
                Thread.Add(InstructionEntry.Of(InstructionEntryKind.Closed, comment, null, by, now));
                break;
            case DecisionAction.SendBack:
                if (Status != InstructionStatus.Replied) throw new RuleViolationException($"Instruction {Id} has no reply to send back.");
                Status = InstructionStatus.AwaitingReply;
                ReplyBy = replyBy ?? ReplyBy;
                Thread.Add(InstructionEntry.Of(InstructionEntryKind.SentBack, comment, ReplyBy, by, now));
                break;
            case DecisionAction.AcceptExtension or DecisionAction.RejectExtension:
                if (ExtensionRequestedTo is not { } requested) throw new RuleViolationException($"Instruction {Id} has no pending extension request.");
                var accept = action == DecisionAction.AcceptExtension;
                // Accepted: the agency owes its next reply by the new date. Rejected: the original date stands.
                if (accept) ReplyBy = requested;
                Status = InstructionStatus.AwaitingReply;
                ExtensionRequestedTo = null;
                Thread.Add(InstructionEntry.Of(accept ? InstructionEntryKind.ExtensionAccepted : InstructionEntryKind.ExtensionRejected, comment, accept ? requested : ReplyBy, by, now));
                break;
        }
        Version++;
    }

    private static string Kebab(InstructionStatus s) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(s.ToString());
}

internal enum DecisionAction { Close, SendBack, AcceptExtension, RejectExtension }

/// <summary>Who does something to an instruction: the token, its name and its agency (none for the office).</summary>
internal sealed record Actor(int? TokenId, string? Name, int? AgencyId);

/// <summary>A change the domain's rules refuse in the current state (mapped to 409 Conflict).</summary>
internal sealed class RuleViolationException(string message) : Exception(message);

/// <summary>One step of an instruction's thread. Append-only: nothing in a thread is edited or deleted.</summary>
internal sealed class InstructionEntry
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

    public static InstructionEntry Of(InstructionEntryKind kind, string? text, DateOnly? date, Actor by, DateTime now) => new()
    {
        Kind = kind, Text = text, Date = date, AtUtc = now, TokenId = by.TokenId, Actor = by.Name, AgencyId = by.AgencyId,
    };
}

/// <summary>
/// An event written in the same transaction as the change it reports (transactional outbox). DedupKey makes
/// events that may be detected more than once, such as a deadline passing, happen once.
/// </summary>
internal sealed class OutboxEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public int? PlanId { get; set; }
    public int? AgencyId { get; set; }
    public required string Payload { get; set; }
    public string? DedupKey { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

internal sealed class WebhookSubscription
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

internal enum DeliveryState { Pending, Delivered, Failed }

/// <summary>One event to one subscription: retried with backoff, visible when it fails, re-drivable.</summary>
internal sealed class WebhookDelivery
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
