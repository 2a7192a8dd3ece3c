namespace TaskTracker.Domain;

/// <summary>A person at an agency who receives its daily digest and the office's reminders (催办) by e-mail.</summary>
internal sealed class AgencyContact
{
    public int Id { get; set; }
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    public required string Name { get; set; }
    public required string Email { get; set; }
    public string? Phone { get; set; }
    /// <summary>"zh" (default) or "en": the language of the messages this contact gets.</summary>
    public required string Language { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

internal enum RobotPlatform { DingTalk, WeCom }

/// <summary>
/// A custom group robot (钉钉自定义机器人 / 企业微信群机器人) that posts an agency's digest and reminders into a group chat.
/// Its webhook address and signing secret are credentials: shown once at registration, masked afterwards.
/// </summary>
internal sealed class ChatRobot
{
    public int Id { get; set; }
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    public RobotPlatform Platform { get; set; }
    public required string Url { get; set; }
    /// <summary>DingTalk's "加签" secret (SEC…); WeCom robots carry their key in the URL instead.</summary>
    public string? Secret { get; set; }
    public string? Name { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

internal enum ReachChannel { Email, DingTalk, WeCom }

/// <summary>
/// One message of one outbox event (a digest or a reminder) to one contact or robot: claimed with a lease, retried
/// with backoff, visible when it fails and re-drivable, like a webhook delivery. The text is rendered when the event
/// is written, so a retry sends exactly what the first attempt did.
/// </summary>
internal sealed class ReachDelivery
{
    public long Id { get; set; }
    public long EventId { get; set; }
    public OutboxEvent Event { get; set; } = null!;
    public int AgencyId { get; set; }
    public ReachChannel Channel { get; set; }
    public int? ContactId { get; set; }
    public AgencyContact? Contact { get; set; }
    public int? RobotId { get; set; }
    public ChatRobot? Robot { get; set; }
    /// <summary>The e-mail address, or the robot's masked address, as it was when the message was written.</summary>
    public required string Recipient { get; set; }
    public required string Language { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    public string? LeaseOwner { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAtUtc { get; set; }
}
