using FluentValidation;
using Mediator;


namespace TaskTracker.Features.Bulletin;

/// <summary>One thing that moved. Measures carry their code and status before and after; instructions their id and agency.</summary>
internal sealed record ChangeItem(int? TaskNumber, string? Code, string TitleZh, string TitleEn, MeasureStatus? Before, MeasureStatus? After,
    DateOnly? DueDate, int? InstructionId = null, string? Agency = null, long? ReportId = null, DateTime? AtUtc = null, string? Comment = null);

/// <summary>
/// What moved between the end of <c>from</c> and the end of <c>to</c> (China time): measures compared as they stood
/// on each date, and instructions, reviews and sign-offs that happened in between. <c>Done</c> lists measures that became
/// done; <c>SignedOff</c> the tasks and measures the office signed off (销号) in the period and had not reopened by its end.
/// </summary>
internal sealed record PlanChanges(string Plan, DateOnly From, DateOnly To, IReadOnlyList<ChangeItem> NewlyOverdue, IReadOnlyList<ChangeItem> BackOnTrack,
    IReadOnlyList<ChangeItem> Done, IReadOnlyList<ChangeItem> InstructionsIssued, IReadOnlyList<ChangeItem> InstructionsAnswered,
    IReadOnlyList<ChangeItem> InstructionsClosed, IReadOnlyList<ChangeItem> ReportsReturned, IReadOnlyList<ChangeItem> SignedOff);

internal sealed record GetChangesQuery(string Plan, DateOnly? From, DateOnly? To) : IQuery<PlanChanges>;

/// <summary>from and to, both required, from before to; shared by changes, assessment and the bulletin.</summary>
internal static class PeriodRules
{
    public static void Apply<T>(AbstractValidator<T> v, System.Linq.Expressions.Expression<Func<T, DateOnly?>> from,
        System.Linq.Expressions.Expression<Func<T, DateOnly?>> to, Func<T, DateOnly?> fromOf, Func<T, DateOnly?> toOf)
    {
        v.RuleFor(from).NotNull().OverridePropertyName("from").WithMessage("from (YYYY-MM-DD) is required.");
        v.RuleFor(to).NotNull().OverridePropertyName("to").WithMessage("to (YYYY-MM-DD) is required.");
        v.RuleFor(from).Must(d => d is null || (d >= AsOfRule.Min && d <= AsOfRule.Max)).OverridePropertyName("from")
            .WithMessage($"from must be between {AsOfRule.Min:yyyy-MM-dd} and {AsOfRule.Max:yyyy-MM-dd}.");
        v.RuleFor(to).Must(d => d is null || (d >= AsOfRule.Min && d <= AsOfRule.Max)).OverridePropertyName("to")
            .WithMessage($"to must be between {AsOfRule.Min:yyyy-MM-dd} and {AsOfRule.Max:yyyy-MM-dd}.");
        v.RuleFor(x => x).Must(x => fromOf(x) is not { } f || toOf(x) is not { } t || f < t).OverridePropertyName("to")
            .WithMessage("to must be after from.");
    }
}

internal sealed class GetChangesValidator : AbstractValidator<GetChangesQuery>
{
    public GetChangesValidator() => PeriodRules.Apply(this, x => x.From, x => x.To, x => x.From, x => x.To);
}

internal sealed class GetChangesHandler(BulletinData data) : IQueryHandler<GetChangesQuery, PlanChanges>
{
    public async ValueTask<PlanChanges> Handle(GetChangesQuery q, CancellationToken ct) => await ComputeAsync(data, q.Plan, q.From!.Value, q.To!.Value, ct);

    private static readonly MeasureStatus[] Behind = [MeasureStatus.AtRisk, MeasureStatus.OffTrack, MeasureStatus.Overdue];

    public static async Task<PlanChanges> ComputeAsync(BulletinData data, string planCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var plan = await data.PlanAsync(planCode, ct);
        var before = BulletinData.Measures(await data.StandingAsync(plan.Code, from, ct)).ToDictionary(m => m.Id);
        var after = BulletinData.Measures(await data.StandingAsync(plan.Code, to, ct)).ToList();
        ChangeItem Item(MeasureFigure a) => new(a.TaskNumber, a.Code, a.TitleZh, a.TitleEn, before.GetValueOrDefault(a.Id)?.Status, a.Status, a.DueDate);
        bool Was(MeasureFigure a, Func<MeasureStatus?, bool> p) => p(before.GetValueOrDefault(a.Id)?.Status);
        var ordered = after.OrderBy(a => a.TaskNumber ?? 0).ThenBy(a => a.Code, StringComparer.Ordinal).ToList();

        var newlyOverdue = ordered.Where(a => a.Status == MeasureStatus.Overdue && Was(a, s => s != MeasureStatus.Overdue)).Select(Item).ToList();
        var backOnTrack = ordered.Where(a => a.Status == MeasureStatus.OnTrack && Was(a, s => s is { } x && Behind.Contains(x))).Select(Item).ToList();
        var done = ordered.Where(a => a.Status == MeasureStatus.Done && Was(a, s => s != MeasureStatus.Done)).Select(Item).ToList();

        // Events after the end of `from` up to the end of `to`, China time.
        var (after0, until) = (Completion.CutoffUtc(from), Completion.CutoffUtc(to));
        bool In(DateTime? t) => t is { } v && v > after0 && v <= until;
        var instructions = await data.InstructionsAsync(plan.Id, ct);
        ChangeItem Instr(BulletinData.InstructionRow i, DateTime? at) => new(i.TaskNumber, i.MeasureCode, Short(i.Text), Short(i.Text), null, null, i.ReplyBy,
            InstructionId: i.Id, Agency: i.Agency, AtUtc: at);
        var issued = instructions.Where(i => In(i.IssuedAtUtc)).Select(i => Instr(i, i.IssuedAtUtc)).ToList();
        // Answered: the latest reply in the window (an instruction sent back and answered again counts once).
        var answered = instructions.Where(i => In(i.LastReplyAtUtc) || In(i.FirstReplyAtUtc))
            .Select(i => Instr(i, In(i.LastReplyAtUtc) ? i.LastReplyAtUtc : i.FirstReplyAtUtc)).ToList();
        var closed = instructions.Where(i => In(i.ClosedAtUtc)).Select(i => Instr(i, i.ClosedAtUtc)).ToList();
        var returned = (await data.ReturnedAsync(plan.Id, after0, until, ct)).Select(r =>
        {
            var m = after.FirstOrDefault(x => x.Id == r.MeasureId);
            return new ChangeItem(r.TaskNumber, r.Code, m?.TitleZh ?? r.Code, m?.TitleEn ?? r.Code, null, m?.Status, m?.DueDate,
                Agency: r.Agency, ReportId: r.ReportId, AtUtc: r.ReviewedAtUtc, Comment: r.Comment);
        }).ToList();
        // Signed off in the window and still signed off at its end; a task's item has no code, a measure's its code.
        var tasksAfter = (await data.StandingAsync(plan.Code, to, ct)).Tasks.ToDictionary(t => t.Number);
        var signedOff = (await data.SignOffsAsync(plan.Id, ct)).Where(s => In(s.SignedAtUtc) && !(s.ReopenedAtUtc <= until)).Select(s =>
        {
            if (s.MeasureId is { } id && after.FirstOrDefault(x => x.Id == id) is { } m)
                return new ChangeItem(m.TaskNumber, m.Code, m.TitleZh, m.TitleEn, before.GetValueOrDefault(id)?.Status, m.Status, m.DueDate, AtUtc: s.SignedAtUtc, Comment: s.Comment);
            var t = s.TaskNumber is { } n ? tasksAfter.GetValueOrDefault(n) : null;
            return new ChangeItem(s.TaskNumber, s.MeasureCode, t?.TitleZh ?? s.MeasureCode ?? "", t?.TitleEn ?? s.MeasureCode ?? "", null, t?.Status, null,
                AtUtc: s.SignedAtUtc, Comment: s.Comment);
        }).ToList();
        return new PlanChanges(plan.Code, from, to, newlyOverdue, backOnTrack, done, issued, answered, closed, returned, signedOff);
    }

    private static string Short(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
