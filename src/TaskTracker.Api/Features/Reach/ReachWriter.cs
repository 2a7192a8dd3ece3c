using Microsoft.EntityFrameworkCore;
using TaskTracker.Common.Security;


namespace TaskTracker.Features.Reach;

internal static class ReachEventTypes
{
    public const string Digest = "reach.digest";
    public const string Reminder = "reach.reminder";
}

/// <summary>What one digest run did.</summary>
internal sealed record DigestRun(DateOnly AsOf, int Agencies, int Written, int AlreadySent, int NothingToReport, int Messages, IReadOnlyList<long> EventIds);

/// <summary>
/// Writes digests and reminders into the outbox through <see cref="WriteStep"/>: one event and one <see cref="ReachDelivery"/>
/// per contact and robot, in one transaction. A digest's event carries the key <c>reach.digest:{agency}:{date}</c>; the
/// outbox's unique index on it makes a day's digest for an agency exist once, whatever instance or restart writes it.
/// </summary>
internal sealed class ReachWriter(TaskTrackerDb db, ReachData data, TimeProvider clock, WriteStep write, ILogger<ReachWriter> logger)
{
    public static string DigestKey(string agencyCode, DateOnly day) => $"{ReachEventTypes.Digest}:{agencyCode}:{day:yyyy-MM-dd}";

    private sealed record Recipients(List<AgencyContact> Contacts, List<ChatRobot> Robots)
    {
        public bool Any => Contacts.Count > 0 || Robots.Count > 0;
    }

    public async Task<DigestRun> RunDigestAsync(DateOnly asOf, CancellationToken ct)
    {
        var agencyIds = await db.Set<AgencyContact>().Select(c => c.AgencyId).Union(db.Set<ChatRobot>().Select(r => r.AgencyId)).ToListAsync(ct);
        var agencies = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id)).OrderBy(a => a.Code)
            .Select(a => new DigestAgency(a.Id, a.Code, a.NameZh, a.NameEn)).ToListAsync(ct);
        int written = 0, already = 0, nothing = 0, messages = 0;
        var events = new List<long>();
        foreach (var agency in agencies)
        {
            var key = DigestKey(agency.Code, asOf);
            if (await db.OutboxEvents.AnyAsync(e => e.DedupKey == key, ct))
            {
                already++;
                continue;
            }
            var items = await data.DigestItemsAsync(agency, asOf, ct);
            if (items.Count == 0)
            {
                nothing++; // no empty digests: the day stays open in case something turns up later that day
                continue;
            }
            var to = await RecipientsAsync(agency.Id, ct);
            var payload = new { agency = agency.Code, asOf, count = items.Count, items };
            try
            {
                // One write step per agency: a collision with another instance loses only that agency's digest, which then exists anyway.
                var (ev, n) = await write.RunAsync<(Func<long> EventId, int Messages)>(null, w =>
                    Task.FromResult(Stage(w, ReachEventTypes.Digest, key, agency, payload, to, lang => ReachMessages.Digest(agency, asOf, items, lang))), ct);
                written++;
                messages += n;
                events.Add(ev());
            }
            catch (DbUpdateException e) when (UniqueViolation.Is(e))
            {
                db.ChangeTracker.Clear();
                if (!await db.OutboxEvents.AnyAsync(x => x.DedupKey == key, ct)) throw;
                logger.LogDebug(e, "Digest {Key} was written by another instance first", key);
                already++;
            }
        }
        if (written > 0) logger.LogInformation("Digest for {Day}: {Written} agencies, {Messages} messages", asOf, written, messages);
        return new DigestRun(asOf, agencies.Count, written, already, nothing, messages, events);
    }

    /// <summary>A reminder (催办) on an open instruction, audited; returns the delivery ids, to be sent at once.</summary>
    public async Task<(long EventId, IReadOnlyList<long> Deliveries)> RemindAsync(ReachData.OpenInstruction i, string? note, CancellationToken ct)
    {
        var agency = await db.Agencies.AsNoTracking().Where(a => a.Id == i.AgencyId).Select(a => new DigestAgency(a.Id, a.Code, a.NameZh, a.NameEn)).FirstAsync(ct);
        var to = await RecipientsAsync(agency.Id, ct);
        if (!to.Any)
            throw new ConflictException($"Agency '{agency.Code}' has no contacts or chat robots to remind; add one with POST /api/agencies/{agency.Code}/contacts or /robots.");
        var today = ChinaTime.Today(clock);
        var payload = new { instructionId = i.Id, plan = i.Plan, agency = agency.Code, replyBy = i.ReplyBy, taskNumber = i.TaskNumber, measureCode = i.MeasureCode, note };
        // No revision bump: a reminder changes no figure and no review list.
        var (ev, _) = await write.RunAsync<(Func<long> EventId, int Messages)>(null, w =>
        {
            w.Audit("instruction.reminded", "instruction", i.Id.ToString(), new { agency = i.AgencyCode, note });
            return Task.FromResult(Stage(w, ReachEventTypes.Reminder, null, agency, payload, to, lang => ReachMessages.Reminder(agency, i, today, note, lang)));
        }, ct);
        var id = ev();
        return (id, await db.Set<ReachDelivery>().Where(d => d.EventId == id).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync(ct));
    }

    private async Task<Recipients> RecipientsAsync(int agencyId, CancellationToken ct) => new(
        await db.Set<AgencyContact>().AsNoTracking().Where(c => c.AgencyId == agencyId).OrderBy(c => c.Id).ToListAsync(ct),
        await db.Set<ChatRobot>().AsNoTracking().Where(r => r.AgencyId == agencyId).OrderBy(r => r.Id).ToListAsync(ct));

    /// <summary>
    /// Publishes the event and, once the write step stages it, one delivery per contact and robot; returns the event's id
    /// (read after the commit) and the number of messages.
    /// </summary>
    private (Func<long> EventId, int Messages) Stage(WriteScope w, string type, string? key, DigestAgency agency, object payload, Recipients to,
        Func<string, ReachMessage> render)
    {
        OutboxEvent? staged = null;
        w.Publish(type, payload, agency.Id, dedupKey: key, attach: ev =>
        {
            staged = ev;
            var rendered = new Dictionary<string, ReachMessage>();
            ReachMessage In(string lang) => rendered.TryGetValue(lang, out var m) ? m : rendered[lang] = render(lang);
            foreach (var c in to.Contacts)
            {
                var m = In(c.Language);
                db.Set<ReachDelivery>().Add(new ReachDelivery
                {
                    Event = ev, AgencyId = agency.Id, Channel = ReachChannel.Email, ContactId = c.Id, Recipient = c.Email, Language = c.Language,
                    Subject = m.Subject, Body = m.Text, State = DeliveryState.Pending, NextAttemptAtUtc = w.Now,
                });
            }
            foreach (var r in to.Robots)
            {
                var m = In("zh"); // group chats read Chinese
                db.Set<ReachDelivery>().Add(new ReachDelivery
                {
                    Event = ev, AgencyId = agency.Id, Channel = r.Platform == RobotPlatform.DingTalk ? ReachChannel.DingTalk : ReachChannel.WeCom,
                    RobotId = r.Id, Recipient = RobotSigning.Mask(r.Url), Language = "zh", Subject = m.Subject, Body = m.Markdown,
                    State = DeliveryState.Pending, NextAttemptAtUtc = w.Now,
                });
            }
        });
        return (() => staged?.Id ?? throw new InvalidOperationException("The write step did not stage the event."), to.Contacts.Count + to.Robots.Count);
    }
}
