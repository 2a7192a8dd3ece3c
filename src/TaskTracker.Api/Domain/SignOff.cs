namespace TaskTracker.Domain;

/// <summary>
/// 销号: the office signs off a task or a measure that is done, closing it for oversight. Rows are kept for history: a
/// reopened sign-off keeps its row with who reopened it, when and why, and a new sign-off is a new row, so any past date
/// can be looked at as it stood then. Exactly one of TaskId and MeasureId is set.
/// </summary>
internal sealed class SignOff
{
    public long Id { get; set; }
    public int PlanId { get; set; }
    public int? TaskId { get; set; }
    public int? MeasureId { get; set; }
    public DateTime SignedAtUtc { get; set; }
    public int? SignedByTokenId { get; set; }
    public string? SignedBy { get; set; }
    public string? Comment { get; set; }
    public DateTime? ReopenedAtUtc { get; set; }
    public int? ReopenedByTokenId { get; set; }
    public string? ReopenedBy { get; set; }
    public string? ReopenReason { get; set; }
    public int Version { get; set; } = 1;

    /// <summary>Signs off <paramref name="what"/>; refused unless it is done and not already signed off.</summary>
    /// <param name="done">Whether the item is done today, by the plan's status basis.</param>
    /// <param name="standing">The item's sign-off in force, if any.</param>
    public static SignOff Sign(int planId, int? taskId, int? measureId, string what, bool done, SignOff? standing, string? comment, Actor by, DateTime now)
    {
        if ((taskId is null) == (measureId is null)) throw new ArgumentException("A sign-off is of a task or of a measure.");
        if (standing is not null) throw new RuleViolationException($"{what} is already signed off (since {standing.SignedAtUtc:yyyy-MM-dd HH:mm} UTC).");
        if (!done) throw new RuleViolationException($"{what} is not done; only done work can be signed off.");
        return new SignOff
        {
            PlanId = planId, TaskId = taskId, MeasureId = measureId, SignedAtUtc = now, SignedByTokenId = by.TokenId, SignedBy = by.Name,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment,
        };
    }

    /// <summary>The office takes the sign-off back (the item is open again), saying why.</summary>
    public void Reopen(string reason, Actor by, DateTime now)
    {
        if (ReopenedAtUtc is not null) throw new RuleViolationException("This sign-off was already reopened.");
        ReopenedAtUtc = now;
        ReopenedByTokenId = by.TokenId;
        ReopenedBy = by.Name;
        ReopenReason = reason;
        Version++;
    }

    /// <summary>In force at <paramref name="cutoffUtc"/>: made before it and not reopened before it.</summary>
    public static System.Linq.Expressions.Expression<Func<SignOff, bool>> InForceAt(DateTime cutoffUtc) =>
        s => s.SignedAtUtc < cutoffUtc && (s.ReopenedAtUtc == null || s.ReopenedAtUtc >= cutoffUtc);
}
