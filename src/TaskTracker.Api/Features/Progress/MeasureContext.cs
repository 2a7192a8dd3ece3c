using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Features.Access;
using TaskTracker.Infrastructure;

namespace TaskTracker.Features.Progress;

public enum MeasureType { Target, Milestone }

/// <summary>What filing rules need to know about a measure, loaded once per request.</summary>
public sealed record MeasureInfo(
    int Id, int PlanId, string PlanCode, string Code, MeasureType Type, bool Active,
    string? Unit, TargetKind? Kind, Recurrence Recurrence, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueDate,
    IReadOnlySet<int> ResponsibleAgencyIds)
{
    public bool IsCountUnit => Unit is not null && CountUnits.Contains(Unit);
    private static readonly HashSet<string> CountUnits = ["个", "家", "户", "项", "张", "件", "所", "台", "人", "次", "条"];
}

/// <summary>Messages that write progress on one measure; the authorisation behaviour checks them before validation.</summary>
public interface IMeasureWrite
{
    int MeasureId { get; }
    MeasureType ExpectedType { get; }
    long? Supersedes { get; }
}

/// <summary>Loads measures and decides whether the caller's agency answers for them.</summary>
public sealed class MeasureContext(TaskTrackerDb db, Caller caller)
{
    public MeasureInfo? Current { get; private set; }

    public async Task<MeasureInfo?> LoadAsync(int measureId, CancellationToken ct)
    {
        var m = await db.Measures.AsNoTracking().Where(x => x.Id == measureId)
            .Select(x => new
            {
                Measure = x, PlanCode = x.Plan.Code, x.Plan.PeriodStart, x.Plan.PeriodEnd, x.Plan.OwnerAgencyId,
            })
            .FirstOrDefaultAsync(ct);
        if (m is null) return null;
        var responsible = await ResponsibleAgenciesAsync(m.Measure, m.OwnerAgencyId, ct);
        var target = m.Measure as Target;
        return new MeasureInfo(m.Measure.Id, m.Measure.PlanId, m.PlanCode, m.Measure.Code,
            target is null ? MeasureType.Milestone : MeasureType.Target, m.Measure.Active,
            target?.Unit, target?.Kind, (m.Measure as Milestone)?.Recurrence ?? Recurrence.None,
            m.PeriodStart, m.PeriodEnd, m.Measure.DueDate, responsible);
    }

    /// <summary>
    /// The clause's agencies; for a headline target carried by a task, every agency of that task; for one no task
    /// carries, the plan's owner. A group answers through its members.
    /// </summary>
    public async Task<IReadOnlySet<int>> ResponsibleAgenciesAsync(Measure m, int? ownerAgencyId, CancellationToken ct)
    {
        List<int> ids;
        if (m.ClauseId is { } clauseId)
            ids = await db.ClauseAgencies.Where(a => a.ClauseId == clauseId).Select(a => a.AgencyId).ToListAsync(ct);
        else if (m.TaskId is { } taskId)
            return await TaskAgenciesAsync(taskId, ct);
        else
            ids = ownerAgencyId is { } o ? [o] : [];
        return await WithGroupMembersAsync(ids, ct);
    }

    /// <summary>Every agency named in any clause of the task, and the members of any group among them.</summary>
    public async Task<IReadOnlySet<int>> TaskAgenciesAsync(int taskId, CancellationToken ct) =>
        await WithGroupMembersAsync(await db.ClauseAgencies.Where(a => a.Clause.TaskId == taskId).Select(a => a.AgencyId).ToListAsync(ct), ct);

    private async Task<IReadOnlySet<int>> WithGroupMembersAsync(List<int> ids, CancellationToken ct)
    {
        var members = await db.AgencyGroupMembers.Where(g => ids.Contains(g.GroupId)).Select(g => g.MemberId).ToListAsync(ct);
        return ids.Concat(members).ToHashSet();
    }

    /// <summary>Loads the measure a write targets and refuses it unless the caller's agency answers for it.</summary>
    public async Task<MeasureInfo> RequireWritableAsync(IMeasureWrite write, CancellationToken ct)
    {
        var measureId = write.MeasureId;
        if (write.Supersedes is { } original)
        {
            var report = await db.Reports.AsNoTracking().Where(r => r.Id == original)
                .Select(r => new { r.MeasureId, r.AgencyId }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("Report", original.ToString());
            if (report.AgencyId != caller.AgencyId)
                throw new ForbiddenException($"Report {original} was filed by another agency; only the filing agency can correct it.");
            measureId = report.MeasureId;
        }
        var info = await LoadAsync(measureId, ct);
        if (info is null || (write.Supersedes is null && info.Type != write.ExpectedType))
            throw new NotFoundException(write.ExpectedType.ToString(), measureId.ToString());
        if (caller.AgencyId is not { } agency || !info.ResponsibleAgencyIds.Contains(agency))
            throw new ForbiddenException($"Agency '{caller.AgencyCode}' is not responsible for {info.Type.ToString().ToLowerInvariant()} {info.Code} and cannot report on it.");
        if (!info.Active)
            throw new ConflictException($"{info.Code} is no longer part of the plan and takes no new reports.");
        Current = info;
        return info;
    }
}

public sealed class MeasureAuthorizationBehavior<TMessage, TResponse>(MeasureContext context)
    : Mediator.IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, Mediator.IMessage, IMeasureWrite
{
    public async ValueTask<TResponse> Handle(TMessage message, Mediator.MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        await context.RequireWritableAsync(message, ct);
        return await next(message, ct);
    }
}
