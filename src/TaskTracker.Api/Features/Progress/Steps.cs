using FluentValidation;
using FluentValidation.Results;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

/// <summary>One step of the body of PUT /api/plans/{plan}/measures/{code}/steps.</summary>
internal sealed record StepBody(string? Title, DateOnly? Due);

/// <summary>Body of PUT …/steps: the steps not yet done, replacing the previous ones (steps done stay).</summary>
internal sealed record StepsBody(List<StepBody?>? Steps);

/// <summary>Body of POST …/steps/{n}/done.</summary>
internal sealed record StepDoneBody(DateOnly? DoneOn, string? Note);

internal sealed record StepDto(int Number, string Title, DateOnly Due, DateOnly? DoneOn, string? Note, DateTime RecordedAtUtc, DateTime? DoneRecordedAtUtc);

/// <summary>A milestone's steps (节点) in force, by number, with the ETag a replacement must send in If-Match.</summary>
internal sealed record MilestoneStepsDto(string Plan, string Code, string ETag, int Done, int Total, IReadOnlyList<StepDto> Steps);

internal sealed record GetStepsQuery(string Plan, string Code) : IQuery<MilestoneStepsDto>;

internal sealed record ReplaceStepsCommand(string Plan, string Code, string? IfMatch, StepsBody Body) : ICommand<MilestoneStepsDto>;

internal sealed record MarkStepDoneCommand(string Plan, string Code, int Number, StepDoneBody Body) : ICommand<MilestoneStepsDto>;

/// <summary>Loading, authorising and listing steps: shared by the three handlers.</summary>
internal sealed class StepAccess(TaskTrackerDb db, Caller caller, Responsibility responsibility)
{
    internal sealed record MilestoneRow(int Id, int PlanId, string Code, bool IsMilestone, bool Active, Recurrence Recurrence, int? ClauseId, int? TaskId,
        int? OwnerAgencyId, DateOnly PeriodStart, DateOnly Due);

    public async Task<MilestoneRow> MilestoneAsync(string plan, string code, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Where(x => x.Plan.Code == plan && x.Code == code)
            .Select(x => new MilestoneRow(x.Id, x.PlanId, x.Code, x is Milestone, x.Active, x is Milestone ? ((Milestone)x).Recurrence : Recurrence.None,
                x.ClauseId, x.TaskId, x.Plan.OwnerAgencyId, x.Plan.PeriodStart, x.DueDate))
            .FirstOrDefaultAsync(ct);
        if (m is null)
        {
            if (!await db.Plans.AnyAsync(p => p.Code == plan, ct)) throw new NotFoundException("Plan", plan);
            throw new NotFoundException("Measure", $"{plan}/{code}");
        }
        // Targets are measured by their values; only a milestone is broken into steps.
        if (!m.IsMilestone) throw new NotFoundException("Milestone", $"{plan}/{code}");
        return m;
    }

    /// <summary>The lead agency (as the one resolver names it, assignments included) or the office; nobody else.</summary>
    public async Task RequireLeadOrOfficeAsync(MilestoneRow m, string action, CancellationToken ct)
    {
        if (caller.IsOffice) return;
        var r = await responsibility.ForMeasureAsync(m.Id, m.ClauseId, m.TaskId, m.OwnerAgencyId, ct);
        if (caller.AgencyId is not { } agency || !r.Lead.Contains(agency))
            throw new ForbiddenException($"Only the lead agency of {m.Code} or the office can {action}; agency '{caller.AgencyCode ?? "(none)"}' does not lead it.");
    }

    public Task<MilestoneStepsDto> ListAsync(string plan, MilestoneRow m, CancellationToken ct) => ListAsync(plan, m.Id, m.Code, ct);

    public async Task<MilestoneStepsDto> ListAsync(string plan, int measureId, string code, CancellationToken ct)
    {
        var all = await db.MilestoneSteps.AsNoTracking().Where(s => s.MeasureId == measureId)
            .Select(s => new { s.Id, s.Number, s.Title, s.Due, s.DoneOn, s.DoneNote, s.RecordedAtUtc, s.DoneRecordedAtUtc, s.RemovedAtUtc }).ToListAsync(ct);
        var current = all.Where(s => s.RemovedAtUtc is null).OrderBy(s => s.Number)
            .Select(s => new StepDto(s.Number, s.Title, s.Due, s.DoneOn, s.DoneNote, s.RecordedAtUtc, s.DoneRecordedAtUtc)).ToList();
        // Every change adds a row, removes rows or marks one done, so these three counts name the list's version.
        var etag = $"\"st{measureId}-{(all.Count == 0 ? 0 : all.Max(s => s.Id))}-{all.Count(s => s.RemovedAtUtc is not null)}-{all.Count(s => s.DoneOn is not null)}\"";
        return new MilestoneStepsDto(plan, code, etag, current.Count(s => s.DoneOn is not null), current.Count, current);
    }

    public static ValidationException Invalid(params (string Field, string Message)[] errors) =>
        new(errors.Select(e => new ValidationFailure(e.Field, e.Message)).ToList());
}

internal sealed class GetStepsHandler(StepAccess steps) : IQueryHandler<GetStepsQuery, MilestoneStepsDto>
{
    public async ValueTask<MilestoneStepsDto> Handle(GetStepsQuery q, CancellationToken ct) =>
        await steps.ListAsync(q.Plan, await steps.MilestoneAsync(q.Plan, q.Code, ct), ct);
}

/// <summary>
/// The lead agency or the office breaks a milestone into dated steps. The list replaces the steps not yet done (they are
/// marked removed, never deleted, so a past view still sees them); steps done stay; new steps take the next numbers.
/// </summary>
internal sealed class ReplaceStepsHandler(TaskTrackerDb db, StepAccess steps, Caller caller, WriteStep write) : ICommandHandler<ReplaceStepsCommand, MilestoneStepsDto>
{
    public const int MaxSteps = 50;

    public async ValueTask<MilestoneStepsDto> Handle(ReplaceStepsCommand cmd, CancellationToken ct)
    {
        var m = await steps.MilestoneAsync(cmd.Plan, cmd.Code, ct);
        await steps.RequireLeadOrOfficeAsync(m, "define its steps", ct);
        Validate(cmd.Body, m);
        if (!m.Active) throw new ConflictException($"{m.Code} is no longer part of the plan.");
        if (m.Recurrence != Recurrence.None)
            throw new ConflictException($"{m.Code} recurs every quarter and is measured by its quarterly instances; it takes no steps.");

        return await write.RunAsync(m.PlanId, async w =>
        {
            var before = await steps.ListAsync(cmd.Plan, m, ct);
            var any = await db.MilestoneSteps.AnyAsync(s => s.MeasureId == m.Id, ct);
            // Replacing a list someone else may have changed needs the version it replaces; the first list does not.
            if (any && string.IsNullOrWhiteSpace(cmd.IfMatch))
                throw new PreconditionRequiredException($"{m.Code} already has steps: send If-Match with the ETag of GET /api/plans/{cmd.Plan}/measures/{m.Code}/steps.");
            if (!string.IsNullOrWhiteSpace(cmd.IfMatch) && cmd.IfMatch.Trim() != before.ETag)
                throw new PreconditionFailedException($"If-Match {cmd.IfMatch} is not the current version of the steps of {m.Code} ({before.ETag}).");

            var rows = await db.MilestoneSteps.Where(s => s.MeasureId == m.Id).ToListAsync(ct);
            var removed = rows.Where(s => s.RemovedAtUtc is null && s.DoneOn is null).ToList();
            foreach (var s in removed) s.RemovedAtUtc = w.Now;
            var next = rows.Count == 0 ? 1 : rows.Max(s => s.Number) + 1;
            var added = cmd.Body.Steps!.Select(b => new MilestoneStep
            {
                MeasureId = m.Id, Number = next++, Title = b!.Title!.Trim(), Due = b.Due!.Value, RecordedAtUtc = w.Now, RecordedByTokenId = caller.TokenId,
            }).ToList();
            db.MilestoneSteps.AddRange(added);
            await db.SaveChangesAsync(ct);
            w.Audit("milestone.steps.replaced", "measure", m.Code, new
            {
                plan = cmd.Plan, removed = removed.Select(s => s.Number), steps = added.Select(s => new { number = s.Number, title = s.Title, due = s.Due }),
            });
            var dto = await steps.ListAsync(cmd.Plan, m, ct);
            w.Respond(StatusCodes.Status200OK, dto, null);
            return dto;
        }, ct);
    }

    private static void Validate(StepsBody body, StepAccess.MilestoneRow m)
    {
        var errors = new List<(string, string)>();
        if (body.Steps is null) errors.Add(("steps", "steps is required: a list of { title, due } (an empty list removes the steps not yet done)."));
        else if (body.Steps.Count > MaxSteps) errors.Add(("steps", $"at most {MaxSteps} steps."));
        else
            for (var i = 0; i < body.Steps.Count; i++)
            {
                var s = body.Steps[i];
                var p = $"steps[{i}]";
                if (s is null) { errors.Add((p, "must be an object with title and due.")); continue; }
                if (string.IsNullOrWhiteSpace(s.Title)) errors.Add(($"{p}.title", "title is required."));
                else if (s.Title.Length > 500 || !Text.BeCleanText(s.Title)) errors.Add(($"{p}.title", "title must be at most 500 characters, without control characters."));
                if (s.Due is not { } due) errors.Add(($"{p}.due", "due (a date, YYYY-MM-DD) is required."));
                else if (due < m.PeriodStart || due > m.Due)
                    errors.Add(($"{p}.due", $"due must fall between the plan's start {m.PeriodStart:yyyy-MM-dd} and the milestone's due date {m.Due:yyyy-MM-dd}."));
            }
        if (errors.Count > 0) throw StepAccess.Invalid([.. errors]);
    }
}

/// <summary>The lead agency or the office records a step done on a date; recorded once, with when it was recorded.</summary>
internal sealed class MarkStepDoneHandler(TaskTrackerDb db, StepAccess steps, Caller caller, WriteStep write, TimeProvider clock)
    : ICommandHandler<MarkStepDoneCommand, MilestoneStepsDto>
{
    public async ValueTask<MilestoneStepsDto> Handle(MarkStepDoneCommand cmd, CancellationToken ct)
    {
        var m = await steps.MilestoneAsync(cmd.Plan, cmd.Code, ct);
        await steps.RequireLeadOrOfficeAsync(m, "record its steps done", ct);
        var today = ChinaTime.Today(clock);
        var errors = new List<(string, string)>();
        if (cmd.Body.DoneOn is not { } doneOn) errors.Add(("doneOn", "doneOn (the date the step was done, YYYY-MM-DD) is required."));
        else if (doneOn < m.PeriodStart || doneOn > today)
            errors.Add(("doneOn", $"doneOn must fall between the plan's start {m.PeriodStart:yyyy-MM-dd} and today {today:yyyy-MM-dd}."));
        if (cmd.Body.Note is { } note && (note.Length > 2000 || !Text.BeCleanText(note)))
            errors.Add(("note", "note must be at most 2000 characters, without control characters."));
        if (errors.Count > 0) throw StepAccess.Invalid([.. errors]);
        if (!m.Active) throw new ConflictException($"{m.Code} is no longer part of the plan.");

        return await write.RunAsync(m.PlanId, async w =>
        {
            var step = await db.MilestoneSteps.FirstOrDefaultAsync(s => s.MeasureId == m.Id && s.Number == cmd.Number && s.RemovedAtUtc == null, ct)
                ?? throw new NotFoundException("Step", $"{cmd.Plan}/{m.Code}/{cmd.Number}");
            if (step.DoneOn is { } already) throw new ConflictException($"Step {cmd.Number} of {m.Code} was already recorded done on {already:yyyy-MM-dd}.");
            step.DoneOn = cmd.Body.DoneOn;
            step.DoneNote = string.IsNullOrWhiteSpace(cmd.Body.Note) ? null : cmd.Body.Note.Trim();
            step.DoneRecordedAtUtc = w.Now;
            step.DoneByTokenId = caller.TokenId;
            await db.SaveChangesAsync(ct);
            w.Audit("milestone.step.done", "measure", m.Code, new { plan = cmd.Plan, step = step.Number, doneOn = step.DoneOn, note = step.DoneNote });
            var dto = await steps.ListAsync(cmd.Plan, m, ct);
            w.Respond(StatusCodes.Status200OK, dto, null);
            return dto;
        }, ct);
    }
}

internal static class StepEndpoints
{
    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        const string route = "/api/plans/{plan}/measures/{code}/steps";
        app.MapGet(route, async Task<Ok<MilestoneStepsDto>> (string plan, string code, HttpContext http, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new GetStepsQuery(plan, code), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithTags("Progress").WithName("GetMilestoneSteps")
            .WithSummary("A milestone's steps (节点), by number, with the ETag a replacement sends in If-Match.")
            .RequireAuthorization(Policies.Read).ProducesProblem(404);
        app.MapPut(route, async Task<Ok<MilestoneStepsDto>> (string plan, string code, StepsBody body,
                [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext http, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new ReplaceStepsCommand(plan, code, ifMatch, body), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithTags("Progress").WithName("ReplaceMilestoneSteps")
            .WithSummary("Break a milestone into dated steps (lead agency or office, audited). Replaces the steps not yet done; " +
                "If-Match with the steps' ETag is required once it has steps (428 without, 412 when stale).")
            .RequireAuthorization()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(412).ProducesProblem(428);
        app.MapPost(route + "/{n:int}/done", async Task<Ok<MilestoneStepsDto>> (string plan, string code, int n, StepDoneBody body,
                HttpContext http, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new MarkStepDoneCommand(plan, code, n, body), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithTags("Progress").WithName("MarkMilestoneStepDone")
            .WithSummary("Record a milestone step done on a date, with an optional note (lead agency or office, audited, once).")
            .RequireAuthorization().WithIdempotency()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}
