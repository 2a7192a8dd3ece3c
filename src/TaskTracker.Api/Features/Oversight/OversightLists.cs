using System.Globalization;
using FluentValidation;
using Mediator;
using TaskTracker.Data;

namespace TaskTracker.Features.Oversight;

internal enum ReviewList { Overdue, AtRisk, MissingReports }

internal sealed record OversightList(string Plan, string List, DateOnly AsOf, int Total, IReadOnlyList<OversightItem> Items);

internal sealed record OversightListQuery(string Plan, ReviewList List, DateOnly? AsOf, string? Agency, string? Role, int? Section, string? Severity,
    DateOnly? KnownAt = null)
    : IQuery<OversightList>;

internal sealed class OversightListValidator : AbstractValidator<OversightListQuery>
{
    public OversightListValidator()
    {
        AsOfRule.Apply(this, x => x.AsOf, x => x.KnownAt);
        RuleFor(x => x.Role).Must(r => r is null or "any" or "lead").OverridePropertyName("role").WithMessage("role must be 'any' or 'lead'.");
        RuleFor(x => x.Role).Null().When(x => x.Agency is null).OverridePropertyName("role").WithMessage("role applies only together with agency.");
        RuleFor(x => x.Section).InclusiveBetween(1, 100).When(x => x.Section is not null).OverridePropertyName("section");
        RuleFor(x => x.Severity).Must(s => s is null or Severities.Red or Severities.Orange or Severities.Yellow)
            .OverridePropertyName("severity").WithMessage("severity must be red, orange or yellow.");
    }
}

internal sealed class OversightListHandler(StandingCalculator dashboards, OversightService oversight, TimeProvider clock, Responsibility responsibility)
    : IQueryHandler<OversightListQuery, OversightList>
{
    public async ValueTask<OversightList> Handle(OversightListQuery q, CancellationToken ct)
    {
        var plan = await dashboards.PlanAsync(q.Plan, ct);
        var asOf = ChinaTime.AsOfOrToday(q.AsOf, clock);
        var ids = q.Agency is null ? null : await responsibility.ActingAsAsync(q.Agency, ct)
            ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure("agency", $"unknown agency code '{q.Agency}'.")]);
        var items = (await oversight.ItemsAsync(plan, asOf, q.KnownAt, ct))
            .Where(s => q.List switch
            {
                ReviewList.Overdue => s.Item.Severity == Severities.Red && s.Item.Kind is ItemKinds.Measure or ItemKinds.Task or ItemKinds.Instruction,
                ReviewList.AtRisk => s.Item.Kind == ItemKinds.Measure && s.Item.Severity != Severities.Red,
                _ => s.Item.Kind == ItemKinds.MissingReport,
            })
            .Where(s => ids is null || s.LeadIds.Overlaps(ids) || (q.Role != "lead" && s.CoopIds.Overlaps(ids)))
            .Where(s => q.Section is null || s.Item.Section == q.Section)
            .Where(s => q.Severity is null || s.Item.Severity == q.Severity)
            .Select(s => s.Item).ToList();
        return new OversightList(plan.Code, JsonNames.Kebab(q.List), asOf, items.Count, items);
    }
}

internal sealed record AgencySlippage(AgencyBrief Agency, int OverdueLead, int OverdueCooperating, int AtRiskLead, int AtRiskCooperating,
    int MissingReportsLead, int MissingReportsCooperating, int InstructionsOverdue);

internal sealed record AgencySlippageList(string Plan, DateOnly AsOf, IReadOnlyList<AgencySlippage> Agencies);

internal sealed record AgencySlippageQuery(string Plan, DateOnly? AsOf, DateOnly? KnownAt = null) : IQuery<AgencySlippageList>;

internal sealed class AgencySlippageValidator : AbstractValidator<AgencySlippageQuery>
{
    public AgencySlippageValidator() => AsOfRule.Apply(this, x => x.AsOf, x => x.KnownAt);
}

/// <summary>Which agencies carry the most slippage: each agency's items as lead and as co-operator (groups count for their members).</summary>
internal sealed class AgencySlippageHandler(TaskTrackerDb db, StandingCalculator dashboards, OversightService oversight, TimeProvider clock)
    : IQueryHandler<AgencySlippageQuery, AgencySlippageList>
{
    public async ValueTask<AgencySlippageList> Handle(AgencySlippageQuery q, CancellationToken ct)
    {
        var plan = await dashboards.PlanAsync(q.Plan, ct);
        var asOf = ChinaTime.AsOfOrToday(q.AsOf, clock);
        var items = await oversight.ItemsAsync(plan, asOf, q.KnownAt, ct);
        var agencies = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Agencies.Where(a => a.Kind != Domain.AgencyKinds.Group)
                .Select(a => new { a.Id, a.Code, a.NameZh, a.NameEn, Groups = a.MemberOf.Select(m => m.GroupId).ToList() }), ct);
        var rows = agencies.Select(a =>
        {
            var ids = Responsibility.ActingAs(a.Id, a.Groups).ToHashSet();
            int Count(Func<OversightItem, bool> kind, bool lead) => items.Count(s => kind(s.Item) &&
                (lead ? s.LeadIds.Overlaps(ids) : !s.LeadIds.Overlaps(ids) && s.CoopIds.Overlaps(ids)));
            bool Overdue(OversightItem i) => i.Severity == Severities.Red && i.Kind == ItemKinds.Measure;
            bool AtRisk(OversightItem i) => i.Kind == ItemKinds.Measure && i.Severity != Severities.Red;
            bool Missing(OversightItem i) => i.Kind == ItemKinds.MissingReport;
            return new AgencySlippage(new AgencyBrief(a.Code, a.NameZh, a.NameEn),
                Count(Overdue, true), Count(Overdue, false), Count(AtRisk, true), Count(AtRisk, false),
                Count(Missing, true), Count(Missing, false), Count(i => i.Kind == ItemKinds.Instruction, true));
        })
        .Where(r => r.OverdueLead + r.OverdueCooperating + r.AtRiskLead + r.AtRiskCooperating + r.MissingReportsLead + r.MissingReportsCooperating + r.InstructionsOverdue > 0)
        .OrderByDescending(r => r.OverdueLead + r.InstructionsOverdue).ThenByDescending(r => r.MissingReportsLead).ThenByDescending(r => r.AtRiskLead)
        .ThenBy(r => r.Agency.Code).ToList();
        return new AgencySlippageList(plan.Code, asOf, rows);
    }
}

internal static class OversightCsv
{
    public static byte[] Items(IReadOnlyList<OversightItem> items)
    {
        string[] header = ["severity", "kind", "task", "section", "code", "titleZh", "titleEn", "deadline", "daysOverdue", "status",
            "completionPct", "leadAgencies", "cooperatingAgencies", "lastReportAsOf", "lastReportValue", "missingPeriods", "instructionId"];
        return Files.Csv(header, items.Select(i => new[]
        {
            i.Severity, i.Kind, i.TaskNumber?.ToString() ?? "", i.Section?.ToString() ?? "", i.Code ?? "", i.TitleZh, i.TitleEn,
            i.Deadline.ToString("yyyy-MM-dd"), i.DaysOverdue.ToString(CultureInfo.InvariantCulture),
            i.Status is { } s ? JsonNames.Kebab(s) : "",
            Files.Pct(i.Completion),
            string.Join("、", i.LeadAgencies.Select(a => a.NameZh)), string.Join("、", i.CooperatingAgencies.Select(a => a.NameZh)),
            i.LastReport?.AsOf.ToString("yyyy-MM-dd") ?? "", i.LastReport?.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
            string.Join(" ", i.MissingPeriods ?? []), i.InstructionId?.ToString() ?? "",
        }));
    }
}
