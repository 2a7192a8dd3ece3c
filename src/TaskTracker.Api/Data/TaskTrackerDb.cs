using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;

namespace TaskTracker.Data;

/// <summary>
/// One model for every provider. Each provider has a subclass so that it keeps its own migrations
/// (SQLite and PostgreSQL differ in types and DDL), while queries are written once against this class.
/// </summary>
internal abstract class TaskTrackerDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Plan> Plans => Set<Plan>();
    public DbSet<Section> Sections => Set<Section>();
    public DbSet<WorkTask> Tasks => Set<WorkTask>();
    public DbSet<Clause> Clauses => Set<Clause>();
    public DbSet<ClauseAgency> ClauseAgencies => Set<ClauseAgency>();
    public DbSet<Agency> Agencies => Set<Agency>();
    public DbSet<AgencyGroupMember> AgencyGroupMembers => Set<AgencyGroupMember>();
    public DbSet<Measure> Measures => Set<Measure>();
    public DbSet<Target> Targets => Set<Target>();
    public DbSet<Milestone> Milestones => Set<Milestone>();
    public DbSet<ProgressReport> Reports => Set<ProgressReport>();
    public DbSet<MeasureAssignment> MeasureAssignments => Set<MeasureAssignment>();
    public DbSet<MilestoneStep> MilestoneSteps => Set<MilestoneStep>();
    public DbSet<PlannedValue> PlannedValues => Set<PlannedValue>();
    public DbSet<ApiToken> Tokens => Set<ApiToken>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<Instruction> Instructions => Set<Instruction>();
    public DbSet<InstructionEntry> InstructionEntries => Set<InstructionEntry>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<PlanDraftRecord> PlanDrafts => Set<PlanDraftRecord>();
    public DbSet<AgencyContact> AgencyContacts => Set<AgencyContact>();
    public DbSet<ChatRobot> ChatRobots => Set<ChatRobot>();
    public DbSet<ReachDelivery> ReachDeliveries => Set<ReachDelivery>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<SignOff> SignOffs => Set<SignOff>();

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        // Enums as readable strings: the database is inspected by people, and reordering an enum must not corrupt data.
        b.Properties<AgencyRole>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<ReportingCadence>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<Comparison>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<TargetKind>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<Direction>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<BaselineComparison>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<MilestoneKind>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<Recurrence>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<MilestoneStatus>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<ReviewStatus>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<StatusBasis>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<Role>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<IdempotencyState>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<InstructionStatus>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<InstructionEntryKind>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<DeliveryState>().HaveConversion<string>().HaveMaxLength(32);
        b.Properties<decimal>().HavePrecision(20, 6);
        // Every timestamp is UTC; SQLite forgets the kind, so restore it and JSON always carries the Z.
        b.Properties<DateTime>().HaveConversion<UtcConverter>();
        b.Properties<DateTime?>().HaveConversion<NullableUtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<PlanDraftRecord>(e =>
        {
            e.ToTable("PlanDrafts");
            e.HasIndex(x => x.Code).IsUnique();
            e.Property(x => x.Code).HasMaxLength(64);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        b.Entity<Plan>(e =>
        {
            e.HasIndex(x => x.Code).IsUnique();
            e.Property(x => x.Code).HasMaxLength(64);
            e.HasOne(x => x.OwnerAgency).WithMany().HasForeignKey(x => x.OwnerAgencyId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.OversightAgency).WithMany().HasForeignKey(x => x.OversightAgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Section>(e =>
        {
            e.HasIndex(x => new { x.PlanId, x.Number }).IsUnique();
            e.HasOne(x => x.Plan).WithMany(p => p.Sections).HasForeignKey(x => x.PlanId);
        });
        b.Entity<WorkTask>(e =>
        {
            e.ToTable("Tasks");
            e.HasIndex(x => new { x.PlanId, x.Number }).IsUnique();
            e.HasOne(x => x.Plan).WithMany(p => p.Tasks).HasForeignKey(x => x.PlanId);
            e.HasOne(x => x.Section).WithMany(s => s.Tasks).HasForeignKey(x => x.SectionId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Clause>(e =>
        {
            e.HasIndex(x => new { x.TaskId, x.Seq }).IsUnique();
            e.HasOne(x => x.Task).WithMany(t => t.Clauses).HasForeignKey(x => x.TaskId);
        });
        b.Entity<ClauseAgency>(e =>
        {
            e.HasKey(x => new { x.ClauseId, x.Position });
            e.HasIndex(x => x.AgencyId);
            e.HasOne(x => x.Clause).WithMany(c => c.Agencies).HasForeignKey(x => x.ClauseId);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Agency>(e =>
        {
            e.HasIndex(x => x.Code).IsUnique();
            e.Property(x => x.Code).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Ignore(x => x.IsGroup);
        });
        b.Entity<AgencyGroupMember>(e =>
        {
            e.HasKey(x => new { x.GroupId, x.MemberId });
            e.HasOne(x => x.Group).WithMany(a => a.Members).HasForeignKey(x => x.GroupId);
            e.HasOne(x => x.Member).WithMany(a => a.MemberOf).HasForeignKey(x => x.MemberId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Measure>(e =>
        {
            e.HasDiscriminator<string>("Type").HasValue<Target>("target").HasValue<Milestone>("milestone");
            e.Property<string>("Type").HasMaxLength(16);
            e.HasIndex(x => new { x.PlanId, x.Code }).IsUnique();
            e.HasIndex(x => x.TaskId);
            e.HasOne(x => x.Plan).WithMany(p => p.Measures).HasForeignKey(x => x.PlanId);
            e.HasOne(x => x.Task).WithMany(t => t.Measures).HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Clause).WithMany().HasForeignKey(x => x.ClauseId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Target>(e =>
        {
            e.OwnsOne(x => x.Baseline);
            e.OwnsOne(x => x.Reference2024);
            e.Property(x => x.Kind).HasColumnName("TargetKind");
        });
        b.Entity<Milestone>(e => e.Property(x => x.Kind).HasColumnName("MilestoneKind"));
        b.Entity<ProgressReport>(e =>
        {
            e.ToTable("Reports");
            e.HasIndex(x => new { x.MeasureId, x.AsOf });
            e.HasIndex(x => new { x.PlanId, x.FiledAtUtc });
            // Covers the dashboard ETag stamp (MAX(Id), COUNT(*), SUM(Version) of a plan's reports) so it never reads the table.
            e.HasIndex(x => new { x.PlanId, x.Id, x.Version });
            e.HasIndex(x => x.SupersedesId).IsUnique(); // a report is corrected at most once; the chain continues from the correction
            // Cold figures seek the latest row per (measure, agency, asOf, review status) instead of reading the history
            // (Standing/HistoryLoader); the review queue pages by status in filing order.
            e.HasIndex(x => new { x.PlanId, x.MeasureId, x.AgencyId, x.AsOf, x.ReviewStatus, x.FiledAtUtc, x.Id }, "IX_Reports_Heads")
                .HasFilter("\"SubUnit\" IS NULL AND \"Value\" IS NOT NULL");
            e.HasIndex(x => new { x.PlanId, x.ReviewStatus, x.FiledAtUtc, x.Id });
            e.HasOne(x => x.Measure).WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Supersedes).WithMany().HasForeignKey(x => x.SupersedesId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.SubUnit).HasMaxLength(100);
            e.Property(x => x.Narrative).HasMaxLength(4000);
            e.Property(x => x.CorrectionReason).HasMaxLength(1000);
            e.Property(x => x.ReviewComment).HasMaxLength(2000);
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        b.Entity<MeasureAssignment>(e =>
        {
            e.HasIndex(x => new { x.MeasureId, x.Id });
            e.Property(x => x.Reason).HasMaxLength(1000);
            e.HasOne(x => x.Measure).WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<MilestoneStep>(e =>
        {
            e.ToTable("MilestoneSteps");
            e.HasIndex(x => new { x.MeasureId, x.Number }).IsUnique();
            e.Property(x => x.Title).HasMaxLength(500);
            e.Property(x => x.DoneNote).HasMaxLength(2000);
            e.HasOne(x => x.Measure).WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<PlannedValue>(e =>
        {
            e.ToTable("PlannedValues");
            e.HasIndex(x => new { x.MeasureId, x.PeriodEnd });
            e.Property(x => x.Period).HasMaxLength(16);
            e.Property(x => x.Source).HasMaxLength(16);
            e.HasOne(x => x.Measure).WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ApiToken>(e =>
        {
            e.HasIndex(x => x.Hash).IsUnique();
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Subject).HasMaxLength(300);
            e.HasIndex(x => x.Subject).IsUnique();
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<IdempotencyRecord>(e =>
        {
            // Enforced by the database so two instances cannot both accept the same key.
            e.HasIndex(x => new { x.TokenId, x.Key }).IsUnique();
            // The claim's time doubles as its owner mark: a request whose claim was taken over cannot complete it.
            e.Property(x => x.CreatedAtUtc).IsConcurrencyToken();
            e.Property(x => x.Key).HasMaxLength(255);
            e.Property(x => x.Route).HasMaxLength(300);
            e.Property(x => x.RequestHash).HasMaxLength(64);
            e.HasOne<ApiToken>().WithMany().HasForeignKey(x => x.TokenId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Instruction>(e =>
        {
            e.HasIndex(x => new { x.PlanId, x.Status });
            e.HasIndex(x => new { x.AgencyId, x.Status });
            e.Property(x => x.Text).HasMaxLength(4000);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Task).WithMany().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Measure).WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Thread).WithOne().HasForeignKey(x => x.InstructionId);
        });
        b.Entity<InstructionEntry>(e => e.Property(x => x.Text).HasMaxLength(4000));
        b.Entity<SignOff>(e =>
        {
            e.ToTable("SignOffs");
            // At most one sign-off in force per task and per measure, even when two office users click at once.
            e.HasIndex(x => x.TaskId).IsUnique().HasFilter("\"ReopenedAtUtc\" IS NULL AND \"TaskId\" IS NOT NULL");
            e.HasIndex(x => x.MeasureId).IsUnique().HasFilter("\"ReopenedAtUtc\" IS NULL AND \"MeasureId\" IS NOT NULL");
            e.HasIndex(x => new { x.PlanId, x.SignedAtUtc });
            e.Property(x => x.Comment).HasMaxLength(4000);
            e.Property(x => x.ReopenReason).HasMaxLength(4000);
            e.Property(x => x.SignedBy).HasMaxLength(200);
            e.Property(x => x.ReopenedBy).HasMaxLength(200);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<WorkTask>().WithMany().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Measure>().WithMany().HasForeignKey(x => x.MeasureId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<OutboxEvent>(e =>
        {
            e.HasIndex(x => x.DedupKey).IsUnique();
            e.HasIndex(x => x.CreatedAtUtc);
            e.Property(x => x.Type).HasMaxLength(64);
            e.Property(x => x.DedupKey).HasMaxLength(200);
        });
        b.Entity<WebhookSubscription>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(2000);
            e.Property(x => x.Secret).HasMaxLength(200);
            e.Property(x => x.Description).HasMaxLength(500);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.HasIndex(x => new { x.State, x.NextAttemptAtUtc });
            e.HasIndex(x => new { x.EventId, x.SubscriptionId }).IsUnique();
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.Property(x => x.LeaseOwner).HasMaxLength(100);
            e.HasOne(x => x.Event).WithMany().HasForeignKey(x => x.EventId);
            e.HasOne(x => x.Subscription).WithMany().HasForeignKey(x => x.SubscriptionId);
        });
        b.Entity<AuditEntry>(e =>
        {
            e.ToTable("Audit");
            e.HasIndex(x => x.AtUtc);
            e.HasIndex(x => new { x.EntityType, x.EntityId });
            e.Property(x => x.Action).HasMaxLength(64);
            e.Property(x => x.EntityType).HasMaxLength(64);
            e.Property(x => x.EntityId).HasMaxLength(64);
        });
        // Reach: contacts, chat robots and their deliveries.
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
        });
        b.Entity<Attachment>(e =>
        {
            e.ToTable("Attachments");
            e.HasIndex(x => x.ReportId);
            e.Property(x => x.FileName).HasMaxLength(255);
            e.Property(x => x.ContentType).HasMaxLength(100);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.HasOne<ProgressReport>().WithMany().HasForeignKey(x => x.ReportId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Agency>().WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}

internal sealed class UtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

internal sealed class NullableUtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime?, DateTime?>(
    v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.Value.ToUniversalTime(), DateTimeKind.Utc),
    v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

internal sealed class SqliteTaskTrackerDb(DbContextOptions<SqliteTaskTrackerDb> options) : TaskTrackerDb(options);

internal sealed class PostgresTaskTrackerDb(DbContextOptions<PostgresTaskTrackerDb> options) : TaskTrackerDb(options);
