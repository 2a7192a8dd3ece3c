namespace TaskTracker.Domain;

internal sealed class Plan
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string TitleZh { get; set; }
    public required string TitleEn { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public int? OwnerAgencyId { get; set; }
    public Agency? OwnerAgency { get; set; }
    public int? OversightAgencyId { get; set; }
    public Agency? OversightAgency { get; set; }
    public string? SourceDocument { get; set; }
    public string? SourceArticle { get; set; }
    public string? SourcePublisher { get; set; }
    public string? SourceUrl { get; set; }
    public string? PreambleZh { get; set; }
    public string? ClosingZh { get; set; }
    public ReportingCadence ReportingCadence { get; set; } = ReportingCadence.Monthly;
    public int ReportingGraceDays { get; set; }
    /// <summary>SHA-256 of the seed files last loaded; lets start-up skip an unchanged seed.</summary>
    public string? SeedHash { get; set; }
    public DateTime SeededAtUtc { get; set; }
    /// <summary>
    /// The version of the plan's data: bumped in the same transaction by every change to it (reports, reviews,
    /// instructions; see WriteStep), so a reader can tell in one row whether anything changed.
    /// </summary>
    public long Revision { get; set; }
    /// <summary>Which completion drives statuses: <c>completion</c> (every counting report) or <c>verifiedCompletion</c> (accepted only).</summary>
    public StatusBasis StatusBasis { get; set; } = StatusBasis.Reported;
    public List<Section> Sections { get; set; } = [];
    public List<WorkTask> Tasks { get; set; } = [];
    public List<Measure> Measures { get; set; } = [];
}

internal sealed class Section
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public Plan Plan { get; set; } = null!;
    public int Number { get; set; }
    public required string Numeral { get; set; }
    public required string TitleZh { get; set; }
    public required string TitleEn { get; set; }
    public List<WorkTask> Tasks { get; set; } = [];
}

/// <summary>A numbered task of a plan (named to avoid System.Threading.Tasks.Task).</summary>
internal sealed class WorkTask
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public Plan Plan { get; set; } = null!;
    public int SectionId { get; set; }
    public Section Section { get; set; } = null!;
    public int Number { get; set; }
    public required string Numeral { get; set; }
    public required string TitleZh { get; set; }
    public required string TitleEn { get; set; }
    public required string TextZh { get; set; }
    public required string SummaryEn { get; set; }
    public List<Clause> Clauses { get; set; } = [];
    public List<Measure> Measures { get; set; } = [];
}

internal sealed class Clause
{
    public int Id { get; set; }
    public int TaskId { get; set; }
    public WorkTask Task { get; set; } = null!;
    public int Seq { get; set; }
    public required string TextZh { get; set; }
    public required string TextEn { get; set; }
    public required string ResponsibleText { get; set; }
    public bool AndOthers { get; set; }
    public List<ClauseAgency> Agencies { get; set; } = [];
}

internal enum AgencyRole { Lead, Cooperating }

internal sealed class ClauseAgency
{
    public int ClauseId { get; set; }
    public Clause Clause { get; set; } = null!;
    public int AgencyId { get; set; }
    public Agency Agency { get; set; } = null!;
    /// <summary>Position in the 责任单位 list as written; 0 leads.</summary>
    public int Position { get; set; }
    public AgencyRole Role { get; set; }
    /// <summary>The name exactly as the clause writes it (e.g. 贵州电网公司 for 贵州电网有限责任公司).</summary>
    public required string NameAsWritten { get; set; }
}

internal enum ReportingCadence { Monthly, Quarterly }
