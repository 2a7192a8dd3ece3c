using Mediator;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal sealed record MeasureReports(int MeasureId, string Code, MeasureType Type, string Plan, IReadOnlyList<AgencyRef> ResponsibleAgencies,
    IReadOnlyList<ReportDto> Reports);

/// <summary>Every report on a measure, oldest first, corrections included, so the whole chain is visible.</summary>
internal sealed record ListMeasureReportsQuery(int MeasureId, MeasureType Type) : IQuery<MeasureReports>;

internal sealed class ListMeasureReportsHandler(TaskTrackerDb db, MeasureContext measures, Common.Security.ReadScope scope) : IQueryHandler<ListMeasureReportsQuery, MeasureReports>
{
    public async ValueTask<MeasureReports> Handle(ListMeasureReportsQuery q, CancellationToken ct)
    {
        var info = await measures.LoadAsync(q.MeasureId, ct);
        if (info is null || info.Type != q.Type) throw new NotFoundException(q.Type.ToString(), q.MeasureId.ToString());
        scope.Require(info.ResponsibleAgencyIds, "Reports on this measure");
        var agencies = await db.Agencies.AsNoTracking().Where(a => info.ResponsibleAgencyIds.Contains(a.Id))
            .OrderBy(a => a.Code).Select(a => new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind)).ToListAsync(ct);
        var reports = await db.Reports.AsNoTracking().Where(r => r.MeasureId == q.MeasureId)
            .OrderBy(r => r.FiledAtUtc).ThenBy(r => r.Id).ToDtos(db.Reports).ToListAsync(ct);
        return new MeasureReports(info.Id, info.Code, info.Type, info.PlanCode, agencies, reports);
    }
}

internal sealed record GetReportQuery(long ReportId) : IQuery<ReportDto>;

internal sealed class GetReportHandler(TaskTrackerDb db, Common.Security.ReadScope scope) : IQueryHandler<GetReportQuery, ReportDto>
{
    public async ValueTask<ReportDto> Handle(GetReportQuery q, CancellationToken ct)
    {
        await scope.RequireReportAsync(q.ReportId, ct);
        return await db.Reports.AsNoTracking().Where(r => r.Id == q.ReportId).ToDtos(db.Reports).FirstOrDefaultAsync(ct)
        ?? throw new NotFoundException("Report", q.ReportId.ToString());
    }
}

internal sealed record MeasureDetail(int Id, string Code, MeasureType Type, string Plan, int? TaskNumber, TargetDto? Target, MilestoneDto? Milestone,
    IReadOnlyList<AgencyRef> ResponsibleAgencies, IReadOnlyList<MeasureRole> Roles)
{
    /// <summary>Milestones: the steps (节点) in force, with their ETag.</summary>
    public MilestoneStepsDto? Steps { get; init; }
    /// <summary>Targets: the planned values (计划值) in force.</summary>
    public PlannedValuesDto? PlannedValues { get; init; }
}

internal sealed record GetMeasureQuery(int MeasureId, MeasureType Type) : IQuery<MeasureDetail>;

internal sealed class GetMeasureHandler(TaskTrackerDb db, MeasureContext measures, Responsibility responsibility, StepAccess steps) : IQueryHandler<GetMeasureQuery, MeasureDetail>
{
    public async ValueTask<MeasureDetail> Handle(GetMeasureQuery q, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Include(x => x.Task).Include(x => x.Clause).Include(x => x.Plan)
            .FirstOrDefaultAsync(x => x.Id == q.MeasureId, ct);
        if (m is null || (m is Target) != (q.Type == MeasureType.Target)) throw new NotFoundException(q.Type.ToString(), q.MeasureId.ToString());
        var ids = await measures.ResponsibleAgenciesAsync(m, m.Plan.OwnerAgencyId, ct);
        var agencies = await db.Agencies.AsNoTracking().Where(a => ids.Contains(a.Id)).OrderBy(a => a.Code)
            .Select(a => new AgencyRef(a.Code, a.NameZh, a.NameEn, a.Kind)).ToListAsync(ct);
        return new MeasureDetail(m.Id, m.Code, q.Type, m.Plan.Code, m.Task?.Number,
            (m as Target)?.ToDto(m.Plan.ReportingCadence), (m as Milestone)?.ToDto(m.Plan.ReportingCadence), agencies,
            await AssignmentRoles.RolesAsync(db, await responsibility.ForMeasureAsync(m.Id, m.ClauseId, m.TaskId, m.Plan.OwnerAgencyId, ct), ct))
        {
            Steps = m is Milestone ? await steps.ListAsync(m.Plan.Code, m.Id, m.Code, ct) : null,
            PlannedValues = m is Target t ? await PlannedValueQueries.InForceAsync(db, m.Plan.Code, m.Code, m.Id, t.Unit, ct) : null,
        };
    }
}

/// <summary>Finds a target or milestone by its seed code (T02-1, M20-1, H2), so nobody has to know database ids.</summary>
internal sealed record GetMeasureByCodeQuery(string Plan, string Code) : IQuery<MeasureDetail>;

internal sealed class GetMeasureByCodeHandler(TaskTrackerDb db, ISender sender) : IQueryHandler<GetMeasureByCodeQuery, MeasureDetail>
{
    public async ValueTask<MeasureDetail> Handle(GetMeasureByCodeQuery q, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Where(x => x.Plan.Code == q.Plan && x.Code == q.Code)
            .Select(x => new { x.Id, IsTarget = x is Target }).FirstOrDefaultAsync(ct);
        if (m is null)
        {
            if (!await db.Plans.AnyAsync(p => p.Code == q.Plan, ct)) throw new NotFoundException("Plan", q.Plan);
            throw new NotFoundException("Measure", $"{q.Plan}/{q.Code}");
        }
        return await sender.Send(new GetMeasureQuery(m.Id, m.IsTarget ? MeasureType.Target : MeasureType.Milestone), ct);
    }
}
