using System.Text.Json;
using System.Text.Json.Serialization;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding;

// The JSON shapes of a plan folder (documented in seed-data/SCHEMA.md). Everything is nullable so that the
// validator, not the deserialiser, reports a missing field with its path.

internal sealed record SeedPlan
{
    public string? Code { get; init; }
    public string? TitleZh { get; init; }
    public string? TitleEn { get; init; }
    public DateOnly? PeriodStart { get; init; }
    public DateOnly? PeriodEnd { get; init; }
    public string? OwnerAgency { get; init; }
    public string? OversightAgency { get; init; }
    public SeedSource? Source { get; init; }
    public string? PreambleZh { get; init; }
    public string? ClosingZh { get; init; }
    public SeedReporting? Reporting { get; init; }
    /// <summary>Which completion drives statuses: reported (every counting report, the default) or verified (accepted reports only).</summary>
    public StatusBasis? StatusBasis { get; init; }
    public List<SeedSection>? Sections { get; init; }
    public List<SeedTarget>? HeadlineTargets { get; init; }
}

internal sealed record SeedSource
{
    public string? Document { get; init; }
    public string? Article { get; init; }
    public string? Publisher { get; init; }
    public string? Url { get; init; }
}

internal sealed record SeedReporting
{
    public ReportingCadence? Cadence { get; init; }
    public int? GraceDays { get; init; }
}

internal sealed record SeedSection
{
    public int? Number { get; init; }
    public string? Numeral { get; init; }
    public string? TitleZh { get; init; }
    public string? TitleEn { get; init; }
}

internal sealed record SeedTasksFile
{
    public List<SeedTask>? Tasks { get; init; }
}

internal sealed record SeedTask
{
    public int? Number { get; init; }
    public string? Numeral { get; init; }
    public int? Section { get; init; }
    public string? TitleZh { get; init; }
    public string? TitleEn { get; init; }
    public string? TextZh { get; init; }
    public string? SummaryEn { get; init; }
    public List<SeedClause>? Clauses { get; init; }
    public List<SeedTarget>? Targets { get; init; }
    public List<SeedMilestone>? Milestones { get; init; }
}

internal sealed record SeedClause
{
    public int? Seq { get; init; }
    public string? TextZh { get; init; }
    public string? TextEn { get; init; }
    public string? ResponsibleText { get; init; }
    public List<string>? Agencies { get; init; }
    public bool? AndOthers { get; init; }
    /// <summary>A note such as 以下均需各市〔州〕负责，不再单独列出 that adds its agencies (after the bracket's) to this clause.</summary>
    public string? StandingNote { get; init; }
}

internal sealed record SeedTarget
{
    public string? Code { get; init; }
    public int? Clause { get; init; }
    public string? MetricZh { get; init; }
    public string? MetricEn { get; init; }
    public decimal? Value { get; init; }
    public string? Unit { get; init; }
    public string? UnitEn { get; init; }
    public string? ValueAsWritten { get; init; }
    public Comparison? Comparison { get; init; }
    public TargetKind? Kind { get; init; }
    public Direction? Direction { get; init; }
    public DateOnly? DueDate { get; init; }
    public decimal? Weight { get; init; }
    public ReportingCadence? Cadence { get; init; }
    public SeedFigure? Baseline { get; init; }
    public SeedFigure? Reference2024 { get; init; }
    public List<int>? Tasks { get; init; }
    public string? SourceText { get; init; }
    public string? Note { get; init; }
    /// <summary>Optional 计划值: the value planned for the end of a month (2025-03) or quarter (2025-Q1).</summary>
    public List<SeedPlannedValue>? PlannedValues { get; init; }
}

internal sealed record SeedPlannedValue
{
    public string? Period { get; init; }
    public decimal? Value { get; init; }
    /// <summary>Optional; when given it must be the target's unit.</summary>
    public string? Unit { get; init; }
}

internal sealed record SeedFigure
{
    public decimal? Value { get; init; }
    public BaselineComparison? Comparison { get; init; }
    public DateOnly? AsOf { get; init; }
    public string? SourceText { get; init; }
    public string? Source { get; init; }
    public string? Note { get; init; }
    /// <summary>Set by `plans rollover`: the accepted report of the previous plan this baseline was taken from
    /// (its sourceText then quotes the previous plan, not this plan's source.txt).</summary>
    public long? FromReport { get; init; }
}

internal sealed record SeedMilestone
{
    public string? Code { get; init; }
    public int? Clause { get; init; }
    public string? TitleZh { get; init; }
    public string? TitleEn { get; init; }
    public MilestoneKind? Kind { get; init; }
    public DateOnly? DueDate { get; init; }
    public Recurrence? Recurrence { get; init; }
    public decimal? Weight { get; init; }
    public ReportingCadence? Cadence { get; init; }
    public string? SourceText { get; init; }
    public string? Note { get; init; }
}

internal sealed record SeedAgenciesFile
{
    public List<SeedAgency>? Agencies { get; init; }
}

internal sealed record SeedAgency
{
    public string? Code { get; init; }
    public string? NameZh { get; init; }
    public string? ShortNameZh { get; init; }
    public List<string>? Aliases { get; init; }
    public string? NameEn { get; init; }
    public string? Kind { get; init; }
    public List<string>? Members { get; init; }
}

/// <summary>A plan folder as read from disk, before validation.</summary>
internal sealed record SeedFolder(string Path, SeedPlan Plan, SeedTasksFile Tasks, SeedAgenciesFile Agencies, string? SourceText, string Hash);

internal static class SeedJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt field would otherwise be silently dropped, and an official's figure with it.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };
}
