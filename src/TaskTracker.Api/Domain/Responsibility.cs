using Microsoft.EntityFrameworkCore;

namespace TaskTracker.Domain;

/// <summary>One agency named on a clause of a task (position 0 leads the clause).</summary>
internal readonly record struct AgencyLink(int ClauseId, int TaskId, int AgencyId, int Position)
{
    public bool IsLead => Position == Responsibility.LeadPosition;
}

/// <summary>An office assignment (分解落实) of an agency to a measure; the latest per measure and agency holds.</summary>
internal readonly record struct AssignmentLink(int MeasureId, int AgencyId, AgencyRole Role);

/// <summary>The agencies that answer for a measure, task or clause, as the plan names them (groups not expanded).</summary>
internal sealed record Responsible(IReadOnlySet<int> Lead, IReadOnlySet<int> Cooperating)
{
    public static readonly Responsible Nobody = new(new HashSet<int>(), new HashSet<int>());

    public IEnumerable<int> All => Lead.Concat(Cooperating);
}

/// <summary>
/// The one answer to "which agencies answer for this measure, task or clause, and who leads":
/// <list type="bullet">
/// <item>a measure on a clause: the clause's agencies; the first named leads;</item>
/// <item>a measure a task carries (a headline target): every agency of that task, the first of each clause leading;</item>
/// <item>a measure nothing carries, or one whose clause or task names no agency: the plan's owner, as lead;</item>
/// <item>the office's assignments (<see cref="MeasureAssignment"/>) come last and win: an agency assigned as lead files the
///   whole figure and the former leads co-operate; an agency assigned as co-operating files its part;</item>
/// <item>a group (such as 各市〔州〕人民政府) answers through its members: an agency acts as itself and as every group it
///   belongs to (<see cref="ActingAsAsync"/>), and a group's members may write what the group answers for
///   (<see cref="WithMembersAsync"/>).</item>
/// </list>
/// The pure rules work on links already loaded (for whole-plan computations); the queries load what one request needs.
/// </summary>
internal sealed class Responsibility(IQueryable<ClauseAgency> clauseAgencies, IQueryable<AgencyGroupMember> groupMembers, IQueryable<Agency> agencies,
    IQueryable<MeasureAssignment> assignments)
{
    public const int LeadPosition = 0;

    /// <summary>Lead and co-operating agencies from the links that name them; the owner leads when none do.</summary>
    public static Responsible Of(IEnumerable<AgencyLink> links, int? ownerAgencyId)
    {
        var rows = links.ToList();
        if (rows.Count == 0)
            return ownerAgencyId is { } owner ? new Responsible(new HashSet<int> { owner }, new HashSet<int>()) : Responsible.Nobody;
        var lead = rows.Where(r => r.IsLead).Select(r => r.AgencyId).ToHashSet();
        return new Responsible(lead, rows.Select(r => r.AgencyId).Where(a => !lead.Contains(a)).ToHashSet());
    }

    /// <summary>Who answers for a measure, given the links and assignments of its plan.</summary>
    public static Responsible ForMeasure(int measureId, int? clauseId, int? taskId, int? ownerAgencyId, IEnumerable<AgencyLink> planLinks,
        IEnumerable<AssignmentLink> planAssignments) =>
        Assign(Of(clauseId is { } c ? planLinks.Where(l => l.ClauseId == c) : taskId is { } t ? planLinks.Where(l => l.TaskId == t) : [], ownerAgencyId),
            planAssignments.Where(a => a.MeasureId == measureId));

    /// <summary>Applies the office's assignments in the order they were made (the latest per agency holds).</summary>
    public static Responsible Assign(Responsible named, IEnumerable<AssignmentLink> inOrder)
    {
        var lead = named.Lead.ToHashSet();
        var coop = named.Cooperating.ToHashSet();
        foreach (var a in inOrder)
        {
            if (a.Role == AgencyRole.Lead)
            {
                // One agency files the whole figure: the former leads now file their part.
                coop.UnionWith(lead);
                lead.Clear();
                lead.Add(a.AgencyId);
                coop.Remove(a.AgencyId);
            }
            else
            {
                lead.Remove(a.AgencyId);
                coop.Add(a.AgencyId);
            }
        }
        return new Responsible(lead, coop);
    }

    /// <summary>
    /// True when someone can file on what these agencies answer for: an agency that is not a group, or a group with at
    /// least one member. A clause naming only 省有关部门和单位 (a group without members) reaches nobody.
    /// </summary>
    public static bool AnyoneCanFile(Responsible r, IReadOnlySet<int> groupIds, IReadOnlySet<int> groupsWithMembers) =>
        r.All.Any(a => !groupIds.Contains(a) || groupsWithMembers.Contains(a));

    /// <summary>
    /// True when someone can file the measure's whole figure: a lead that is not a group, since only an agency can hold a
    /// token. A measure led by a group (各市〔州〕人民政府 on M24-2) gets only its members' parts; one led by a group without
    /// members (省有关部门和单位 on T14-1) gets nothing at all.
    /// </summary>
    public static bool AnyoneCanFileWhole(Responsible r, IReadOnlySet<int> groupIds) => r.Lead.Any(a => !groupIds.Contains(a));

    /// <summary>Every assignment of a plan's measures, in the order made.</summary>
    public Task<List<AssignmentLink>> AssignmentsOfPlanAsync(int planId, CancellationToken ct) =>
        assignments.AsNoTracking().Where(a => a.Measure.PlanId == planId).OrderBy(a => a.Id)
            .Select(a => new AssignmentLink(a.MeasureId, a.AgencyId, a.Role)).ToListAsync(ct);

    /// <summary>
    /// The measures of a plan nobody can file the whole figure for (see <see cref="AnyoneCanFileWhole"/>), as codes, after
    /// the office's assignments: those nobody can file on at all, and those led only by a group, whose members file parts.
    /// </summary>
    public async Task<List<string>> UnfileableMeasuresAsync(int planId, IQueryable<Measure> measures, CancellationToken ct)
    {
        var owner = await measures.Where(m => m.PlanId == planId).Select(m => m.Plan.OwnerAgencyId).FirstOrDefaultAsync(ct);
        var rows = await measures.AsNoTracking().Where(m => m.PlanId == planId && m.Active).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.Code, m.ClauseId, m.TaskId }).ToListAsync(ct);
        var links = await LinksOfPlanAsync(planId, ct);
        var assigned = await AssignmentsOfPlanAsync(planId, ct);
        var groups = (await agencies.AsNoTracking().Where(a => a.Kind == AgencyKinds.Group).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var withMembers = (await groupMembers.AsNoTracking().Select(g => g.GroupId).Distinct().ToListAsync(ct)).ToHashSet();
        return rows.Where(m => !AnyoneCanFileWhole(ForMeasure(m.Id, m.ClauseId, m.TaskId, owner, links, assigned), groups))
            .Select(m => m.Code).ToList();
    }

    /// <summary>Who answers for a task (every clause's agencies), given the links of its plan.</summary>
    public static Responsible ForTask(int taskId, IEnumerable<AgencyLink> planLinks) => Of(planLinks.Where(l => l.TaskId == taskId), null);

    /// <summary>Every agency link of a plan, in clause order.</summary>
    public Task<List<AgencyLink>> LinksOfPlanAsync(int planId, CancellationToken ct) =>
        clauseAgencies.AsNoTracking().Where(a => a.Clause.Task.PlanId == planId)
            .OrderBy(a => a.Clause.Seq).ThenBy(a => a.Position)
            .Select(a => new AgencyLink(a.ClauseId, a.Clause.TaskId, a.AgencyId, a.Position)).ToListAsync(ct);

    /// <summary>Who answers for one measure (loads only the links and assignments it needs).</summary>
    public async Task<Responsible> ForMeasureAsync(int measureId, int? clauseId, int? taskId, int? ownerAgencyId, CancellationToken ct)
    {
        var query = clauseAgencies.AsNoTracking();
        query = clauseId is { } c ? query.Where(a => a.ClauseId == c) : taskId is { } t ? query.Where(a => a.Clause.TaskId == t) : query.Where(a => false);
        var links = clauseId is null && taskId is null ? [] : await query
            .Select(a => new AgencyLink(a.ClauseId, a.Clause.TaskId, a.AgencyId, a.Position)).ToListAsync(ct);
        var assigned = await assignments.AsNoTracking().Where(a => a.MeasureId == measureId).OrderBy(a => a.Id)
            .Select(a => new AssignmentLink(a.MeasureId, a.AgencyId, a.Role)).ToListAsync(ct);
        return Assign(Of(links, ownerAgencyId), assigned);
    }

    /// <summary>Who answers for one task (loads only its links).</summary>
    public async Task<Responsible> ForTaskAsync(int taskId, CancellationToken ct) =>
        Of(await clauseAgencies.AsNoTracking().Where(a => a.Clause.TaskId == taskId)
            .Select(a => new AgencyLink(a.ClauseId, a.Clause.TaskId, a.AgencyId, a.Position)).ToListAsync(ct), null);

    /// <summary>Every agency that may write for a measure: those answering for it and the members of any group among them.</summary>
    public async Task<IReadOnlySet<int>> WritersOfMeasureAsync(int measureId, int? clauseId, int? taskId, int? ownerAgencyId, CancellationToken ct) =>
        await WithMembersAsync((await ForMeasureAsync(measureId, clauseId, taskId, ownerAgencyId, ct)).All, ct);

    /// <summary>Every agency that may act on a task: those of its clauses and the members of any group among them.</summary>
    public async Task<IReadOnlySet<int>> WritersOfTaskAsync(int taskId, CancellationToken ct) =>
        await WithMembersAsync((await ForTaskAsync(taskId, ct)).All, ct);

    /// <summary>The agencies plus the members of any group among them: everyone who may write for them.</summary>
    public async Task<IReadOnlySet<int>> WithMembersAsync(IEnumerable<int> agencyIds, CancellationToken ct)
    {
        var ids = agencyIds.ToList();
        var members = await groupMembers.AsNoTracking().Where(g => ids.Contains(g.GroupId)).Select(g => g.MemberId).ToListAsync(ct);
        return ids.Concat(members).ToHashSet();
    }

    /// <summary>The agency itself plus every group it belongs to (a city government acts under 各市〔州〕人民政府).</summary>
    public static List<int> ActingAs(int agencyId, IEnumerable<int> groupIds) => [agencyId, .. groupIds];

    /// <summary><see cref="ActingAs"/> for an agency code; null if unknown.</summary>
    public async Task<List<int>?> ActingAsAsync(string agencyCode, CancellationToken ct)
    {
        var agency = await agencies.AsNoTracking().Where(a => a.Code == agencyCode)
            .Select(a => new { a.Id, Groups = a.MemberOf.Select(m => m.GroupId).ToList() }).FirstOrDefaultAsync(ct);
        return agency is null ? null : ActingAs(agency.Id, agency.Groups);
    }
}
