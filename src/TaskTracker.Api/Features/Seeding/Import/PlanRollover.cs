using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding.Import;

internal sealed record RolloverResult(int AgenciesAdded, List<string> Baselines, List<string> Skipped);

/// <summary>
/// Starts a new year's draft from the previous plan:
/// 1. agencies: every agency that answers for a clause of the old plan (and its owner and oversight office, and the
///    members of its groups) is added to the draft's agencies.json under the same code, if not there already; the
///    draft's owner and oversight agencies default to the old plan's;
/// 2. baselines: a cumulative target of the draft carries over from a cumulative target of the old plan with the same
///    unit and a similar metric (the best match, at least half the wording alike). Its baseline becomes the old
///    measure's final accepted figure: the latest accepted, not superseded, whole-measure report dated within the old
///    plan's period. New-in-year, annual and growth-rate targets start from zero each year and take no baseline;
///    a target whose old measure has no accepted report keeps no baseline and is listed as skipped.
/// Only the draft folder is written; the live plans are not touched.
/// </summary>
internal static class PlanRollover
{
    public const double MinimumSimilarity = 0.5;

    public static async Task<RolloverResult> RunAsync(TaskTrackerDb db, string fromCode, string toCode, string draftDir, CancellationToken ct)
    {
        if (!Directory.Exists(draftDir) || !File.Exists(Path.Combine(draftDir, "plan.json")))
            throw new PlanImportException($"no draft for {toCode} in {draftDir}: run `plans import --code {toCode}` first");
        var draft = PlanDraft.Read(draftDir);
        if (draft.Plan.Code != toCode) throw new PlanImportException($"the draft in {draftDir} is plan '{draft.Plan.Code}', not '{toCode}'");
        var old = await db.Plans.AsNoTracking().Where(p => p.Code == fromCode)
            .Select(p => new { p.Id, p.PeriodStart, p.PeriodEnd, Owner = p.OwnerAgency!.Code, Oversight = p.OversightAgency!.Code })
            .FirstOrDefaultAsync(ct) ?? throw new PlanImportException($"--from: no live plan '{fromCode}'");
        if (fromCode == toCode) throw new PlanImportException("--from and --to must name different plans");

        // 1. Agencies.
        var agencyIds = await db.ClauseAgencies.AsNoTracking().Where(ca => ca.Clause.Task.PlanId == old.Id).Select(ca => ca.AgencyId).Distinct().ToListAsync(ct);
        var codes = new HashSet<string>(await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id)).Select(a => a.Code).ToListAsync(ct));
        if (old.Owner is not null) codes.Add(old.Owner);
        if (old.Oversight is not null) codes.Add(old.Oversight);
        var memberCodes = await db.AgencyGroupMembers.AsNoTracking().Where(m => codes.Contains(m.Group.Code)).Select(m => m.Member.Code).ToListAsync(ct);
        codes.UnionWith(memberCodes);
        var oldAgencies = await db.Agencies.AsNoTracking().Where(a => codes.Contains(a.Code))
            .Select(a => new { a.Code, a.NameZh, a.ShortNameZh, a.Aliases, a.NameEn, a.Kind, Members = a.Members.Select(m => m.Member.Code).ToList() })
            .ToListAsync(ct);
        var agencies = new List<SeedAgency>(draft.Agencies.Agencies ?? []);
        var added = 0;
        foreach (var a in oldAgencies.OrderBy(a => a.Code, StringComparer.Ordinal))
        {
            if (agencies.Any(x => x.Code == a.Code)) continue;
            agencies.Add(new SeedAgency { Code = a.Code, NameZh = a.NameZh, ShortNameZh = a.ShortNameZh, Aliases = a.Aliases, NameEn = a.NameEn, Kind = a.Kind, Members = a.Members });
            added++;
        }
        var presentCodes = agencies.Select(a => a.Code).ToHashSet();
        agencies = agencies.Select(a => a with { Members = (a.Members ?? []).Where(presentCodes.Contains).ToList() }).ToList();

        // 2. Baselines from the final accepted figures.
        var oldTargets = await db.Targets.AsNoTracking().Where(t => t.PlanId == old.Id && t.Active && t.Kind == TargetKind.Cumulative)
            .Select(t => new { t.Id, t.Code, t.MetricZh, t.Unit, t.SourceText }).ToListAsync(ct);
        var targetIds = oldTargets.Select(t => t.Id).ToList();
        var accepted = await db.Reports.AsNoTracking()
            .Where(r => targetIds.Contains(r.MeasureId) && r.ReviewStatus == ReviewStatus.Accepted && r.SubUnit == null && r.Value != null
                        && r.AsOf <= old.PeriodEnd && !db.Reports.Any(n => n.SupersedesId == r.Id))
            .Select(r => new { r.Id, r.MeasureId, r.AsOf, r.Value }).ToListAsync(ct);
        var finalFigure = accepted.GroupBy(r => r.MeasureId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.AsOf).ThenByDescending(r => r.Id).First());

        var baselines = new List<string>();
        var skipped = new List<string>();
        var claimed = new HashSet<int>();
        SeedTarget Carry(SeedTarget t)
        {
            if (t.Kind != TargetKind.Cumulative || t.Baseline is not null) return t;
            var best = oldTargets.Where(o => !claimed.Contains(o.Id) && string.Equals(o.Unit, t.Unit, StringComparison.OrdinalIgnoreCase))
                .Select(o => (o, Score: Math.Max(PlanText.Similarity(o.MetricZh, t.MetricZh), PlanText.Similarity(o.SourceText, t.SourceText))))
                .Where(x => x.Score >= MinimumSimilarity).OrderByDescending(x => x.Score).FirstOrDefault();
            if (best.o is null) return t;
            claimed.Add(best.o.Id);
            if (!finalFigure.TryGetValue(best.o.Id, out var r))
            {
                skipped.Add($"{t.Code} ← {fromCode} {best.o.Code}: no accepted report, no baseline");
                return t;
            }
            if (r.Value == t.Value)
            {
                skipped.Add($"{t.Code} ← {fromCode} {best.o.Code}: the final figure equals the new target ({t.Value}), no baseline");
                return t;
            }
            baselines.Add($"{t.Code} ← {fromCode} {best.o.Code}: {r.Value!.Value.ToString(CultureInfo.InvariantCulture)} {t.Unit} as of {r.AsOf:yyyy-MM-dd} (report {r.Id})");
            return t with
            {
                Baseline = new SeedFigure
                {
                    Value = r.Value, Comparison = BaselineComparison.Exactly, AsOf = r.AsOf, SourceText = best.o.SourceText,
                    Source = $"{fromCode} {best.o.Code}, accepted report {r.Id}", FromReport = r.Id,
                },
            };
        }

        var plan = draft.Plan with
        {
            OwnerAgency = draft.Plan.OwnerAgency ?? old.Owner,
            OversightAgency = draft.Plan.OversightAgency ?? old.Oversight,
            HeadlineTargets = (draft.Plan.HeadlineTargets ?? []).Select(Carry).ToList(),
        };
        var tasks = new SeedTasksFile { Tasks = (draft.Tasks.Tasks ?? []).Select(t => t with { Targets = (t.Targets ?? []).Select(Carry).ToList() }).ToList() };
        var notes = new List<string>(draft.Findings.Notes) { $"rollover from {fromCode}: {added} agencies added" };
        notes.AddRange(baselines.Select(b => "rollover baseline " + b));
        notes.AddRange(skipped.Select(s => "rollover skipped " + s));
        var next = new PlanDraft(plan, tasks, new SeedAgenciesFile { Agencies = agencies }, draft.SourceText, draft.Findings with { Notes = notes, ValidationErrors = [] });
        next.Findings.ValidationErrors.AddRange(SeedValidator.Validate(next.AsFolder(draftDir)).Select(e => $"{Path.GetFileName(e.File)}: {e.Path}: {e.Message}"));
        next.WriteTo(draftDir);
        return new RolloverResult(added, baselines, skipped);
    }
}
