using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal enum ReviewDecision { Accept, Return }

internal sealed record ReviewBody(ReviewDecision? Decision, string? Comment);

internal sealed record ReviewReportCommand(long ReportId, int ExpectedVersion, ReviewDecision? Decision, string? Comment) : ICommand<ReportDto>;

internal sealed class ReviewReportValidator : AbstractValidator<ReviewReportCommand>
{
    public ReviewReportValidator()
    {
        RuleFor(x => x.Decision).NotNull().IsInEnum().OverridePropertyName("decision").WithMessage("decision is required: accept or return.");
        RuleFor(x => x.Comment).NotEmpty().When(x => x.Decision == ReviewDecision.Return)
            .OverridePropertyName("comment").WithMessage("a returned report needs a comment telling the agency what to fix.");
        RuleFor(x => x.Comment).MaximumLength(2000).OverridePropertyName("comment");
        RuleFor(x => x.Comment).Must(c => Text.BeCleanText(c!)).When(x => x.Comment is not null)
            .OverridePropertyName("comment").WithMessage("comment must not contain control characters.");
    }
}

/// <summary>
/// Review transitions: a submitted report is accepted or returned, once. Both are final; what changes a reviewed
/// report is a correction (a new report, reviewed in its own right). The checks (version, still submitted, not
/// superseded) and the write are one conditional UPDATE inside the write step's transaction, which also writes the
/// audit entry and the event, so a correction committed at any moment either lands before it (409) or after it (a
/// correction of a reviewed report), never between a check and the save.
/// </summary>
internal sealed class ReviewReportHandler(TaskTrackerDb db, Caller caller, WriteStep write) : ICommandHandler<ReviewReportCommand, ReportDto>
{
    public async ValueTask<ReportDto> Handle(ReviewReportCommand cmd, CancellationToken ct)
    {
        var report = await db.Reports.AsNoTracking().Where(r => r.Id == cmd.ReportId)
                         .Select(r => new { r.Id, r.MeasureId, r.PlanId, r.AgencyId }).FirstOrDefaultAsync(ct)
                     ?? throw new NotFoundException("Report", cmd.ReportId.ToString());
        var status = cmd.Decision == ReviewDecision.Accept ? ReviewStatus.Accepted : ReviewStatus.Returned;
        var next = cmd.ExpectedVersion + 1;
        await write.RunAsync(report.PlanId, async w =>
        {
            if (db.Database.IsNpgsql())
                // A correction's insert takes a key-share lock on the original; this waits for one in flight, and holds one back.
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"Reports\" WHERE \"Id\" = {cmd.ReportId} FOR UPDATE", ct);
            var changed = await db.Reports
                .Where(r => r.Id == cmd.ReportId && r.Version == cmd.ExpectedVersion && r.ReviewStatus == ReviewStatus.Submitted
                            && !db.Reports.Any(c => c.SupersedesId == r.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.ReviewStatus, status).SetProperty(r => r.ReviewComment, cmd.Comment)
                    .SetProperty(r => r.ReviewedAtUtc, w.Now).SetProperty(r => r.ReviewedByTokenId, caller.TokenId).SetProperty(r => r.Version, next), ct);
            if (changed == 0) throw await WhyNotAsync(cmd, ct);
            // Only the office reviews, and office tokens carry no agency.
            w.Audit("report.reviewed", "report", report.Id.ToString(),
                new { from = ReviewStatus.Submitted.ToString(), to = status.ToString(), comment = cmd.Comment, version = next });
            w.Publish(status == ReviewStatus.Returned ? EventTypes.ReportReturned : EventTypes.ReportAccepted,
                new { reportId = report.Id, measureId = report.MeasureId, status = status.ToString(), comment = cmd.Comment, version = next },
                report.AgencyId);
            w.Count(() => TaskTrackerMetrics.ReportsReviewed.Add(1));
            return 0;
        }, ct);
        return await db.Reports.AsNoTracking().Where(r => r.Id == report.Id).ToDtos(db.Reports).FirstAsync(ct);
    }

    /// <summary>Which condition failed, in the order a client can act on: missing, stale, superseded, already reviewed.</summary>
    private async Task<Exception> WhyNotAsync(ReviewReportCommand cmd, CancellationToken ct)
    {
        var r = await db.Reports.AsNoTracking().Where(x => x.Id == cmd.ReportId)
            .Select(x => new { x.Version, x.ReviewStatus, Superseded = db.Reports.Any(c => c.SupersedesId == x.Id) }).FirstOrDefaultAsync(ct);
        if (r is null) return new NotFoundException("Report", cmd.ReportId.ToString());
        if (r.Version != cmd.ExpectedVersion)
            return new PreconditionFailedException($"Report {cmd.ReportId} is at version {r.Version}, not {cmd.ExpectedVersion}; fetch it again.");
        if (r.Superseded) return new ConflictException($"Report {cmd.ReportId} has been superseded by a correction; review the correction instead.");
        return new ConflictException($"Report {cmd.ReportId} is already {r.ReviewStatus.ToString().ToLowerInvariant()}; a review is final. " +
                                     "The agency files a correction, which is reviewed in its own right.");
    }
}
