using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Oversight;

internal sealed record InstructionEntryDto(long Id, InstructionEntryKind Kind, string? Text, DateOnly? Date, DateTime AtUtc, string? Actor, string? Agency);

internal sealed record InstructionDto(int Id, string Plan, int? TaskNumber, string? MeasureCode, int? MeasureId, AgencyRef Agency, string Text,
    DateOnly ReplyBy, InstructionStatus Status, DateOnly? ExtensionRequestedTo, DateTime IssuedAtUtc, DateTime? ClosedAtUtc, bool Overdue,
    int Version, IReadOnlyList<InstructionEntryDto> Thread);

internal sealed record IssueInstructionBody(int? TaskNumber, string? MeasureCode, string? Agency, string? Text, DateOnly? ReplyBy);
internal sealed record ReplyBody(string? Text, DateOnly? ExtensionTo);
internal sealed record DecisionBody(DecisionAction? Action, string? Comment, DateOnly? ReplyBy);

internal sealed record IssueInstructionCommand(string Plan, IssueInstructionBody Body) : ICommand<InstructionDto>;
internal sealed record ReplyInstructionCommand(int Id, ReplyBody Body) : ICommand<InstructionDto>;
internal sealed record DecideInstructionCommand(int Id, DecisionBody Body) : ICommand<InstructionDto>;
internal sealed record GetInstructionQuery(int Id) : IQuery<InstructionDto>;
internal sealed record ListInstructionsQuery(string Plan, string? Agency, InstructionStatus? Status, bool? Overdue) : IQuery<IReadOnlyList<InstructionDto>>;

internal sealed class IssueInstructionValidator : AbstractValidator<IssueInstructionCommand>
{
    public IssueInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body).Must(b => b.TaskNumber is not null || !string.IsNullOrWhiteSpace(b.MeasureCode))
            .OverridePropertyName("taskNumber").WithMessage("name the task (taskNumber) or the measure (measureCode) the instruction is about.");
        RuleFor(x => x.Body.Agency).NotEmpty().OverridePropertyName("agency").WithMessage("agency (code) is required: who must reply.");
        // Codes are looked up in the database; PostgreSQL cannot take text with NUL in it, which made these a 500 there.
        RuleFor(x => x.Body.Agency).Must(c => Text.BeCleanText(c!)).When(x => x.Body.Agency is not null).OverridePropertyName("agency")
            .WithMessage("agency must not contain control characters.");
        RuleFor(x => x.Body.MeasureCode).Must(c => Text.BeCleanText(c!)).When(x => x.Body.MeasureCode is not null).OverridePropertyName("measureCode")
            .WithMessage("measureCode must not contain control characters.");
        RuleFor(x => x.Body.Text).NotEmpty().MaximumLength(4000).OverridePropertyName("text");
        RuleFor(x => x.Body.Text).Must(t => Text.BeCleanText(t!)).When(x => x.Body.Text is not null).OverridePropertyName("text")
            .WithMessage("text must not contain control characters.");
        RuleFor(x => x.Body.ReplyBy).NotNull().OverridePropertyName("replyBy").WithMessage("replyBy (YYYY-MM-DD) is required.");
        RuleFor(x => x.Body.ReplyBy).Must(d => d is null || d >= ChinaTime.Today(clock)).OverridePropertyName("replyBy")
            .WithMessage("replyBy must not be in the past.");
    }
}

internal sealed class ReplyInstructionValidator : AbstractValidator<ReplyInstructionCommand>
{
    public ReplyInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body.Text).NotEmpty().MaximumLength(4000).OverridePropertyName("text");
        RuleFor(x => x.Body.Text).Must(t => Text.BeCleanText(t!)).When(x => x.Body.Text is not null).OverridePropertyName("text")
            .WithMessage("text must not contain control characters.");
        RuleFor(x => x.Body.ExtensionTo).Must(d => d is null || d > ChinaTime.Today(clock)).OverridePropertyName("extensionTo")
            .WithMessage("an extension must be to a future date.");
    }
}

internal sealed class DecideInstructionValidator : AbstractValidator<DecideInstructionCommand>
{
    public DecideInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body.Action).NotNull().IsInEnum().OverridePropertyName("action")
            .WithMessage("action is required: close, send-back, accept-extension or reject-extension.");
        RuleFor(x => x.Body.Comment).MaximumLength(4000).OverridePropertyName("comment");
        RuleFor(x => x.Body.Comment).NotEmpty().When(x => x.Body.Action is DecisionAction.SendBack or DecisionAction.RejectExtension)
            .OverridePropertyName("comment").WithMessage("say why: sending back or rejecting needs a comment.");
        RuleFor(x => x.Body.Comment).Must(t => Text.BeCleanText(t!)).When(x => x.Body.Comment is not null).OverridePropertyName("comment")
            .WithMessage("comment must not contain control characters.");
        RuleFor(x => x.Body.ReplyBy).Must(d => d is null || d >= ChinaTime.Today(clock)).OverridePropertyName("replyBy")
            .WithMessage("replyBy must not be in the past.");
    }
}

/// <summary>交办 → 反馈 → 复核 → 办结: the office issues, the agency replies, the office closes, decides an extension, or sends it back.</summary>
internal sealed class InstructionHandlers(TaskTrackerDb db, Caller caller, TimeProvider clock, Responsibility responsibility, WriteStep write)
    : ICommandHandler<IssueInstructionCommand, InstructionDto>, ICommandHandler<ReplyInstructionCommand, InstructionDto>,
      ICommandHandler<DecideInstructionCommand, InstructionDto>, IQueryHandler<GetInstructionQuery, InstructionDto>,
      IQueryHandler<ListInstructionsQuery, IReadOnlyList<InstructionDto>>
{
    public async ValueTask<InstructionDto> Handle(IssueInstructionCommand cmd, CancellationToken ct)
    {
        var b = cmd.Body;
        var plan = await db.Plans.FirstOrDefaultAsync(p => p.Code == cmd.Plan, ct) ?? throw new NotFoundException("Plan", cmd.Plan);
        var agency = await db.Agencies.FirstOrDefaultAsync(a => a.Code == b.Agency, ct) ?? throw Invalid("agency", $"unknown agency code '{b.Agency}'.");
        if (agency.IsGroup) throw Invalid("agency", $"'{agency.Code}' is a group; address one of its member agencies.");
        WorkTask? task = null;
        Measure? measure = null;
        if (b.MeasureCode is not null)
        {
            measure = await db.Measures.Include(m => m.Task).FirstOrDefaultAsync(m => m.PlanId == plan.Id && m.Code == b.MeasureCode, ct)
                      ?? throw Invalid("measureCode", $"no measure '{b.MeasureCode}' in plan {plan.Code}.");
            task = measure.Task;
            if (b.TaskNumber is { } n && task?.Number != n) throw Invalid("taskNumber", $"{measure.Code} belongs to task {task?.Number}, not {n}.");
        }
        else
        {
            task = await db.Tasks.FirstOrDefaultAsync(t => t.PlanId == plan.Id && t.Number == b.TaskNumber, ct)
                   ?? throw Invalid("taskNumber", $"no task {b.TaskNumber} in plan {plan.Code}.");
        }
        var responsible = measure is not null
            ? await responsibility.WritersOfMeasureAsync(measure.Id, measure.ClauseId, measure.TaskId, plan.OwnerAgencyId, ct)
            : await responsibility.WritersOfTaskAsync(task!.Id, ct);
        if (!responsible.Contains(agency.Id))
            throw Invalid("agency", $"'{agency.Code}' is not responsible for {(measure is not null ? measure.Code : $"task {task!.Number}")}.");

        var instruction = await write.RunAsync(plan.Id, async w =>
        {
            var i = Instruction.Issue(plan.Id, task?.Id, measure?.Id, agency.Id, b.Text!, b.ReplyBy!.Value, caller.Actor, w.Now);
            db.Instructions.Add(i);
            await db.SaveChangesAsync(ct); // the id names it in the audit entry and the event
            Record(w, i, "instruction.issued", EventTypes.InstructionIssued, new { b.Text, replyBy = b.ReplyBy, agency = agency.Code });
            w.Count(() => TaskTrackerMetrics.InstructionsIssued.Add(1));
            return i;
        }, ct);
        return await LoadAsync(instruction.Id, ct);
    }

    public async ValueTask<InstructionDto> Handle(ReplyInstructionCommand cmd, CancellationToken ct)
    {
        var i = await db.Instructions.Include(x => x.Thread).FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Instruction", cmd.Id.ToString());
        if (caller.AgencyId != i.AgencyId) throw new ForbiddenException("Only the agency the instruction was issued to can reply.");
        return await SaveAsync(i, w => i.Reply(cmd.Body.Text, cmd.Body.ExtensionTo, caller.Actor, w.Now),
            "instruction.replied", EventTypes.InstructionReplied, () => new { cmd.Body.Text, extensionTo = cmd.Body.ExtensionTo }, ct);
    }

    public async ValueTask<InstructionDto> Handle(DecideInstructionCommand cmd, CancellationToken ct)
    {
        var i = await db.Instructions.Include(x => x.Thread).FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Instruction", cmd.Id.ToString());
        var b = cmd.Body;
        return await SaveAsync(i, w => i.Decide(b.Action!.Value, b.Comment, b.ReplyBy, caller.Actor, w.Now),
            "instruction.decided", EventTypes.InstructionDecided, () => new { action = b.Action.ToString(), b.Comment, replyBy = i.ReplyBy }, ct);
    }

    public async ValueTask<InstructionDto> Handle(GetInstructionQuery q, CancellationToken ct) => await LoadAsync(q.Id, ct);

    public async ValueTask<IReadOnlyList<InstructionDto>> Handle(ListInstructionsQuery q, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Code == q.Plan).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Plan", q.Plan);
        var query = db.Instructions.AsNoTracking().Where(i => i.PlanId == plan);
        if (q.Agency is not null) query = query.Where(i => i.Agency.Code == q.Agency);
        if (q.Status is { } s) query = query.Where(i => i.Status == s);
        var ids = await query.OrderBy(i => i.ReplyBy).ThenBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        var list = new List<InstructionDto>();
        foreach (var id in ids) list.Add(await LoadAsync(id, ct));
        return q.Overdue is { } overdue ? list.Where(i => i.Overdue == overdue).ToList() : list;
    }

    /// <summary>Applies one of the instruction's own transitions and records it, all in one write.</summary>
    private async Task<InstructionDto> SaveAsync(Instruction i, Action<WriteScope> transition, string action, string eventType, Func<object> details, CancellationToken ct)
    {
        try
        {
            await write.RunAsync(i.PlanId, w =>
            {
                transition(w);
                Record(w, i, action, eventType, details());
                return Task.FromResult(0);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"Instruction {i.Id} was changed at the same time; fetch it again.");
        }
        return await LoadAsync(i.Id, ct);
    }

    private static void Record(WriteScope w, Instruction i, string action, string eventType, object details)
    {
        w.Audit(action, "instruction", i.Id.ToString(), details);
        w.Publish(eventType, new { instructionId = i.Id, status = i.Status.ToString(), replyBy = i.ReplyBy, details }, i.AgencyId, i.PlanId);
    }

    private async Task<InstructionDto> LoadAsync(int id, CancellationToken ct)
    {
        var i = await db.Instructions.AsNoTracking().Include(x => x.Thread).Include(x => x.Agency).Include(x => x.Task).Include(x => x.Measure)
            .AsSplitQuery().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("Instruction", id.ToString());
        var plan = await db.Plans.AsNoTracking().Where(p => p.Id == i.PlanId).Select(p => p.Code).FirstAsync(ct);
        var agencyCodes = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Code, ct);
        var today = ChinaTime.Today(clock);
        return new InstructionDto(i.Id, plan, i.Task?.Number, i.Measure?.Code, i.MeasureId,
            new AgencyRef(i.Agency.Code, i.Agency.NameZh, i.Agency.NameEn, i.Agency.Kind), i.Text, i.ReplyBy, i.Status, i.ExtensionRequestedTo,
            i.IssuedAtUtc, i.ClosedAtUtc, i.Status == InstructionStatus.AwaitingReply && i.ReplyBy < today, i.Version,
            i.Thread.OrderBy(e => e.Id).Select(e => new InstructionEntryDto(e.Id, e.Kind, e.Text, e.Date, e.AtUtc, e.Actor,
                e.AgencyId is { } a ? agencyCodes.GetValueOrDefault(a) : null)).ToList());
    }

    private static ValidationException Invalid(string field, string message) => new([new FluentValidation.Results.ValidationFailure(field, message)]);
}
