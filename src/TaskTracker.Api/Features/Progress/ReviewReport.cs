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

internal sealed class ReviewReportHandler(TaskTrackerDb db, Caller caller, WriteStep write) : ICommandHandler<ReviewReportCommand, ReportDto>
{
    public async ValueTask<ReportDto> Handle(ReviewReportCommand cmd, CancellationToken ct)
    {
        var report = await db.Reports.FirstOrDefaultAsync(r => r.Id == cmd.ReportId, ct)
                     ?? throw new NotFoundException("Report", cmd.ReportId.ToString());
        if (report.Version != cmd.ExpectedVersion)
            throw new PreconditionFailedException($"Report {report.Id} is at version {report.Version}, not {cmd.ExpectedVersion}; fetch it again.");
        if (await db.Reports.AnyAsync(r => r.SupersedesId == report.Id, ct))
            throw new ConflictException($"Report {report.Id} has been superseded by a correction; review the correction instead.");

        try
        {
            await write.RunAsync(report.PlanId, w =>
            {
                var before = report.ReviewStatus;
                report.ReviewStatus = cmd.Decision == ReviewDecision.Accept ? ReviewStatus.Accepted : ReviewStatus.Returned;
                report.ReviewComment = cmd.Comment;
                report.ReviewedAtUtc = w.Now;
                report.ReviewedByTokenId = caller.TokenId;
                // The concurrency token: the UPDATE only matches the version the reviewer saw.
                db.Entry(report).Property(r => r.Version).OriginalValue = cmd.ExpectedVersion;
                report.Version = cmd.ExpectedVersion + 1;
                // Only the office reviews, and office tokens carry no agency.
                w.Audit("report.reviewed", "report", report.Id.ToString(),
                    new { from = before.ToString(), to = report.ReviewStatus.ToString(), comment = cmd.Comment, version = report.Version });
                w.Publish(report.ReviewStatus == ReviewStatus.Returned ? EventTypes.ReportReturned : EventTypes.ReportAccepted,
                    new { reportId = report.Id, measureId = report.MeasureId, status = report.ReviewStatus.ToString(), comment = cmd.Comment, version = report.Version },
                    report.AgencyId);
                w.Count(() => TaskTrackerMetrics.ReportsReviewed.Add(1));
                return Task.FromResult(0);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new PreconditionFailedException($"Report {report.Id} was changed by someone else; fetch it again.");
        }
        return await db.Reports.AsNoTracking().Where(r => r.Id == report.Id).ToDtos(db.Reports).FirstAsync(ct);
    }
}
