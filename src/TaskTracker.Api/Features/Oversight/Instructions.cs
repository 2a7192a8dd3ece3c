using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Features.Access;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Progress;
using TaskTracker.Infrastructure;

namespace TaskTracker.Features.Oversight;

public sealed record InstructionEntryDto(long Id, InstructionEntryKind Kind, string? Text, DateOnly? Date, DateTime AtUtc, string? Actor, string? Agency);

public sealed record InstructionDto(int Id, string Plan, int? TaskNumber, string? MeasureCode, int? MeasureId, AgencyRef Agency, string Text,
    DateOnly ReplyBy, InstructionStatus Status, DateOnly? ExtensionRequestedTo, DateTime IssuedAtUtc, DateTime? ClosedAtUtc, bool Overdue,
    int Version, IReadOnlyList<InstructionEntryDto> Thread);

public sealed record IssueInstructionBody(int? TaskNumber, string? MeasureCode, string? Agency, string? Text, DateOnly? ReplyBy);
public sealed record ReplyBody(string? Text, DateOnly? ExtensionTo);
public enum DecisionAction { Close, SendBack, AcceptExtension, RejectExtension }
public sealed record DecisionBody(DecisionAction? Action, string? Comment, DateOnly? ReplyBy);

public sealed record IssueInstructionCommand(string Plan, IssueInstructionBody Body) : ICommand<InstructionDto>;
public sealed record ReplyInstructionCommand(int Id, ReplyBody Body) : ICommand<InstructionDto>;
public sealed record DecideInstructionCommand(int Id, DecisionBody Body) : ICommand<InstructionDto>;
public sealed record GetInstructionQuery(int Id) : IQuery<InstructionDto>;
public sealed record ListInstructionsQuery(string Plan, string? Agency, InstructionStatus? Status, bool? Overdue) : IQuery<IReadOnlyList<InstructionDto>>;

public sealed class IssueInstructionValidator : AbstractValidator<IssueInstructionCommand>
{
    public IssueInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body).Must(b => b.TaskNumber is not null || !string.IsNullOrWhiteSpace(b.MeasureCode))
            .OverridePropertyName("taskNumber").WithMessage("name the task (taskNumber) or the measure (measureCode) the instruction is about.");
        RuleFor(x => x.Body.Agency).NotEmpty().OverridePropertyName("agency").WithMessage("agency (code) is required: who must reply.");
        // Codes are looked up in the database; PostgreSQL cannot take text with NUL in it, which made these a 500 there.
        RuleFor(x => x.Body.Agency).Must(c => ReportRules.BeCleanText(c!)).When(x => x.Body.Agency is not null).OverridePropertyName("agency")
            .WithMessage("agency must not contain control characters.");
        RuleFor(x => x.Body.MeasureCode).Must(c => ReportRules.BeCleanText(c!)).When(x => x.Body.MeasureCode is not null).OverridePropertyName("measureCode")
            .WithMessage("measureCode must not contain control characters.");
        RuleFor(x => x.Body.Text).NotEmpty().MaximumLength(4000).OverridePropertyName("text");
        RuleFor(x => x.Body.Text).Must(t => ReportRules.BeCleanText(t!)).When(x => x.Body.Text is not null).OverridePropertyName("text")
            .WithMessage("text must not contain control characters.");
        RuleFor(x => x.Body.ReplyBy).NotNull().OverridePropertyName("replyBy").WithMessage("replyBy (YYYY-MM-DD) is required.");
        RuleFor(x => x.Body.ReplyBy).Must(d => d is null || d >= ChinaTime.Today(clock)).OverridePropertyName("replyBy")
            .WithMessage("replyBy must not be in the past.");
    }
}

public sealed class ReplyInstructionValidator : AbstractValidator<ReplyInstructionCommand>
{
    public ReplyInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body.Text).NotEmpty().MaximumLength(4000).OverridePropertyName("text");
        RuleFor(x => x.Body.Text).Must(t => ReportRules.BeCleanText(t!)).When(x => x.Body.Text is not null).OverridePropertyName("text")
            .WithMessage("text must not contain control characters.");
        RuleFor(x => x.Body.ExtensionTo).Must(d => d is null || d > ChinaTime.Today(clock)).OverridePropertyName("extensionTo")
            .WithMessage("an extension must be to a future date.");
    }
}

public sealed class DecideInstructionValidator : AbstractValidator<DecideInstructionCommand>
{
    public DecideInstructionValidator(TimeProvider clock)
    {
        RuleFor(x => x.Body.Action).NotNull().IsInEnum().OverridePropertyName("action")
            .WithMessage("action is required: close, send-back, accept-extension or reject-extension.");
        RuleFor(x => x.Body.Comment).MaximumLength(4000).OverridePropertyName("comment");
        RuleFor(x => x.Body.Comment).NotEmpty().When(x => x.Body.Action is DecisionAction.SendBack or DecisionAction.RejectExtension)
            .OverridePropertyName("comment").WithMessage("say why: sending back or rejecting needs a comment.");
        RuleFor(x => x.Body.Comment).Must(t => ReportRules.BeCleanText(t!)).When(x => x.Body.Comment is not null).OverridePropertyName("comment")
            .WithMessage("comment must not contain control characters.");
        RuleFor(x => x.Body.ReplyBy).Must(d => d is null || d >= ChinaTime.Today(clock)).OverridePropertyName("replyBy")
            .WithMessage("replyBy must not be in the past.");
    }
}

/// <summary>交办 → 反馈 → 复核 → 办结: the office issues, the agency replies, the office closes, decides an extension, or sends it back.</summary>
public sealed class InstructionHandlers(TaskTrackerDb db, Caller caller, TimeProvider clock, MeasureContext measures, Common.Security.ReadScope scope,
    IdempotencyRecorder idempotency)
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
            ? (await measures.LoadAsync(measure.Id, ct))!.ResponsibleAgencyIds
            : await measures.TaskAgenciesAsync(task!.Id, ct);
        if (!responsible.Contains(agency.Id))
            throw Invalid("agency", $"'{agency.Code}' is not responsible for {(measure is not null ? measure.Code : $"task {task!.Number}")}.");

        var now = clock.GetUtcNow().UtcDateTime;
        var instruction = new Instruction
        {
            PlanId = plan.Id, TaskId = task?.Id, MeasureId = measure?.Id, AgencyId = agency.Id, Text = b.Text!, ReplyBy = b.ReplyBy!.Value,
            Status = InstructionStatus.AwaitingReply, IssuedAtUtc = now, IssuedByTokenId = caller.TokenId,
            Thread = [Entry(InstructionEntryKind.Issued, b.Text, b.ReplyBy, now)],
        };
        db.Instructions.Add(instruction);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await Record(instruction, "instruction.issued", EventTypes.InstructionIssued, new { b.Text, replyBy = b.ReplyBy, agency = agency.Code }, now, ct);
        var dto = await LoadAsync(instruction.Id, ct);
        // An Idempotency-Key's stored answer commits with the instruction, so a retry replays it and issues nothing.
        idempotency.Complete(StatusCodes.Status201Created, dto, $"/api/instructions/{dto.Id}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Operations.TaskTrackerMetrics.InstructionsIssued.Add(1);
        return dto;
    }

    public async ValueTask<InstructionDto> Handle(ReplyInstructionCommand cmd, CancellationToken ct)
    {
        var i = await db.Instructions.Include(x => x.Thread).FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Instruction", cmd.Id.ToString());
        if (caller.AgencyId != i.AgencyId) throw new ForbiddenException("Only the agency the instruction was issued to can reply.");
        if (i.Status != InstructionStatus.AwaitingReply)
            throw new ConflictException($"Instruction {i.Id} is {Dashboards.DashboardEndpoints.Kebab(i.Status)}; it is not awaiting a reply.");
        var now = clock.GetUtcNow().UtcDateTime;
        i.Thread.Add(Entry(InstructionEntryKind.Reply, cmd.Body.Text, null, now));
        if (cmd.Body.ExtensionTo is { } ext)
        {
            i.Thread.Add(Entry(InstructionEntryKind.ExtensionRequested, null, ext, now));
            i.ExtensionRequestedTo = ext;
        }
        i.Status = InstructionStatus.Replied;
        return await SaveAsync(i, "instruction.replied", EventTypes.InstructionReplied, new { cmd.Body.Text, extensionTo = cmd.Body.ExtensionTo }, now, ct);
    }

    public async ValueTask<InstructionDto> Handle(DecideInstructionCommand cmd, CancellationToken ct)
    {
        var i = await db.Instructions.Include(x => x.Thread).FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Instruction", cmd.Id.ToString());
        var b = cmd.Body;
        var now = clock.GetUtcNow().UtcDateTime;
        if (i.Status == InstructionStatus.Closed) throw new ConflictException($"Instruction {i.Id} is closed.");
        switch (b.Action!.Value)
        {
            case DecisionAction.Close:
                i.Status = InstructionStatus.Closed;
                i.ClosedAtUtc = now;
                i.ExtensionRequestedTo = null;
                i.Thread.Add(Entry(InstructionEntryKind.Closed, b.Comment, null, now));
                break;
            case DecisionAction.SendBack:
                if (i.Status != InstructionStatus.Replied) throw new ConflictException($"Instruction {i.Id} has no reply to send back.");
                i.Status = InstructionStatus.AwaitingReply;
                i.ReplyBy = b.ReplyBy ?? i.ReplyBy;
                i.Thread.Add(Entry(InstructionEntryKind.SentBack, b.Comment, i.ReplyBy, now));
                break;
            case DecisionAction.AcceptExtension or DecisionAction.RejectExtension:
                if (i.ExtensionRequestedTo is not { } requested) throw new ConflictException($"Instruction {i.Id} has no pending extension request.");
                var accept = b.Action == DecisionAction.AcceptExtension;
                // Accepted: the agency owes its next reply by the new date. Rejected: the original date stands.
                if (accept) i.ReplyBy = requested;
                i.Status = InstructionStatus.AwaitingReply;
                i.ExtensionRequestedTo = null;
                i.Thread.Add(Entry(accept ? InstructionEntryKind.ExtensionAccepted : InstructionEntryKind.ExtensionRejected, b.Comment, accept ? requested : i.ReplyBy, now));
                break;
        }
        return await SaveAsync(i, "instruction.decided", EventTypes.InstructionDecided, new { action = b.Action.ToString(), b.Comment, replyBy = i.ReplyBy }, now, ct);
    }

    public async ValueTask<InstructionDto> Handle(GetInstructionQuery q, CancellationToken ct)
    {
        var addressed = await db.Instructions.AsNoTracking().Where(i => i.Id == q.Id).Select(i => (int?)i.AgencyId).FirstOrDefaultAsync(ct)
                        ?? throw new NotFoundException("Instruction", q.Id.ToString());
        scope.RequireInstruction(addressed);
        return await LoadAsync(q.Id, ct);
    }

    public async ValueTask<IReadOnlyList<InstructionDto>> Handle(ListInstructionsQuery q, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Code == q.Plan).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Plan", q.Plan);
        var query = db.Instructions.AsNoTracking().Where(i => i.PlanId == plan);
        if (scope.OnlyAgency() is { } own) query = query.Where(i => i.AgencyId == own); // a reporter sees the instructions addressed to it
        if (q.Agency is not null) query = query.Where(i => i.Agency.Code == q.Agency);
        if (q.Status is { } s) query = query.Where(i => i.Status == s);
        var ids = await query.OrderBy(i => i.ReplyBy).ThenBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        var list = new List<InstructionDto>();
        foreach (var id in ids) list.Add(await LoadAsync(id, ct));
        return q.Overdue is { } overdue ? list.Where(i => i.Overdue == overdue).ToList() : list;
    }

    private async Task<InstructionDto> SaveAsync(Instruction i, string action, string eventType, object details, DateTime now, CancellationToken ct)
    {
        i.Version++;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await Record(i, action, eventType, details, now, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"Instruction {i.Id} was changed at the same time; fetch it again.");
        }
        var dto = await LoadAsync(i.Id, ct);
        idempotency.Complete(StatusCodes.Status200OK, dto, null);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return dto;
    }

    private async Task Record(Instruction i, string action, string eventType, object details, DateTime now, CancellationToken ct)
    {
        db.Audit.Add(caller.Audit(now, action, "instruction", i.Id.ToString(), details));
        await Outbox.EnqueueAsync(db, now, eventType, new { instructionId = i.Id, status = i.Status.ToString(), replyBy = i.ReplyBy, details },
            i.PlanId, i.AgencyId, null, ct);
        await db.SaveChangesAsync(ct);
    }

    private InstructionEntry Entry(InstructionEntryKind kind, string? text, DateOnly? date, DateTime now) => new()
    {
        Kind = kind, Text = text, Date = date, AtUtc = now, TokenId = caller.TokenId, Actor = caller.Name, AgencyId = caller.AgencyId,
    };

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
