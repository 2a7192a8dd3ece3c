using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal enum MeasureType { Target, Milestone }

/// <summary>What filing rules need to know about a measure, loaded once per request.</summary>
internal sealed record MeasureInfo(
    int Id, int PlanId, string PlanCode, string Code, MeasureType Type, bool Active,
    string? Unit, TargetKind? Kind, Recurrence Recurrence, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueDate,
    IReadOnlySet<int> ResponsibleAgencyIds)
{
    public bool IsCountUnit => Unit is not null && CountUnits.Contains(Unit);
    private static readonly HashSet<string> CountUnits = ["个", "家", "户", "项", "张", "件", "所", "台", "人", "次", "条"];
}

/// <summary>Messages that write progress on one measure; the authorisation behaviour checks them before validation.</summary>
internal interface IMeasureWrite
{
    int MeasureId { get; }
    MeasureType ExpectedType { get; }
    long? Supersedes { get; }
}

/// <summary>Loads measures and decides whether the caller's agency answers for them.</summary>
internal sealed class MeasureContext(TaskTrackerDb db, Caller caller, Responsibility responsibility, ReferenceCache<int, MeasureInfo> cache)
{
    // The write already checked in this request: the authorisation behaviour, the validator and the handler all ask.
    private (IMeasureWrite Write, MeasureInfo Info)? _checked;

    /// <summary>The measure with who answers for it; cached across requests until a plan, assignment or agency change commits.</summary>
    public async Task<MeasureInfo?> LoadAsync(int measureId, CancellationToken ct) =>
        await cache.GetOrLoadAsync(measureId, c => LoadUncachedAsync(measureId, c), ct);

    private async Task<MeasureInfo?> LoadUncachedAsync(int measureId, CancellationToken ct)
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

    /// <summary>Every agency that may write for the measure (see <see cref="Responsibility"/>).</summary>
    public Task<IReadOnlySet<int>> ResponsibleAgenciesAsync(Measure m, int? ownerAgencyId, CancellationToken ct) =>
        responsibility.WritersOfMeasureAsync(m.Id, m.ClauseId, m.TaskId, ownerAgencyId, ct);

    /// <summary>
    /// Loads the measure a write targets and refuses it unless the caller's agency answers for it. Whoever asks first
    /// (authorisation, validation or the handler) loads it; the others get the same answer without another query.
    /// </summary>
    public async Task<MeasureInfo> RequireWritableAsync(IMeasureWrite write, CancellationToken ct)
    {
        if (_checked is { } done && ReferenceEquals(done.Write, write)) return done.Info;
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
        _checked = (write, info);
        return info;
    }
}

internal sealed class MeasureAuthorizationBehavior<TMessage, TResponse>(MeasureContext context)
    : Mediator.IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, Mediator.IMessage, IMeasureWrite
{
    public async ValueTask<TResponse> Handle(TMessage message, Mediator.MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        await context.RequireWritableAsync(message, ct);
        return await next(message, ct);
    }
}
