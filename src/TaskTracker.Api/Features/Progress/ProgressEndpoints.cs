using System.Text.RegularExpressions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TaskTracker.Features.Progress;

internal static partial class ProgressEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var targets = app.MapGroup("/api/targets").WithTags("Progress");
        targets.MapGet("/{targetId:int}", async Task<Ok<MeasureDetail>> (int targetId, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetMeasureQuery(targetId, MeasureType.Target), ct)))
            .WithName("GetTarget").WithSummary("A target with the agencies that answer for it.")
            .RequireAuthorization(Policies.Read).ProducesProblem(404);
        targets.MapGet("/{targetId:int}/reports", async Task<Ok<MeasureReports>> (int targetId, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListMeasureReportsQuery(targetId, MeasureType.Target), ct)))
            .WithName("ListTargetReports").WithSummary("Every report on a target, oldest first, with correction chains and review state.")
            .RequireAuthorization().ProducesProblem(404);
        targets.MapPost("/{targetId:int}/reports", async Task<Created<ReportDto>> (int targetId, TargetReportBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new FileReportCommand(targetId, MeasureType.Target, body.Value, null, null, body.AsOf, body.SubUnit,
                    body.Narrative, body.Evidence), ct);
                return TypedResults.Created($"/api/reports/{dto.Id}", dto);
            })
            .WithName("FileTargetReport")
            .WithSummary("File a progress report on a target (reporter tokens, for targets their agency answers for). Supports Idempotency-Key.")
            .RequireAuthorization(Policies.Report).WithGroupedIdempotency()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        var milestones = app.MapGroup("/api/milestones").WithTags("Progress");
        milestones.MapGet("/{milestoneId:int}", async Task<Ok<MeasureDetail>> (int milestoneId, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetMeasureQuery(milestoneId, MeasureType.Milestone), ct)))
            .WithName("GetMilestone").WithSummary("A milestone with the agencies that answer for it.")
            .RequireAuthorization(Policies.Read).ProducesProblem(404);
        milestones.MapGet("/{milestoneId:int}/reports", async Task<Ok<MeasureReports>> (int milestoneId, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListMeasureReportsQuery(milestoneId, MeasureType.Milestone), ct)))
            .WithName("ListMilestoneReports").WithSummary("Every report on a milestone, oldest first.")
            .RequireAuthorization().ProducesProblem(404);
        milestones.MapPost("/{milestoneId:int}/reports", async Task<Created<ReportDto>> (int milestoneId, MilestoneReportBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new FileReportCommand(milestoneId, MeasureType.Milestone, null, body.Status, body.Period, body.AsOf,
                    body.SubUnit, body.Narrative, body.Evidence), ct);
                return TypedResults.Created($"/api/reports/{dto.Id}", dto);
            })
            .WithName("FileMilestoneReport")
            .WithSummary("File a status report on a milestone (not-started, in-progress, done; recurring ones name their period, e.g. 2025-Q1).")
            .RequireAuthorization(Policies.Report).WithGroupedIdempotency()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        app.MapGet("/api/plans/{plan}/measures/{code}", async Task<Ok<MeasureDetail>> (string plan, string code, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetMeasureByCodeQuery(plan, code), ct)))
            .WithTags("Progress").WithName("GetMeasureByCode")
            .WithSummary("A target or milestone by its code (e.g. T02-1, H2, M20-1), with its id for filing and the agencies that answer for it.")
            .RequireAuthorization(Policies.Read).ProducesProblem(404);

        var reports = app.MapGroup("/api/reports").WithTags("Progress");
        reports.MapGet("/{reportId:long}", async Task<Ok<ReportDto>> (long reportId, HttpContext http, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new GetReportQuery(reportId), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithName("GetReport").WithSummary("One report; its ETag is what a review must send in If-Match.")
            .RequireAuthorization().ProducesProblem(404);
        reports.MapPost("/{reportId:long}/corrections", async Task<Created<ReportDto>> (long reportId, CorrectionBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new FileReportCommand(0, MeasureType.Target, body.Value, body.Status, body.Period, body.AsOf,
                    body.SubUnit, body.Narrative, body.Evidence, reportId, body.Reason), ct);
                return TypedResults.Created($"/api/reports/{dto.Id}", dto);
            })
            .WithName("CorrectReport")
            .WithSummary("File a correction that supersedes a report (same agency; a reason is required). The original stays, marked superseded.")
            .RequireAuthorization(Policies.Report).WithGroupedIdempotency()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        reports.MapPost("/{reportId:long}/review", async Task<Ok<ReportDto>> (
                    long reportId, ReviewBody body, [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext http, ISender m, CancellationToken ct) =>
            {
                var version = ParseIfMatch(ifMatch, reportId);
                var dto = await m.Send(new ReviewReportCommand(reportId, version, body.Decision, body.Comment), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithName("ReviewReport")
            .WithSummary("Accept a report or return it with a comment (office). Requires If-Match with the report's ETag; 412 when stale.")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(412).ProducesProblem(428);

        return app;
    }

    [GeneratedRegex("^(W/)?\"r(?<id>[0-9]+)-v(?<v>[0-9]+)\"$")]
    private static partial Regex ETagPattern();

    private static int ParseIfMatch(string? ifMatch, long reportId)
    {
        if (string.IsNullOrWhiteSpace(ifMatch)) throw new PreconditionRequiredException();
        var match = ETagPattern().Match(ifMatch.Trim());
        // TryParse: an id too long for a long (e.g. "r99999999999999999999999-v1") is a stale tag (412), not an overflow (500).
        if (!match.Success || !long.TryParse(match.Groups["id"].Value, out var id) || id != reportId || !int.TryParse(match.Groups["v"].Value, out var v))
            throw new PreconditionFailedException($"If-Match {ifMatch} does not name a current version of report {reportId}.");
        return v;
    }
}

