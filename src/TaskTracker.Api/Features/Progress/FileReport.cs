using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
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

internal sealed class FileReportHandler(TaskTrackerDb db, MeasureContext measures, Caller caller, WriteStep write)
    : ICommandHandler<FileReportCommand, ReportDto>
{
    public async ValueTask<ReportDto> Handle(FileReportCommand cmd, CancellationToken ct)
    {
        var m = await measures.RequireWritableAsync(cmd, ct);
        return await write.RunAsync(m.PlanId, async w =>
        {
            if (cmd.Supersedes is { } original && await db.Reports.AnyAsync(r => r.SupersedesId == original, ct))
                throw AlreadyCorrected(original, await db.Reports.Where(r => r.SupersedesId == original).Select(r => r.Id).FirstAsync(ct));

            var report = new ProgressReport
            {
                PlanId = m.PlanId, MeasureId = m.Id, AgencyId = caller.AgencyId!.Value, TokenId = caller.TokenId,
                Value = cmd.Value, Status = cmd.Status, Period = cmd.Period, SubUnit = cmd.SubUnit?.Trim(), AsOf = cmd.AsOf!.Value,
                Narrative = cmd.Narrative, Evidence = cmd.Evidence ?? [], FiledAtUtc = w.Now,
                SupersedesId = cmd.Supersedes, CorrectionReason = cmd.CorrectionReason,
            };
            db.Reports.Add(report);
            try
            {
                await db.SaveChangesAsync(ct); // the id is needed for the audit entry and the stored response
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
            var dto = await db.Reports.AsNoTracking().Where(r => r.Id == report.Id).ToDtos(db.Reports).FirstAsync(ct);
            w.Publish(cmd.Supersedes is null ? EventTypes.ReportFiled : EventTypes.ReportCorrected, dto, caller.AgencyId);
            w.Respond(StatusCodes.Status201Created, dto, $"/api/reports/{report.Id}");
            w.Count(() => TaskTrackerMetrics.ReportsFiled.Add(1, new KeyValuePair<string, object?>("plan", m.PlanCode)));
            return dto;
        }, ct);
    }

    private static ConflictException AlreadyCorrected(long original, long? by) => new(by is null
        ? $"Report {original} was already corrected; correct the latest report in its chain instead."
        : $"Report {original} was already corrected by report {by}; correct report {by} instead.");
}
