using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

/// <summary>Body of POST /api/plans/{plan}/measures/{code}/assignments (分解落实).</summary>
internal sealed record AssignmentBody(string? Agency, string? Role, string? Reason);

/// <summary>One agency answering for a measure, and how: lead (files the whole figure) or co-operating (files its part).</summary>
internal sealed record MeasureRole(AgencyRef Agency, string Role);

internal sealed record AssignmentDto(long Id, string Plan, string MeasureCode, AgencyRef Agency, string Role, string Reason, DateTime AssignedAtUtc,
    IReadOnlyList<MeasureRole> Roles);

internal sealed record AssignMeasureCommand(string Plan, string Code, AssignmentBody Body) : ICommand<AssignmentDto>;

internal static class AssignmentRoles
{
    public const string Lead = "lead";
    public const string Cooperating = "co-operating";

    public static string Name(AgencyRole role) => role == AgencyRole.Lead ? Lead : Cooperating;

    public static AgencyRole? Parse(string? role) => role switch { Lead => AgencyRole.Lead, Cooperating => AgencyRole.Cooperating, _ => null };

    /// <summary>Lead agencies first, then co-operating ones, each by code.</summary>
    public static async Task<List<MeasureRole>> RolesAsync(TaskTrackerDb db, Responsible r, CancellationToken ct)
    {
        var ids = r.All.ToList();
        var agencies = await db.Agencies.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, Ref = new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind) }).ToListAsync(ct);
        return agencies.OrderBy(a => r.Lead.Contains(a.Id) ? 0 : 1).ThenBy(a => a.Ref.Code)
            .Select(a => new MeasureRole(a.Ref, r.Lead.Contains(a.Id) ? Lead : Cooperating)).ToList();
    }
}

internal sealed class AssignMeasureValidator : AbstractValidator<AssignMeasureCommand>
{
    public AssignMeasureValidator()
    {
        RuleFor(x => x.Body.Agency).NotEmpty().OverridePropertyName("agency").WithMessage("agency (code) is required.");
        RuleFor(x => x.Body.Agency).Must(c => Text.BeCleanText(c!)).MaximumLength(64).When(x => x.Body.Agency is not null)
            .OverridePropertyName("agency").WithMessage("agency must be an agency code without control characters.");
        RuleFor(x => x.Body.Role).Must(r => AssignmentRoles.Parse(r) is not null).OverridePropertyName("role")
            .WithMessage($"role must be '{AssignmentRoles.Lead}' or '{AssignmentRoles.Cooperating}'.");
        RuleFor(x => x.Body.Reason).NotEmpty().MaximumLength(1000).OverridePropertyName("reason")
            .WithMessage("reason is required (at most 1000 characters): why this agency answers for the measure.");
        RuleFor(x => x.Body.Reason).Must(t => Text.BeCleanText(t!)).When(x => x.Body.Reason is not null).OverridePropertyName("reason")
            .WithMessage("reason must not contain control characters.");
        RuleFor(x => x.Code).Must(c => Text.BeCleanText(c)).OverridePropertyName("code").WithMessage("code must not contain control characters.");
        RuleFor(x => x.Plan).Must(c => Text.BeCleanText(c)).OverridePropertyName("plan").WithMessage("plan must not contain control characters.");
    }
}

/// <summary>
/// The office assigns an agency to a measure (its clause names only a group, or the measure needs a named owner). The
/// resolver applies assignments everywhere it is asked, so filing, the inbox, instructions, oversight lists and the
/// dashboards follow at once.
/// </summary>
internal sealed class AssignMeasureHandler(TaskTrackerDb db, Responsibility responsibility, Caller caller, WriteStep write)
    : ICommandHandler<AssignMeasureCommand, AssignmentDto>
{
    public async ValueTask<AssignmentDto> Handle(AssignMeasureCommand cmd, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Where(x => x.Plan.Code == cmd.Plan && x.Code == cmd.Code)
            .Select(x => new { x.Id, x.PlanId, x.Code, x.ClauseId, x.TaskId, x.Active, x.Plan.OwnerAgencyId }).FirstOrDefaultAsync(ct);
        if (m is null)
        {
            if (!await db.Plans.AnyAsync(p => p.Code == cmd.Plan, ct)) throw new NotFoundException("Plan", cmd.Plan);
            throw new NotFoundException("Measure", $"{cmd.Plan}/{cmd.Code}");
        }
        if (!m.Active) throw new ConflictException($"{m.Code} is no longer part of the plan.");
        var agency = await db.Agencies.AsNoTracking().Where(a => a.Code == cmd.Body.Agency)
            .Select(a => new { a.Id, a.Kind, Ref = new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind), Members = a.Members.Count })
            .FirstOrDefaultAsync(ct) ?? throw Invalid("agency", $"unknown agency code '{cmd.Body.Agency}'.");
        // Assigning a group that has no members would leave the measure as unreachable as before.
        if (agency.Kind == AgencyKinds.Group && agency.Members == 0)
            throw Invalid("agency", $"'{cmd.Body.Agency}' is a group without members; nobody could file for it. Name an agency.");
        var role = AssignmentRoles.Parse(cmd.Body.Role)!.Value;

        return await write.RunAsync(m.PlanId, async w =>
        {
            var row = new MeasureAssignment
            {
                MeasureId = m.Id, AgencyId = agency.Id, Role = role, Reason = cmd.Body.Reason!.Trim(), AssignedAtUtc = w.Now, TokenId = caller.TokenId,
            };
            db.MeasureAssignments.Add(row);
            await db.SaveChangesAsync(ct); // the id names the audit entry; the resolver below reads the new row in this transaction
            var roles = await AssignmentRoles.RolesAsync(db, await responsibility.ForMeasureAsync(m.Id, m.ClauseId, m.TaskId, m.OwnerAgencyId, ct), ct);
            w.Audit("measure.assigned", "measure", m.Code, new { plan = cmd.Plan, agency = agency.Ref.Code, role = AssignmentRoles.Name(role), reason = row.Reason });
            var dto = new AssignmentDto(row.Id, cmd.Plan, m.Code, agency.Ref, AssignmentRoles.Name(role), row.Reason, row.AssignedAtUtc, roles);
            w.Respond(StatusCodes.Status201Created, dto, $"/api/plans/{cmd.Plan}/measures/{m.Code}");
            return dto;
        }, ct);
    }

    private static ValidationException Invalid(string field, string message) => new([new FluentValidation.Results.ValidationFailure(field, message)]);
}

internal static class AssignmentEndpoints
{
    public static void MapEndpoints(IEndpointRouteBuilder app) =>
        app.MapPost("/api/plans/{plan}/measures/{code}/assignments", async Task<Created<AssignmentDto>> (
                string plan, string code, AssignmentBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new AssignMeasureCommand(plan, code, body), ct);
                return TypedResults.Created($"/api/plans/{plan}/measures/{dto.MeasureCode}", dto);
            })
            .WithTags("Progress").WithName("AssignMeasure")
            .WithSummary("Assign an agency to a measure as lead (files the whole figure) or co-operating (files its part), with a reason (office, audited).")
            .RequireAuthorization(Policies.Office).WithIdempotency()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
}
