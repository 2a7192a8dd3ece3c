using FluentValidation;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

/// <summary>One report's content with what the rules need to judge it.</summary>
internal sealed record ReportInput(
    MeasureInfo Measure, DateOnly Today, decimal? Value, MilestoneStatus? Status, string? Period, DateOnly? AsOf,
    string? SubUnit, string? Narrative, IReadOnlyList<string>? Evidence, long? Supersedes, string? CorrectionReason);

/// <summary>
/// The rules a careful official would apply to a progress report. Used for single filings (through the mediator
/// pipeline) and for every row of a bulk upload, so both accept exactly the same reports.
/// </summary>
internal sealed class ReportRules : AbstractValidator<ReportInput>
{
    public const decimal MaxValue = 1_000_000_000_000m;
    public const int MaxEvidence = 20;

    public ReportRules()
    {
        When(x => x.Measure.Type == MeasureType.Target, () =>
        {
            RuleFor(x => x.Value).NotNull().OverridePropertyName("value").WithMessage("value is required for a target report (in the target's unit).");
            RuleFor(x => x.Status).Null().OverridePropertyName("status").WithMessage("status applies to milestones; a target report carries a value.");
            RuleFor(x => x.Period).Null().OverridePropertyName("period").WithMessage("period applies to recurring milestones only.");
            RuleFor(x => x.Value!.Value).Must(v => v >= 0).When(x => x.Value is not null && x.Measure.Kind != TargetKind.GrowthRate)
                .OverridePropertyName("value").WithMessage("value must not be negative.");
            RuleFor(x => x.Value!.Value).InclusiveBetween(-100m, 1000m).When(x => x.Value is not null && x.Measure.Kind == TargetKind.GrowthRate)
                .OverridePropertyName("value").WithMessage("a growth rate must be between -100 and 1000 (%).");
            RuleFor(x => x.Value!.Value).InclusiveBetween(0m, 100m)
                .When(x => x.Value is not null && x.Measure.Unit == "%" && x.Measure.Kind != TargetKind.GrowthRate)
                .OverridePropertyName("value").WithMessage("a percentage must be between 0 and 100.");
            RuleFor(x => x.Value!.Value).LessThanOrEqualTo(MaxValue).When(x => x.Value is not null)
                .OverridePropertyName("value").WithMessage($"value must be at most {MaxValue:N0}.");
            RuleFor(x => x.Value!.Value).Must(v => v == decimal.Truncate(v)).When(x => x.Value is not null && x.Measure.IsCountUnit)
                .OverridePropertyName("value").WithMessage(x => $"value counts {x.Measure.Unit} and must be a whole number.");
            RuleFor(x => x.Value!.Value).Must(v => v.Scale <= 6 || v == decimal.Round(v, 6)).When(x => x.Value is not null)
                .OverridePropertyName("value").WithMessage("value has more than 6 decimal places.");
        });
        When(x => x.Measure.Type == MeasureType.Milestone, () =>
        {
            RuleFor(x => x.Status).NotNull().IsInEnum().OverridePropertyName("status").WithMessage("status is required: not-started, in-progress or done.");
            RuleFor(x => x.Value).Null().OverridePropertyName("value").WithMessage("value applies to targets; a milestone report carries a status.");
            RuleFor(x => x.Period).NotEmpty().When(x => x.Measure.Recurrence == Recurrence.Quarterly)
                .OverridePropertyName("period").WithMessage(x => $"period is required for this recurring milestone: one of {string.Join(", ", Quarters(x.Measure))}.");
            RuleFor(x => x.Period).Must((x, p) => Quarters(x.Measure).Contains(p!)).When(x => x.Measure.Recurrence == Recurrence.Quarterly && !string.IsNullOrEmpty(x.Period))
                .OverridePropertyName("period").WithMessage(x => $"period must be one of {string.Join(", ", Quarters(x.Measure))}.");
            RuleFor(x => x.Period).Null().When(x => x.Measure.Recurrence == Recurrence.None)
                .OverridePropertyName("period").WithMessage("period applies to recurring milestones only.");
        });

        RuleFor(x => x.AsOf).NotNull().OverridePropertyName("asOf").WithMessage("asOf is required (YYYY-MM-DD).");
        RuleFor(x => x.AsOf!.Value).Must((x, d) => d >= x.Measure.PeriodStart && d <= x.Measure.PeriodEnd).When(x => x.AsOf is not null)
            .OverridePropertyName("asOf").WithMessage(x => $"asOf must fall within the plan period {x.Measure.PeriodStart:yyyy-MM-dd}..{x.Measure.PeriodEnd:yyyy-MM-dd}.");
        RuleFor(x => x.AsOf!.Value).Must((x, d) => d <= x.Today).When(x => x.AsOf is not null)
            .OverridePropertyName("asOf").WithMessage(x => $"asOf must not be in the future (today is {x.Today:yyyy-MM-dd} in China Standard Time).");

        RuleFor(x => x.Narrative).MaximumLength(4000).OverridePropertyName("narrative");
        RuleFor(x => x.Narrative).Must(Text.BeCleanText!).When(x => x.Narrative is not null).OverridePropertyName("narrative")
            .WithMessage("narrative must not contain control characters.");
        RuleFor(x => x.SubUnit).MaximumLength(100).OverridePropertyName("subUnit");
        RuleFor(x => x.SubUnit).Must(s => Text.BeCleanText(s!) && !s!.Contains('\n') && s.Trim().Length > 0).When(x => x.SubUnit is not null)
            .OverridePropertyName("subUnit").WithMessage("subUnit must be a single line of text.");
        RuleFor(x => x.Evidence).Must(e => e!.Count <= MaxEvidence).When(x => x.Evidence is not null)
            .OverridePropertyName("evidence").WithMessage($"at most {MaxEvidence} evidence links.");
        RuleForEach(x => x.Evidence).Must(BeHttpLink).OverridePropertyName("evidence")
            .WithMessage("each evidence link must be an absolute http(s) URL of at most 2000 characters.");

        When(x => x.Supersedes is not null, () =>
            RuleFor(x => x.CorrectionReason).NotEmpty().MaximumLength(1000).OverridePropertyName("reason")
                .WithMessage("a correction needs a reason (at most 1000 characters)."));
        RuleFor(x => x.CorrectionReason).Must(Text.BeCleanText!).When(x => x.CorrectionReason is not null).OverridePropertyName("reason")
            .WithMessage("reason must not contain control characters.");
    }

    public static IReadOnlyList<string> Quarters(MeasureInfo m)
    {
        var result = new List<string>();
        for (var d = new DateOnly(m.PeriodStart.Year, (m.PeriodStart.Month - 1) / 3 * 3 + 1, 1); d <= m.DueDate; d = d.AddMonths(3))
            result.Add(Periods.QuarterLabel(d));
        return result;
    }

    private static bool BeHttpLink(string? link) =>
        link is { Length: > 0 and <= 2000 } && Text.BeCleanText(link) &&
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
        !string.IsNullOrEmpty(uri.Host);
}

