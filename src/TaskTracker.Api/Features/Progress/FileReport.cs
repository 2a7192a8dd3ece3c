using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Common;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

/// <summary>Body of POST /api/targets/{id}/reports. The filing agency comes from the token, never from here.</summary>
internal sealed record TargetReportBody(decimal? Value, DateOnly? AsOf, string? Narrative, List<string>? Evidence, string? SubUnit);

/// <summary>Body of POST /api/milestones/{id}/reports.</summary>
internal sealed record MilestoneReportBody(MilestoneStatus? Status, DateOnly? AsOf, string? Period, string? Narrative, List<string>? Evidence, string? SubUnit);

/// <summary>Body of POST /api/reports/{id}/corrections: the corrected content (value or status as the measure needs) and why.</summary>
internal sealed record CorrectionBody(decimal? Value, MilestoneStatus? Status, DateOnly? AsOf, string? Period, string? Narrative,
    List<string>? Evidence, string? SubUnit, string? Reason);

internal sealed record FileReportCommand(
    int MeasureId, MeasureType ExpectedType, decimal? Value, MilestoneStatus? Status, string? Period, DateOnly? AsOf,
    string? SubUnit, string? Narrative, List<string>? Evidence, long? Supersedes = null, string? CorrectionReason = null)
    : ICommand<ReportDto>, IMeasureWrite;

internal sealed class FileReportValidator : AbstractValidator<FileReportCommand>
{
    public FileReportValidator(MeasureContext measures, TimeProvider clock)
    {
        var rules = new ReportRules();
        // The measure this command writes, loaded once per request (the authorisation behaviour asks for the same one).
        RuleFor(x => x).CustomAsync(async (cmd, ctx, ct) =>
        {
            var m = await measures.RequireWritableAsync(cmd, ct);
            var input = new ReportInput(m, ChinaTime.Today(clock), cmd.Value, cmd.Status, cmd.Period, cmd.AsOf, cmd.SubUnit,
                cmd.Narrative, cmd.Evidence, cmd.Supersedes, cmd.CorrectionReason);
            foreach (var failure in rules.Validate(input).Errors) ctx.AddFailure(failure);
        });
    }
}

internal sealed class FileReportHandler(TaskTrackerDb db, MeasureContext measures, Caller caller, WriteStep write, ReferenceCache<int, AgencyRef> agencies)
    : ICommandHandler<FileReportCommand, ReportDto>
{
    public async ValueTask<ReportDto> Handle(FileReportCommand cmd, CancellationToken ct)
    {
        var m = await measures.RequireWritableAsync(cmd, ct);
        // Taken here, on the request: the work below runs on the group-commit writer (ADR 0009), where there is no user.
        var (agencyId, tokenId) = (caller.AgencyId!.Value, caller.TokenId);
        var agency = await agencies.GetOrLoadAsync(agencyId, c => db.Agencies.AsNoTracking().Where(a => a.Id == agencyId)
            .Select(a => new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind)).FirstOrDefaultAsync(c), ct) ?? throw new ForbiddenException("Unknown agency.");
        return await write.RunGroupedAsync(m.PlanId, async w =>
        {
            var wdb = w.Db;
            // Not the request's token: cancelling a statement on the writer could interrupt the whole batch's transaction.
            var none = CancellationToken.None;
            if (cmd.Supersedes is { } original && await wdb.Reports.AnyAsync(r => r.SupersedesId == original, none))
                throw AlreadyCorrected(original, await wdb.Reports.Where(r => r.SupersedesId == original).Select(r => r.Id).FirstAsync(none));

            var report = new ProgressReport
            {
                PlanId = m.PlanId, MeasureId = m.Id, AgencyId = agencyId, TokenId = tokenId,
                Value = cmd.Value, Status = cmd.Status, Period = cmd.Period, SubUnit = cmd.SubUnit?.Trim(), AsOf = cmd.AsOf!.Value,
                // Whole microseconds, as PostgreSQL keeps them, so the 201 body equals what a later GET reads.
                Narrative = cmd.Narrative, Evidence = cmd.Evidence ?? [], FiledAtUtc = w.Now.AddTicks(-(w.Now.Ticks % 10)),
                SupersedesId = cmd.Supersedes, CorrectionReason = cmd.CorrectionReason,
            };
            wdb.Reports.Add(report);
            try
            {
                await wdb.SaveChangesAsync(none); // the id is needed for the audit entry and the stored response
            }
            catch (DbUpdateException e) when (cmd.Supersedes is { } o && Common.Security.UniqueViolation.Is(e))
            {
                // The unique index on SupersedesId lost a race with a concurrent correction of the same report (a busy or
                // locked database is not that: it answers 503).
                throw AlreadyCorrected(o, null);
            }

            w.Audit(cmd.Supersedes is null ? "report.filed" : "report.corrected", "report", report.Id.ToString(), new
            {
                measure = m.Code, value = cmd.Value, status = cmd.Status?.ToString(), cmd.Period, asOf = cmd.AsOf, subUnit = report.SubUnit,
                supersedes = cmd.Supersedes, reason = cmd.CorrectionReason, evidence = report.Evidence,
            });
            var dto = Written(report, m, agency);
            w.Publish(cmd.Supersedes is null ? EventTypes.ReportFiled : EventTypes.ReportCorrected, dto, agencyId);
            w.Respond(StatusCodes.Status201Created, dto, $"/api/reports/{report.Id}");
            w.Count(() => TaskTrackerMetrics.ReportsFiled.Add(1, new KeyValuePair<string, object?>("plan", m.PlanCode)));
            return dto;
        }, ct);
    }

    /// <summary>
    /// The response from what was just written, without reading it back: a new report is not yet reviewed, nothing
    /// supersedes it, so it counts (the same facts <see cref="ReportProjection"/> would read).
    /// </summary>
    private static ReportDto Written(ProgressReport r, MeasureInfo m, AgencyRef agency) => new(
        r.Id, m.Id, m.Code, m.Type, m.PlanCode, agency, r.Value, m.Type == MeasureType.Target ? m.Unit : null, r.Status, r.Period, r.SubUnit,
        r.AsOf, r.Narrative, r.Evidence, r.FiledAtUtc, r.SupersedesId, null, r.CorrectionReason,
        new ReviewDto(r.ReviewStatus, r.ReviewComment, r.ReviewedAtUtc), r.Version, r.ReviewStatus != ReviewStatus.Returned);

    private static ConflictException AlreadyCorrected(long original, long? by) => new(by is null
        ? $"Report {original} was already corrected; correct the latest report in its chain instead."
        : $"Report {original} was already corrected by report {by}; correct report {by} instead.");
}
