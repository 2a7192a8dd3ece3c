using FluentValidation;
using Mediator;

namespace TaskTracker.Features.Dashboards;

internal sealed record GetPlanDashboardQuery(string Plan, DateOnly? AsOf, DateOnly? KnownAt = null) : IQuery<PlanDashboard>;
internal sealed record GetAgencyDashboardQuery(string Plan, string Agency, DateOnly? AsOf, DateOnly? KnownAt = null) : IQuery<AgencyDashboard>;
internal sealed record GetTargetSeriesQuery(int TargetId, DateOnly? AsOf, DateOnly? KnownAt = null) : IQuery<TargetSeriesDto>;

internal sealed class GetPlanDashboardValidator : AbstractValidator<GetPlanDashboardQuery>
{
    public GetPlanDashboardValidator() => AsOfRule.Apply(this, x => x.AsOf, x => x.KnownAt);
}

internal sealed class GetAgencyDashboardValidator : AbstractValidator<GetAgencyDashboardQuery>
{
    public GetAgencyDashboardValidator() => AsOfRule.Apply(this, x => x.AsOf, x => x.KnownAt);
}

internal sealed class GetTargetSeriesValidator : AbstractValidator<GetTargetSeriesQuery>
{
    public GetTargetSeriesValidator() => AsOfRule.Apply(this, x => x.AsOf, x => x.KnownAt);
}

internal sealed class GetPlanDashboardHandler(StandingCalculator calc, TimeProvider clock) : IQueryHandler<GetPlanDashboardQuery, PlanDashboard>
{
    public async ValueTask<PlanDashboard> Handle(GetPlanDashboardQuery q, CancellationToken ct)
    {
        var result = await calc.ComputeAsync(await calc.PlanAsync(q.Plan, ct), ChinaTime.AsOfOrToday(q.AsOf, clock), q.KnownAt, ct);
        if (q.AsOf is null && q.KnownAt is null) TaskTrackerMetrics.SetOverdue(result.Plan, result.MeasureCounts.Overdue);
        return result;
    }
}

internal sealed class GetAgencyDashboardHandler(StandingCalculator calc, TimeProvider clock) : IQueryHandler<GetAgencyDashboardQuery, AgencyDashboard>
{
    public async ValueTask<AgencyDashboard> Handle(GetAgencyDashboardQuery q, CancellationToken ct) =>
        await calc.ForAgencyAsync(await calc.PlanAsync(q.Plan, ct), q.Agency, ChinaTime.AsOfOrToday(q.AsOf, clock), q.KnownAt, ct);
}

internal sealed class GetTargetSeriesHandler(StandingCalculator calc, TimeProvider clock) : IQueryHandler<GetTargetSeriesQuery, TargetSeriesDto>
{
    public async ValueTask<TargetSeriesDto> Handle(GetTargetSeriesQuery q, CancellationToken ct) =>
        await calc.SeriesAsync(q.TargetId, q.AsOf, q.KnownAt, () => ChinaTime.Today(clock), ct);
}
