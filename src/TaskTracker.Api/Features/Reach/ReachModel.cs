using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;

namespace TaskTracker.Features.Reach;

/// <summary>A person at an agency who receives its daily digest and the office's reminders (催办) by e-mail.</summary>
public sealed class AgencyContact
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

public enum RobotPlatform { DingTalk, WeCom }

/// <summary>
/// A custom group robot (钉钉自定义机器人 / 企业微信群机器人) that posts an agency's digest and reminders into a group chat.
/// Its webhook address and signing secret are credentials: shown once at registration, masked afterwards.
/// </summary>
public sealed class ChatRobot
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

public enum ReachChannel { Email, DingTalk, WeCom }

/// <summary>
/// One message of one outbox event (a digest or a reminder) to one contact or robot: claimed with a lease, retried
/// with backoff, visible when it fails and re-drivable, like a webhook delivery. The text is rendered when the event
/// is written, so a retry sends exactly what the first attempt did.
/// </summary>
public sealed class ReachDelivery
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

/// <summary>The reach tables' mapping; called from the context so the module's model stays in this folder.</summary>
public static class ReachModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<AgencyContact>(e =>
        {
            e.ToTable("AgencyContacts");
            e.HasIndex(x => new { x.AgencyId, x.Email }).IsUnique();
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Email).HasMaxLength(254);
            e.Property(x => x.Phone).HasMaxLength(32);
            e.Property(x => x.Language).HasMaxLength(8);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<ChatRobot>(e =>
        {
            e.ToTable("ChatRobots");
            e.HasIndex(x => x.AgencyId);
            e.Property(x => x.Platform).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Url).HasMaxLength(2000);
            e.Property(x => x.Secret).HasMaxLength(200);
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<ReachDelivery>(e =>
        {
            e.ToTable("ReachDeliveries");
            e.HasIndex(x => new { x.State, x.NextAttemptAtUtc });
            e.HasIndex(x => x.EventId);
            e.Property(x => x.Channel).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Recipient).HasMaxLength(2000);
            e.Property(x => x.Language).HasMaxLength(8);
            e.Property(x => x.Subject).HasMaxLength(500);
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.Property(x => x.LeaseOwner).HasMaxLength(100);
            e.HasOne(x => x.Event).WithMany().HasForeignKey(x => x.EventId);
            // History outlives a removed contact or robot; the message then fails with a clear reason if still pending.
            e.HasOne(x => x.Contact).WithMany().HasForeignKey(x => x.ContactId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(x => x.Robot).WithMany().HasForeignKey(x => x.RobotId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Agency>().WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
