using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Oversight;

internal enum SignOffSubject { Task, Measure }

internal sealed record SignOffDto(long Id, string Plan, int? TaskNumber, string? MeasureCode, DateTime SignedAtUtc, string? SignedBy, string? Comment,
    DateTime? ReopenedAtUtc, string? ReopenedBy, string? ReopenReason);

internal sealed record SignOffBody(string? Comment);
internal sealed record ReopenBody(string? Reason);

internal sealed record SignOffCommand(string Plan, SignOffSubject Subject, string Key, string? Comment) : ICommand<SignOffDto>;
internal sealed record ReopenSignOffCommand(string Plan, SignOffSubject Subject, string Key, string? Reason) : ICommand<SignOffDto>;

internal sealed class SignOffValidator : AbstractValidator<SignOffCommand>
{
    public SignOffValidator()
    {
        RuleFor(x => x.Comment).MaximumLength(4000).OverridePropertyName("comment");
        RuleFor(x => x.Comment).Must(t => Text.BeCleanText(t!)).When(x => x.Comment is not null).OverridePropertyName("comment")
            .WithMessage("comment must not contain control characters.");
        RuleFor(x => x.Key).Must(k => Text.BeCleanText(k)).OverridePropertyName("code").WithMessage("code must not contain control characters.");
    }
}

internal sealed class ReopenSignOffValidator : AbstractValidator<ReopenSignOffCommand>
{
    public ReopenSignOffValidator()
    {
        RuleFor(x => x.Reason).NotEmpty().OverridePropertyName("reason").WithMessage("reason is required: say why the sign-off is taken back.");
        RuleFor(x => x.Reason).MaximumLength(4000).OverridePropertyName("reason");
        RuleFor(x => x.Reason).Must(t => Text.BeCleanText(t!)).When(x => x.Reason is not null).OverridePropertyName("reason")
            .WithMessage("reason must not contain control characters.");
        RuleFor(x => x.Key).Must(k => Text.BeCleanText(k)).OverridePropertyName("code").WithMessage("code must not contain control characters.");
    }
}

/// <summary>
/// 销号: the office signs off a task or measure that is done today (by the plan's status basis), and only the office
/// takes a sign-off back. Both are one write each: the row, its audit entry and its outbox event.
/// </summary>
internal sealed class SignOffHandlers(TaskTrackerDb db, Caller caller, TimeProvider clock, StandingCalculator standing, WriteStep write)
    : ICommandHandler<SignOffCommand, SignOffDto>, ICommandHandler<ReopenSignOffCommand, SignOffDto>
{
    private sealed record Subject(int PlanId, string PlanCode, int? TaskId, int? MeasureId, int? TaskNumber, string? MeasureCode, string What);

    public async ValueTask<SignOffDto> Handle(SignOffCommand cmd, CancellationToken ct)
    {
        var s = await FindAsync(cmd.Plan, cmd.Subject, cmd.Key, ct);
        var header = await standing.PlanAsync(s.PlanCode, ct);
        var today = await standing.ComputeAsync(header, ChinaTime.Today(clock), null, ct);
        var done = s.TaskNumber is { } n && s.MeasureId is null
            ? today.Tasks.Single(t => t.Number == n).Status == MeasureStatus.Done
            : Measures(today).FirstOrDefault(m => m.Id == s.MeasureId)?.Status == MeasureStatus.Done;
        var inForce = await InForce(s).AsNoTracking().FirstOrDefaultAsync(ct);
        try
        {
            return await write.RunAsync(s.PlanId, async w =>
            {
                var signOff = SignOff.Sign(s.PlanId, s.TaskId, s.MeasureId, s.What, done, inForce, cmd.Comment, caller.Actor, w.Now);
                db.SignOffs.Add(signOff);
                await db.SaveChangesAsync(ct); // the id names it in the audit entry and the event
                var dto = Dto(signOff, s);
                Record(w, s, dto, cmd.Subject == SignOffSubject.Task ? EventTypes.TaskSignedOff : EventTypes.MeasureSignedOff, new { comment = dto.Comment });
                w.Respond(StatusCodes.Status200OK, dto, null);
                return dto;
            }, ct);
        }
        catch (DbUpdateException e) when (Common.Security.UniqueViolation.Is(e))
        {
            // The unique index on sign-offs in force: another office user signed it off at the same moment.
            throw new ConflictException($"{s.What} was signed off at the same time by someone else.");
        }
    }

    public async ValueTask<SignOffDto> Handle(ReopenSignOffCommand cmd, CancellationToken ct)
    {
        var s = await FindAsync(cmd.Plan, cmd.Subject, cmd.Key, ct);
        var signOff = await InForce(s).FirstOrDefaultAsync(ct)
                      ?? throw new RuleViolationException($"{s.What} is not signed off; there is nothing to reopen.");
        return await write.RunAsync(s.PlanId, async w =>
        {
            signOff.Reopen(cmd.Reason!, caller.Actor, w.Now);
            await db.SaveChangesAsync(ct); // the Version token refuses a second reopen racing this one (409)
            var dto = Dto(signOff, s);
            Record(w, s, dto, cmd.Subject == SignOffSubject.Task ? EventTypes.TaskSignOffReopened : EventTypes.MeasureSignOffReopened, new { reason = dto.ReopenReason });
            w.Respond(StatusCodes.Status200OK, dto, null);
            return dto;
        }, ct);
    }

    private static IEnumerable<MeasureFigure> Measures(PlanDashboard d) => d.Headline.Where(h => h.TaskNumber is null).Concat(d.Tasks.SelectMany(t => t.Measures));

    // The sign-off in force for the subject (at most one: a filtered unique index).
    private IQueryable<SignOff> InForce(Subject s) => db.SignOffs.Where(x => x.TaskId == s.TaskId && x.MeasureId == s.MeasureId && x.ReopenedAtUtc == null);

    private async Task<Subject> FindAsync(string planCode, SignOffSubject subject, string key, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Code == planCode).Select(p => new { p.Id, p.Code }).FirstOrDefaultAsync(ct)
                   ?? throw new NotFoundException("Plan", planCode);
        if (subject == SignOffSubject.Task)
        {
            if (!int.TryParse(key, out var number)) throw new NotFoundException("Task", key);
            var task = await db.Tasks.AsNoTracking().Where(t => t.PlanId == plan.Id && t.Number == number).Select(t => (int?)t.Id).FirstOrDefaultAsync(ct)
                       ?? throw new NotFoundException("Task", key);
            return new Subject(plan.Id, plan.Code, task, null, number, null, $"Task {number}");
        }
        var m = await db.Measures.AsNoTracking().Where(x => x.PlanId == plan.Id && x.Code == key && x.Active)
                    .Select(x => new { x.Id, Number = (int?)x.Task!.Number }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("Measure", key);
        return new Subject(plan.Id, plan.Code, null, m.Id, m.Number, key, $"Measure {key}");
    }

    private static SignOffDto Dto(SignOff x, Subject s) => new(x.Id, s.PlanCode, s.TaskNumber, s.MeasureCode, x.SignedAtUtc, x.SignedBy, x.Comment,
        x.ReopenedAtUtc, x.ReopenedBy, x.ReopenReason);

    private static void Record(WriteScope w, Subject s, SignOffDto dto, string type, object details)
    {
        w.Audit(type, "sign-off", dto.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { plan = s.PlanCode, taskNumber = s.TaskNumber, measureCode = s.MeasureCode, details });
        w.Publish(type, dto, null, s.PlanId);
    }
}

internal static class SignOffEndpoints
{
    public static IEndpointRouteBuilder MapSignOffs(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plans/{plan}").WithTags("Oversight").RequireAuthorization(Policies.Office);
        foreach (var (route, subject, name) in new[] { ("/tasks/{key:int}/sign-off", SignOffSubject.Task, "Task"), ("/measures/{key}/sign-off", SignOffSubject.Measure, "Measure") })
        {
            g.MapPost(route, async Task<Ok<SignOffDto>> (string plan, string key, SignOffBody? body, ISender m, CancellationToken ct) =>
                    TypedResults.Ok(await m.Send(new SignOffCommand(plan, subject, key, body?.Comment), ct)))
                .WithName($"SignOff{name}")
                .WithSummary($"销号: the office signs off a {name.ToLowerInvariant()} that is done (by the plan's status basis), with an optional comment; 409 when it is not done or already signed off. Audited.")
                .WithIdempotency()
                .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
            g.MapDelete(route, async Task<Ok<SignOffDto>> (string plan, string key, string? reason,
                        [Microsoft.AspNetCore.Mvc.FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReopenBody? body,
                        ISender m, CancellationToken ct) =>
                    TypedResults.Ok(await m.Send(new ReopenSignOffCommand(plan, subject, key, body?.Reason ?? reason), ct)))
                .WithName($"ReopenSignOff{name}")
                .WithSummary($"The office takes back a {name.ToLowerInvariant()}'s sign-off, giving a reason (body or query `reason`); 409 when it is not signed off. Audited.")
                .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        }
        return app;
    }
}
