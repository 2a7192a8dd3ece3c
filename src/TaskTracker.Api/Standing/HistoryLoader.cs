using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Standing;

/// <summary>
/// Loads the reports a plan's figures can depend on, as of a date and a knowledge cut-off, without reading the plan's
/// whole history (issue 16: a cold dashboard at 1M reports in one plan).
/// </summary>
/// <remarks>
/// <para>Every rule in <see cref="Completion"/> for a target picks, among the counting (effective) reports that have a
/// value and no sub-unit, the latest by (asOf, filed, id): overall, per agency (parts), per asOf date (the trend) and the
/// same among the accepted ones (verified). So within one group G = (measure, agency, asOf) only the latest effective
/// report matters, and the reports above it (which are not effective). For each G and review status the top row (by
/// filed, id, filed before the cut-off) is found by index seeks: a walk over the distinct keys of
/// <c>IX_Reports_Heads</c> (recursive queries that jump from key to key, a loose index scan). A G whose top row is
/// plainly effective (not returned by the cut-off, no correction filed by then) needs nothing more, in both views; any
/// other G is loaded whole. Then every correction of a loaded report is loaded, recursively, so that supersession is
/// decided exactly as on the full history (a report is corrected at most once: <c>SupersedesId</c> is unique).</para>
/// <para>Loading extra rows of the same history never changes a figure (their effectiveness is computed from the same
/// complete chains), so the sets only need to contain the deciding rows. Milestone reports (one a quarter at most) are
/// loaded whole. <c>HistoryLoaderTests</c> compares the result with the full load on random histories.</para>
/// </remarks>
internal static class HistoryLoader
{
    internal sealed record Loaded(int MeasureId, ReportFact Fact);

    /// <summary>Every report of the plan known before the cut-off: the reference the selective load must equal.</summary>
    public static async Task<List<Loaded>> AllAsync(TaskTrackerDb db, int planId, DateTime knownBefore, CancellationToken ct) =>
        await db.Reports.AsNoTracking()
            .Where(r => r.PlanId == planId && r.FiledAtUtc < knownBefore)
            .OrderBy(r => r.Id)
            .Select(r => new Loaded(r.MeasureId, new ReportFact(r.Id, r.AsOf, r.FiledAtUtc, r.Value, r.Status, r.Period, r.SubUnit, r.SupersedesId, r.ReviewStatus, r.ReviewedAtUtc, r.AgencyId, false)))
            .ToListAsync(ct);

    public static async Task<List<Loaded>> NeededAsync(TaskTrackerDb db, int planId, IReadOnlyCollection<int> milestoneIds, DateOnly asOf,
        DateTime knownBefore, CancellationToken ct)
    {
        var byId = new Dictionary<long, Loaded>();
        void Add(IEnumerable<Loaded> rows) { foreach (var r in rows) byId.TryAdd(r.Fact.Id, r); }

        // 1. The top row of every (measure, agency, asOf, review status) with a value and no sub-unit, asOf on or before the date.
        var tops = await TopIdsAsync(db, planId, asOf, knownBefore, ct);
        Add(await ByIdsAsync(db, tops, ct));
        // 2. Milestones: whole (their rules also read status-only and per-period reports; there are few).
        if (milestoneIds.Count > 0)
            Add(await Facts(db.Reports.AsNoTracking().Where(r => milestoneIds.Contains(r.MeasureId) && r.FiledAtUtc < knownBefore)).ToListAsync(ct));
        // 3. Corrections of everything loaded so far.
        await ChainsAsync(db, byId, byId.Keys.ToList(), knownBefore, ct);

        // 4. A group whose latest row is not plainly effective in either view is loaded whole (rare: returns and corrections).
        var correctedBy = byId.Values.Where(r => r.Fact.SupersedesId is not null).Select(r => r.Fact.SupersedesId!.Value).ToHashSet();
        bool Plain(ReportFact f) => !correctedBy.Contains(f.Id)
                                    && !(f.ReviewStatus == ReviewStatus.Returned && (f.ReviewedAtUtc is not { } at || at < knownBefore));
        var topSet = tops.ToHashSet();
        var unsettled = byId.Values.Where(r => topSet.Contains(r.Fact.Id))
            .GroupBy(r => (r.MeasureId, r.Fact.AgencyId, r.Fact.AsOf))
            .Where(g =>
            {
                var top = g.MaxBy(r => (r.Fact.FiledAtUtc, r.Fact.Id))!.Fact;
                if (!Plain(top)) return true;
                // Verified view: the latest accepted row must be accepted by the cut-off and uncorrected, or there is none.
                var accepted = g.Where(r => r.Fact.ReviewStatus == ReviewStatus.Accepted).Select(r => r.Fact).FirstOrDefault();
                return accepted is not null && !(accepted.ReviewedAtUtc is { } at && at < knownBefore && Plain(accepted));
            })
            .Select(g => g.Key).ToList();
        if (unsettled.Count > 0)
        {
            var fresh = new List<long>();
            foreach (var (measure, agency, date) in unsettled)
            {
                var rows = await Facts(db.Reports.AsNoTracking().Where(r => r.MeasureId == measure && r.AgencyId == agency && r.AsOf == date
                    && r.SubUnit == null && r.Value != null && r.FiledAtUtc < knownBefore)).ToListAsync(ct);
                foreach (var r in rows) if (byId.TryAdd(r.Fact.Id, r)) fresh.Add(r.Fact.Id);
            }
            await ChainsAsync(db, byId, fresh, knownBefore, ct);
        }
        return byId.Values.OrderBy(r => r.Fact.Id).ToList();
    }

    private static IQueryable<Loaded> Facts(IQueryable<ProgressReport> q) =>
        q.Select(r => new Loaded(r.MeasureId, new ReportFact(r.Id, r.AsOf, r.FiledAtUtc, r.Value, r.Status, r.Period, r.SubUnit, r.SupersedesId, r.ReviewStatus, r.ReviewedAtUtc, r.AgencyId, false)));

    private static async Task<List<Loaded>> ByIdsAsync(TaskTrackerDb db, List<long> ids, CancellationToken ct)
    {
        var result = new List<Loaded>(ids.Count);
        // Chunks keep the parameter (a JSON array on SQLite, an array on PostgreSQL) of a sane size.
        foreach (var chunk in ids.Chunk(5000))
            result.AddRange(await Facts(db.Reports.AsNoTracking().Where(r => chunk.Contains(r.Id))).ToListAsync(ct));
        return result;
    }

    /// <summary>Adds the corrections of <paramref name="from"/>, then theirs, until the chains end (unique SupersedesId: one per report).</summary>
    private static async Task ChainsAsync(TaskTrackerDb db, Dictionary<long, Loaded> byId, List<long> from, DateTime knownBefore, CancellationToken ct)
    {
        var frontier = from;
        while (frontier.Count > 0)
        {
            var next = new List<long>();
            foreach (var chunk in frontier.Chunk(5000))
            {
                // Non-nullable ids and an explicit IS NOT NULL: a nullable IN-list gets null semantics that can cost the index.
                var ids = chunk.ToArray();
                foreach (var r in await Facts(db.Reports.AsNoTracking().Where(r => r.SupersedesId != null && ids.Contains(r.SupersedesId.Value) && r.FiledAtUtc < knownBefore)).ToListAsync(ct))
                    if (byId.TryAdd(r.Fact.Id, r)) next.Add(r.Fact.Id);
            }
            frontier = next;
        }
    }

    /// <summary>
    /// A loose index scan over IX_Reports_Heads: the distinct (measure, agency) pairs, then for each pair its reporting
    /// dates one after the other up to the as-of date (each the MIN of a range: one covering-index seek), then for each
    /// date and review status the latest row filed before the cut-off (one more seek). The rows touched grow with the keys
    /// (measures × agencies × reporting dates), not with the reports filed for them.
    /// </summary>
    private static async Task<List<long>> TopIdsAsync(TaskTrackerDb db, int planId, DateOnly asOf, DateTime knownBefore, CancellationToken ct)
    {
        static string H(string r) => $$"""{{r}}."PlanId" = {0} AND {{r}}."SubUnit" IS NULL AND {{r}}."Value" IS NOT NULL""";
        var nextAgency = $$"""(SELECT MIN(r."AgencyId") FROM "Reports" r WHERE {{H("r")}} AND r."MeasureId" = p.m AND r."AgencyId" > p.a)""";
        var nextMeasure = $$"""(SELECT MIN(r."MeasureId") FROM "Reports" r WHERE {{H("r")}} AND r."MeasureId" > p.m)""";
        var known = knownBefore == DateTime.MaxValue ? "" : """ AND t."FiledAtUtc" < {2}""";
        // The review statuses are the stored enum names (a string conversion), so the list is the enum's.
        var statuses = string.Join(", ", Enum.GetNames<ReviewStatus>().Select(n => $"('{n}')"));
        var sql = $$"""
            WITH RECURSIVE
            pairs(m, a) AS (
                SELECT * FROM (SELECT r."MeasureId", r."AgencyId" FROM "Reports" r WHERE {{H("r")}}
                               ORDER BY r."PlanId", r."MeasureId", r."AgencyId" LIMIT 1) f
                UNION ALL
                SELECT CASE WHEN {{nextAgency}} IS NOT NULL THEN p.m ELSE {{nextMeasure}} END,
                       CASE WHEN {{nextAgency}} IS NOT NULL THEN {{nextAgency}}
                            ELSE (SELECT MIN(r."AgencyId") FROM "Reports" r WHERE {{H("r")}} AND r."MeasureId" = {{nextMeasure}}) END
                FROM pairs p WHERE p.m IS NOT NULL
            ),
            dates(m, a, d) AS (
                SELECT p.m, p.a, (SELECT MIN(r."AsOf") FROM "Reports" r WHERE {{H("r")}} AND r."MeasureId" = p.m AND r."AgencyId" = p.a)
                FROM pairs p WHERE p.m IS NOT NULL
                UNION ALL
                SELECT q.m, q.a, (SELECT MIN(r."AsOf") FROM "Reports" r WHERE {{H("r")}} AND r."MeasureId" = q.m AND r."AgencyId" = q.a AND r."AsOf" > q.d)
                FROM dates q WHERE q.d <= {1}
            ),
            st(s) AS (VALUES {{statuses}})
            SELECT (SELECT t."Id" FROM "Reports" t
                    WHERE {{H("t")}} AND t."MeasureId" = q.m AND t."AgencyId" = q.a AND t."AsOf" = q.d AND t."ReviewStatus" = st.s{{known}}
                    ORDER BY t."FiledAtUtc" DESC, t."Id" DESC LIMIT 1) AS "Value"
            FROM dates q CROSS JOIN st WHERE q.d <= {1}
            """;
        object[] args = known.Length == 0 ? [planId, asOf] : [planId, asOf, knownBefore];
        // A key whose rows were all filed after the cut-off, or with no row of a status, has no top row (null).
        return (await db.Database.SqlQuery<long?>(FormattableStringFactory.Create(sql, args)).ToListAsync(ct)).OfType<long>().ToList();
    }

    /// <summary>
    /// Which of the given (measure, period) pairs have a report dated within the period, filed before the cut-off and not
    /// returned by then: one index seek on (MeasureId, AsOf) per pair instead of every report date of the plan.
    /// </summary>
    public static async Task<HashSet<int>> ReportedAsync(TaskTrackerDb db, IReadOnlyList<(int MeasureId, DateOnly Start, DateOnly End)> periods,
        DateTime knownBefore, CancellationToken ct)
    {
        var found = new HashSet<int>();
        if (periods.Count == 0) return found;
        var pg = db.Database.IsNpgsql();
        string Date(DateOnly d) => (pg ? "DATE '" : "'") + d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "'";
        var all = knownBefore == DateTime.MaxValue;
        // Only integers and dates the server generated are written into the text; the cut-off is a parameter.
        for (var offset = 0; offset < periods.Count; offset += 500)
        {
            var rows = string.Join(", ", periods.Skip(offset).Take(500).Select((p, i) =>
                FormattableString.Invariant($"({offset + i}, {p.MeasureId}, {Date(p.Start)}, {Date(p.End)})")));
            var sql = $$"""
                WITH p("I", "M", "S", "E") AS (VALUES {{rows}})
                SELECT p."I" AS "Value" FROM p WHERE EXISTS (
                    SELECT 1 FROM "Reports" r WHERE r."MeasureId" = p."M" AND r."AsOf" >= p."S" AND r."AsOf" <= p."E"
                    {{(all ? "AND r.\"ReviewStatus\" <> 'Returned'" : "AND r.\"FiledAtUtc\" < {0} AND (r.\"ReviewStatus\" <> 'Returned' OR r.\"ReviewedAtUtc\" >= {0})")}})
                """;
            object[] args = all ? [] : [knownBefore];
            found.UnionWith(await db.Database.SqlQuery<int>(FormattableStringFactory.Create(sql, args)).ToListAsync(ct));
        }
        return found;
    }
}
