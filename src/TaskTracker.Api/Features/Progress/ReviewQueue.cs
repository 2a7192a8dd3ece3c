using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Common;

namespace TaskTracker.Features.Progress;

/// <summary>A report in the office's queue: the report itself, where it sits in the plan, and how long it has waited.</summary>
internal sealed record QueuedReport(ReportDto Report, int? TaskNumber, int? Section, int AgeDays);

/// <summary>
/// GET /api/plans/{plan}/reports?reviewStatus=submitted: the office's review queue, oldest first, with each report's age
/// in days; filterable by agency and section. Superseded reports are left out: only the latest of a chain is reviewed.
/// </summary>
internal static class ReviewQueueEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/plans/{plan}/reports", List).WithTags("Progress").WithName("ListPlanReports")
            .WithSummary("Reports of a plan by review status (office): reviewStatus=submitted is the review queue, oldest first, with age in days; " +
                         "filter by agency (code) and section (number).")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<QueuedReport>>> List(string plan, string? reviewStatus, string? agency, int? section,
        TaskTrackerDb db, TimeProvider clock, CancellationToken ct)
    {
        var status = ReviewStatus.Submitted;
        if (reviewStatus is not null && !Enum.TryParse(reviewStatus.Replace("-", ""), true, out status) || !Enum.IsDefined(status))
            throw Invalid("reviewStatus", "reviewStatus must be submitted, accepted or returned.");
        if (agency is not null && (agency.Length > 64 || !Text.BeCleanText(agency)))
            throw Invalid("agency", "agency must be an agency code.");
        if (section is < 1 or > 1000) throw Invalid("section", "section must be a section number.");
        var planId = await db.Plans.Where(p => p.Code == plan).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct)
                     ?? throw new NotFoundException("Plan", plan);

        var query = db.Reports.AsNoTracking().Where(r => r.PlanId == planId && r.ReviewStatus == status
                                                         && !db.Reports.Any(c => c.SupersedesId == r.Id));
        if (agency is not null) query = query.Where(r => r.Agency.Code == agency);
        if (section is not null) query = query.Where(r => r.Measure.Task != null && r.Measure.Task.Section.Number == section);
        var rows = await query.OrderBy(r => r.FiledAtUtc).ThenBy(r => r.Id).Take(500)
            .Select(r => new { r.Id, TaskNumber = r.Measure.Task == null ? (int?)null : r.Measure.Task.Number,
                               Section = r.Measure.Task == null ? (int?)null : r.Measure.Task.Section.Number })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var dtos = (await db.Reports.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDtos(db.Reports).ToListAsync(ct)).ToDictionary(d => d.Id);
        var today = ChinaTime.Today(clock);
        IReadOnlyList<QueuedReport> result = rows.Select(r =>
        {
            var dto = dtos[r.Id];
            var filed = DateOnly.FromDateTime(dto.FiledAtUtc.Add(ChinaTime.Offset));
            return new QueuedReport(dto, r.TaskNumber, r.Section, Math.Max(0, today.DayNumber - filed.DayNumber));
        }).ToList();
        return TypedResults.Ok(result);
    }

    private static FluentValidation.ValidationException Invalid(string field, string message) =>
        new([new FluentValidation.Results.ValidationFailure(field, message)]);
}
