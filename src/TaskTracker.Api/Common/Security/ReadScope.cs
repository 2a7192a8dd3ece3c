using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;

namespace TaskTracker.Common.Security;

/// <summary>
/// Who may read what is not public plan data: report details (narratives, evidence, review comments), instruction
/// threads and inboxes. The office (and admins, who read the audit trail anyway) see all; a reporter sees what its
/// agency answers for; viewers and anonymous callers see none of it. Responsibility comes from
/// <see cref="Responsibility"/>, the same rules that decide who may file.
/// </summary>
internal sealed class ReadScope(Caller caller, Responsibility responsibility, TaskTrackerDb db)
{
    public bool SeesAll => caller.IsOffice || caller.Role == nameof(Domain.Role.Admin);

    /// <summary>Refuses unless the caller is the office or its agency is among <paramref name="agencyIds"/>.</summary>
    public void Require(IReadOnlySet<int> agencyIds, string what)
    {
        if (SeesAll) return;
        if (caller.AgencyId is { } own && agencyIds.Contains(own)) return;
        throw new ForbiddenException($"{what} can be read only by the office and the agencies concerned.");
    }

    /// <summary>Reports on a measure: the office, and the agencies responsible for the measure.</summary>
    public async Task RequireMeasureAsync(int measureId, CancellationToken ct)
    {
        if (SeesAll) return;
        var m = await db.Measures.AsNoTracking().Where(x => x.Id == measureId)
            .Select(x => new { x.ClauseId, x.TaskId, x.Plan.OwnerAgencyId }).FirstOrDefaultAsync(ct);
        var writers = m is null ? new HashSet<int>() : await responsibility.WritersOfMeasureAsync(measureId, m.ClauseId, m.TaskId, m.OwnerAgencyId, ct);
        Require(writers, "Reports on this measure");
    }

    /// <summary>One report: the office, the agencies responsible for its measure, and the agency that filed it.</summary>
    public async Task RequireReportAsync(long reportId, CancellationToken ct)
    {
        if (SeesAll) return;
        var r = await db.Reports.AsNoTracking().Where(x => x.Id == reportId).Select(x => new { x.MeasureId, x.AgencyId }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("Report", reportId.ToString());
        if (caller.AgencyId == r.AgencyId) return;
        await RequireMeasureAsync(r.MeasureId, ct);
    }

    /// <summary>An instruction thread: the office and the agency it is addressed to.</summary>
    public void RequireInstruction(int addressedAgencyId) => Require(new HashSet<int> { addressedAgencyId }, "An instruction thread");

    /// <summary>For lists: the agency whose rows a reporter may see, or null when the caller sees all.</summary>
    public int? OnlyAgency()
    {
        if (SeesAll) return null;
        return caller.AgencyId ?? throw new ForbiddenException("Instructions can be read only by the office and the agencies they are addressed to.");
    }
}
