using System.Linq.Expressions;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal sealed record ReviewDto(ReviewStatus Status, string? Comment, DateTime? ReviewedAtUtc);

internal sealed record ReportDto(
    long Id, int MeasureId, string MeasureCode, MeasureType MeasureType, string Plan, AgencyRef Agency,
    decimal? Value, string? Unit, MilestoneStatus? Status, string? Period, string? SubUnit, DateOnly AsOf,
    string? Narrative, IReadOnlyList<string> Evidence, DateTime FiledAtUtc,
    long? Supersedes, long? SupersededBy, string? CorrectionReason, ReviewDto Review, int Version,
    // Counts: this report is the current word on its measure (not superseded by a standing correction, not returned).
    bool Counts)
{
    public string ETag => ReportETag.For(Id, Version);
}

internal static class ReportETag
{
    public static string For(long id, int version) => $"\"r{id}-v{version}\"";
}

internal static class ReportProjection
{
    /// <summary>Projects reports with the facts a reader needs, in one query, including who superseded them.</summary>
    public static IQueryable<ReportDto> ToDtos(this IQueryable<ProgressReport> reports, IQueryable<ProgressReport> all) =>
        reports.Select(Projection(all));

    private static Expression<Func<ProgressReport, ReportDto>> Projection(IQueryable<ProgressReport> all) => r => new ReportDto(
        r.Id, r.MeasureId, r.Measure.Code, r.Measure is Target ? MeasureType.Target : MeasureType.Milestone,
        r.Measure.Plan.Code,
        new AgencyRef(r.Agency.Code, r.Agency.NameZh, r.Agency.NameEn, r.Agency.Kind),
        r.Value, r.Measure is Target ? ((Target)r.Measure).Unit : null, r.Status, r.Period, r.SubUnit, r.AsOf,
        r.Narrative, r.Evidence, r.FiledAtUtc, r.SupersedesId,
        all.Where(c => c.SupersedesId == r.Id).Select(c => (long?)c.Id).FirstOrDefault(),
        r.CorrectionReason, new ReviewDto(r.ReviewStatus, r.ReviewComment, r.ReviewedAtUtc), r.Version,
        // A returned correction gives the word back to the report it superseded (unless it was itself corrected).
        r.ReviewStatus != ReviewStatus.Returned &&
        !all.Any(c => c.SupersedesId == r.Id && (c.ReviewStatus != ReviewStatus.Returned || all.Any(d => d.SupersedesId == c.Id))));
}
