using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal sealed record PlannedValueBody(string? Period, decimal? Value, string? Unit);

/// <summary>Body of PUT /api/plans/{plan}/measures/{code}/planned-values: the whole list (an empty list goes back to linear).</summary>
internal sealed record PlannedValuesBody(List<PlannedValueBody?>? PlannedValues);

internal sealed record PlannedValueDto(string Period, DateOnly PeriodEnd, decimal Value);

internal sealed record PlannedValuesDto(string Plan, string Code, string Unit, string? Source, DateTime? RecordedAtUtc, IReadOnlyList<PlannedValueDto> PlannedValues);

internal sealed record SetPlannedValuesCommand(string Plan, string Code, PlannedValuesBody Body) : ICommand<PlannedValuesDto>;

internal static class PlannedValueQueries
{
    /// <summary>The planned values in force for a target, by period end, with where they came from.</summary>
    public static async Task<PlannedValuesDto> InForceAsync(TaskTrackerDb db, string plan, string code, int measureId, string unit, CancellationToken ct)
    {
        var rows = await db.PlannedValues.AsNoTracking().Where(p => p.MeasureId == measureId && p.RemovedAtUtc == null).OrderBy(p => p.PeriodEnd)
            .Select(p => new { p.Period, p.PeriodEnd, p.Value, p.Source, p.RecordedAtUtc }).ToListAsync(ct);
        return new PlannedValuesDto(plan, code, unit, rows.FirstOrDefault()?.Source, rows.FirstOrDefault()?.RecordedAtUtc,
            rows.Select(r => new PlannedValueDto(r.Period, r.PeriodEnd, r.Value)).ToList());
    }
}

/// <summary>
/// The office sets a target's planned values (计划值); the expected line follows them. The new list replaces the one in
/// force (which is kept, marked removed, so a past view still uses it); an empty list goes back to the linear schedule.
/// </summary>
internal sealed class SetPlannedValuesHandler(TaskTrackerDb db, Caller caller, WriteStep write) : ICommandHandler<SetPlannedValuesCommand, PlannedValuesDto>
{
    public const int MaxValues = 24;

    public async ValueTask<PlannedValuesDto> Handle(SetPlannedValuesCommand cmd, CancellationToken ct)
    {
        var t = await db.Targets.AsNoTracking().Where(x => x.Plan.Code == cmd.Plan && x.Code == cmd.Code)
            .Select(x => new { x.Id, x.PlanId, x.Code, x.Active, x.Kind, x.Direction, x.Unit, x.Plan.PeriodStart, x.Plan.PeriodEnd }).FirstOrDefaultAsync(ct);
        if (t is null)
        {
            if (!await db.Plans.AnyAsync(p => p.Code == cmd.Plan, ct)) throw new NotFoundException("Plan", cmd.Plan);
            throw new NotFoundException("Target", $"{cmd.Plan}/{cmd.Code}");
        }
        var list = cmd.Body.PlannedValues;
        if (list is null) throw StepAccess.Invalid(("plannedValues", "plannedValues is required: a list of { period, value } (an empty list goes back to the linear schedule)."));
        if (list.Count > MaxValues) throw StepAccess.Invalid(("plannedValues", $"at most {MaxValues} planned values."));
        var nulls = list.Select((p, i) => (p, i)).Where(x => x.p is null).Select(x => ($"plannedValues[{x.i}]", "must be an object with period and value.")).ToArray();
        if (nulls.Length > 0) throw StepAccess.Invalid(nulls);
        var problems = PlannedValueRules.Check(list.Select(p => new PlannedInput(p!.Period, p.Value, p.Unit)).ToList(), t.Kind, t.Direction, t.Unit, t.PeriodStart, t.PeriodEnd);
        if (problems.Count > 0)
            throw StepAccess.Invalid([.. problems.Select(p => (p.Index is { } i ? $"plannedValues[{i}].{p.Field}" : "plannedValues", p.Message))]);
        if (!t.Active) throw new ConflictException($"{t.Code} is no longer part of the plan.");

        return await write.RunAsync(t.PlanId, async w =>
        {
            var old = await db.PlannedValues.Where(p => p.MeasureId == t.Id && p.RemovedAtUtc == null).ToListAsync(ct);
            foreach (var p in old) p.RemovedAtUtc = w.Now;
            var added = list.Select(p =>
            {
                PlannedValueRules.TryParse(p!.Period, out _, out var end);
                return new PlannedValue
                {
                    MeasureId = t.Id, Period = p.Period!.Trim(), PeriodEnd = end, Value = p.Value!.Value, Source = PlannedValueSources.Office,
                    RecordedAtUtc = w.Now, RecordedByTokenId = caller.TokenId,
                };
            }).OrderBy(p => p.PeriodEnd).ToList();
            db.PlannedValues.AddRange(added);
            await db.SaveChangesAsync(ct);
            w.Audit("measure.planned-values.set", "measure", t.Code, new
            {
                plan = cmd.Plan, before = old.OrderBy(p => p.PeriodEnd).Select(p => new { period = p.Period, value = p.Value }),
                after = added.Select(p => new { period = p.Period, value = p.Value }),
            });
            var dto = await PlannedValueQueries.InForceAsync(db, cmd.Plan, t.Code, t.Id, t.Unit, ct);
            w.Respond(StatusCodes.Status200OK, dto, null);
            return dto;
        }, ct);
    }
}

internal static class PlannedValueEndpoints
{
    public static void MapEndpoints(IEndpointRouteBuilder app) =>
        app.MapPut("/api/plans/{plan}/measures/{code}/planned-values", async Task<Ok<PlannedValuesDto>> (
                string plan, string code, PlannedValuesBody body, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new SetPlannedValuesCommand(plan, code, body), ct)))
            .WithTags("Progress").WithName("SetPlannedValues")
            .WithSummary("Set a target's planned values (计划值) per month (2025-03) or quarter (2025-Q1); the expected line follows them (office, audited).")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
}
