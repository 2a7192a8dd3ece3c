using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Notifications;

/// <summary>
/// Turns deadlines that have passed into events: measures that are overdue by the dashboards' own rules, and
/// instructions still awaiting a reply after their reply-by date. Each deadline gets a dedup key
/// (<c>measure.overdue:{id}:{due}</c>, <c>instruction.overdue:{id}:{replyBy}</c>), so a scan after downtime catches
/// up, repeated scans add nothing, and of two instances scanning together one wins on the unique index.
/// </summary>
internal sealed class DeadlineWatcher(TaskTrackerDb db, StandingCalculator dashboards, TimeProvider clock, ILogger<DeadlineWatcher> logger)
{
    public static string MeasureKey(int measureId, DateOnly due) => $"{EventTypes.MeasureOverdue}:{measureId}:{due:yyyy-MM-dd}";
    public static string InstructionKey(int instructionId, DateOnly replyBy) => $"{EventTypes.InstructionOverdue}:{instructionId}:{replyBy:yyyy-MM-dd}";

    private sealed record Candidate(string Key, string Type, object Payload, int PlanId, int? AgencyId);

    /// <summary>Writes the events for deadlines that passed and have none yet. Returns how many were written.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var candidates = new List<Candidate>();
        var plans = await db.Plans.AsNoTracking().Select(p => p.Code).ToListAsync(ct);
        foreach (var code in plans)
        {
            var plan = await dashboards.PlanAsync(code, ct);
            var dashboard = await dashboards.ComputeAsync(plan, today, null, ct);
            var figures = dashboard.Headline.Where(h => h.TaskNumber is null).Concat(dashboard.Tasks.SelectMany(t => t.Measures));
            foreach (var f in figures.Where(f => f.Status == MeasureStatus.Overdue))
                candidates.Add(new Candidate(MeasureKey(f.Id, f.DueDate), EventTypes.MeasureOverdue, new
                {
                    measureId = f.Id, code = f.Code, plan = plan.Code, taskNumber = f.TaskNumber, dueDate = f.DueDate,
                    daysOverdue = today.DayNumber - f.DueDate.DayNumber, completion = f.Completion, latestReportId = f.LatestReportId,
                }, plan.Id, null));
        }

        var instructions = await db.Instructions.AsNoTracking()
            .Where(i => i.Status == InstructionStatus.AwaitingReply && i.ReplyBy < today)
            .Select(i => new { i.Id, i.PlanId, Plan = db.Plans.Where(p => p.Id == i.PlanId).Select(p => p.Code).First(), i.AgencyId, Agency = i.Agency.Code, i.ReplyBy,
                TaskNumber = (int?)i.Task!.Number, MeasureCode = i.Measure!.Code })
            .ToListAsync(ct);
        foreach (var i in instructions)
            candidates.Add(new Candidate(InstructionKey(i.Id, i.ReplyBy), EventTypes.InstructionOverdue, new
            {
                instructionId = i.Id, plan = i.Plan, agency = i.Agency, replyBy = i.ReplyBy, daysOverdue = today.DayNumber - i.ReplyBy.DayNumber,
                taskNumber = i.TaskNumber, measureCode = i.MeasureCode,
            }, i.PlanId, i.AgencyId));

        if (candidates.Count == 0) return 0;
        var keys = candidates.Select(c => c.Key).ToList();
        var existing = new HashSet<string>();
        foreach (var chunk in keys.Chunk(500))
            existing.UnionWith(await db.OutboxEvents.AsNoTracking().Where(e => chunk.Contains(e.DedupKey!)).Select(e => e.DedupKey!).ToListAsync(ct));

        var written = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var c in candidates.Where(c => !existing.Contains(c.Key)))
        {
            // One event per save: a collision with another instance's scan loses only that event, which then exists anyway.
            await Outbox.EnqueueAsync(db, now, c.Type, c.Payload, c.PlanId, c.AgencyId, c.Key, ct);
            try
            {
                await db.SaveChangesAsync(ct);
                written++;
            }
            catch (DbUpdateException e)
            {
                db.ChangeTracker.Clear();
                if (!await db.OutboxEvents.AnyAsync(x => x.DedupKey == c.Key, ct)) throw;
                logger.LogDebug(e, "Deadline event {Key} was written by another instance first", c.Key);
            }
        }
        if (written > 0) logger.LogInformation("Deadline scan as of {Today}: {Count} new overdue events", today, written);
        return written;
    }
}
