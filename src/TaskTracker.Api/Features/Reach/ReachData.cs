using Microsoft.EntityFrameworkCore;


namespace TaskTracker.Features.Reach;

/// <summary>One line of a digest. Kind: report-due, report-missing, measure-overdue, instruction, instruction-overdue, report-returned.</summary>
internal sealed record DigestItem(string Kind, string? Plan, int? TaskNumber, string? Code, string TitleZh, string TitleEn, DateOnly Deadline,
    int DaysLeft, IReadOnlyList<string>? Periods = null, int? InstructionId = null, long? ReportId = null, string? Comment = null);

internal sealed record DigestAgency(int Id, string Code, string NameZh, string NameEn);

/// <summary>What the reach module reads of a plan's standing: the inbox and the overdue lists, both from Standing.</summary>
internal sealed class ReachData(TaskTrackerDb db, StandingCalculator dashboards, OversightService oversight, InboxCalculator inbox, Responsibility responsibility)
{
    private readonly Dictionary<(string Plan, DateOnly AsOf), IReadOnlyList<OversightService.Scoped>> _items = new();

    public async Task<DigestAgency?> AgencyAsync(string code, CancellationToken ct) =>
        await db.Agencies.AsNoTracking().Where(a => a.Code == code).Select(a => new DigestAgency(a.Id, a.Code, a.NameZh, a.NameEn)).FirstOrDefaultAsync(ct);

    /// <summary>What an agency should act on as of a date: its inbox plus the measures it leads that are overdue.</summary>
    public async Task<IReadOnlyList<DigestItem>> DigestItemsAsync(DigestAgency agency, DateOnly asOf, CancellationToken ct)
    {
        var items = (await inbox.ItemsAsync(agency.Id, agency.Code, asOf, ct)).Select(i => new DigestItem(
            i.Kind == "instruction" && i.DaysLeft < 0 ? "instruction-overdue" : i.Kind, i.Plan, i.TaskNumber, i.Code, i.TitleZh, i.TitleEn,
            i.Deadline, i.DaysLeft, i.Periods, i.InstructionId, i.ReportId, i.Comment)).ToList();

        var ids = (await responsibility.ActingAsAsync(agency.Code, ct) ?? []).ToHashSet();
        foreach (var code in await db.Plans.AsNoTracking().OrderBy(p => p.Code).Select(p => p.Code).ToListAsync(ct))
        {
            if (!_items.TryGetValue((code, asOf), out var all))
                _items[(code, asOf)] = all = await oversight.ItemsAsync(await dashboards.PlanAsync(code, ct), asOf, ct);
            items.AddRange(all.Where(s => s.Item is { Kind: ItemKinds.Measure, Status: MeasureStatus.Overdue } && s.LeadIds.Overlaps(ids))
                .Select(s => new DigestItem("measure-overdue", code, s.Item.TaskNumber, s.Item.Code, s.Item.TitleZh, s.Item.TitleEn,
                    s.Item.Deadline, -s.Item.DaysOverdue)));
        }
        return items.OrderBy(i => i.Deadline).ThenBy(i => i.Kind, StringComparer.Ordinal).ThenBy(i => i.Code, StringComparer.Ordinal).ToList();
    }

    /// <summary>An instruction still awaiting a reply, for a reminder (催办).</summary>
    public sealed record OpenInstruction(int Id, int AgencyId, string AgencyCode, string Plan, int? TaskNumber, string? MeasureCode, string Text,
        DateOnly ReplyBy, InstructionStatus Status);

    public Task<OpenInstruction?> InstructionAsync(int id, CancellationToken ct) =>
        db.Instructions.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new OpenInstruction(i.Id, i.AgencyId, i.Agency.Code, db.Plans.Where(p => p.Id == i.PlanId).Select(p => p.Code).First(),
                (int?)i.Task!.Number, i.Measure!.Code, i.Text, i.ReplyBy, i.Status))
            .FirstOrDefaultAsync(ct);
}
