using System.Globalization;

namespace TaskTracker.Features.Seeding.Import;

internal sealed record ElementScore(string Element, int Expected, int Found, int Matched)
{
    public double Precision => Found == 0 ? (Expected == 0 ? 1 : 0) : (double)Matched / Found;
    public double Recall => Expected == 0 ? 1 : (double)Matched / Expected;
}

/// <summary>
/// Precision and recall of an import against a curated plan folder, per element. What counts as the same element:
/// - sections: number and title;
/// - tasks: number, section and title;
/// - clauses: task, clause number and the agencies as written, in order;
/// - targets: where (headline, or the task) with value, unit (letter case ignored), comparison and kind;
/// - milestones: the sentences that carry deliverables — task, source sentence and recurrence. The curated files
///   split a sentence into deliverables by judgement, so the per-title figure is printed too, for information.
/// </summary>
internal static class PlanComparison
{
    public static IReadOnlyList<ElementScore> Compare(SeedFolder expected, SeedFolder found)
    {
        var scores = new List<ElementScore>
        {
            Score("sections", Keys(expected.Plan.Sections, s => $"{s.Number}|{PlanText.Key(s.TitleZh)}"),
                Keys(found.Plan.Sections, s => $"{s.Number}|{PlanText.Key(s.TitleZh)}")),
            Score("tasks", Keys(expected.Tasks.Tasks, t => $"{t.Number}|{t.Section}|{PlanText.Key(t.TitleZh)}"),
                Keys(found.Tasks.Tasks, t => $"{t.Number}|{t.Section}|{PlanText.Key(t.TitleZh)}")),
            Score("clause agencies", ClauseKeys(expected), ClauseKeys(found)),
            Score("targets", TargetKeys(expected), TargetKeys(found)),
            Score("milestones", MilestoneKeys(expected, distinct: true), MilestoneKeys(found, distinct: true)),
        };
        return scores;
    }

    /// <summary>Milestone titles matched one to one within a task, by similar wording (informational).</summary>
    public static ElementScore MilestoneTitles(SeedFolder expected, SeedFolder found)
    {
        var exp = (expected.Tasks.Tasks ?? []).SelectMany(t => (t.Milestones ?? []).Select(m => (t.Number, m.TitleZh))).ToList();
        var got = (found.Tasks.Tasks ?? []).SelectMany(t => (t.Milestones ?? []).Select(m => (t.Number, m.TitleZh))).ToList();
        var used = new bool[got.Count];
        var matched = 0;
        foreach (var (n, title) in exp)
        {
            var best = -1;
            var bestScore = 0.0;
            for (var i = 0; i < got.Count; i++)
            {
                if (used[i] || got[i].Number != n) continue;
                var a = PlanText.Key(title);
                var b = PlanText.Key(got[i].TitleZh);
                var s = a.Contains(b) || b.Contains(a) ? 1 : PlanText.Similarity(a, b);
                if (s > bestScore) { bestScore = s; best = i; }
            }
            if (best >= 0 && bestScore >= 0.6) { used[best] = true; matched++; }
        }
        return new ElementScore("milestone titles", exp.Count, got.Count, matched);
    }

    private static List<string> Keys<T>(IEnumerable<T>? items, Func<T, string> key) => (items ?? []).Select(key).ToList();

    private static List<string> ClauseKeys(SeedFolder f) =>
        (f.Tasks.Tasks ?? []).SelectMany(t => (t.Clauses ?? []).Select(c => $"{t.Number}|{c.Seq}|{string.Join("、", c.Agencies ?? [])}")).ToList();

    private static List<string> TargetKeys(SeedFolder f)
    {
        string Key(string where, SeedTarget t) =>
            $"{where}|{t.Value?.ToString(CultureInfo.InvariantCulture)}|{t.Unit?.ToLowerInvariant()}|{t.Comparison}|{t.Kind}";
        return (f.Plan.HeadlineTargets ?? []).Select(t => Key("H", t))
            .Concat((f.Tasks.Tasks ?? []).SelectMany(t => (t.Targets ?? []).Select(x => Key($"T{t.Number}", x)))).ToList();
    }

    private static List<string> MilestoneKeys(SeedFolder f, bool distinct)
    {
        var keys = (f.Tasks.Tasks ?? []).SelectMany(t => (t.Milestones ?? []).Select(m => $"{t.Number}|{PlanText.Key(m.SourceText)}|{m.Recurrence}"));
        return distinct ? keys.Distinct().ToList() : keys.ToList();
    }

    /// <summary>Multiset matching: each expected key can be matched once.</summary>
    private static ElementScore Score(string element, List<string> expected, List<string> found)
    {
        var pool = expected.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var matched = 0;
        foreach (var k in found)
            if (pool.TryGetValue(k, out var n) && n > 0) { matched++; pool[k] = n - 1; }
        return new ElementScore(element, expected.Count, found.Count, matched);
    }

    public static string Table(IEnumerable<ElementScore> scores)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{"element",-18} {"expected",8} {"found",6} {"matched",8} {"precision",10} {"recall",8}");
        foreach (var s in scores)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{s.Element,-18} {s.Expected,8} {s.Found,6} {s.Matched,8} {s.Precision * 100,9:0.0}% {s.Recall * 100,7:0.0}%"));
        return sb.ToString();
    }

    /// <summary>The keys missing on either side, so a reviewer sees what the figures stand for.</summary>
    public static IEnumerable<string> Differences(SeedFolder expected, SeedFolder found)
    {
        foreach (var (name, e, f) in new[]
                 {
                     ("clause agencies", ClauseKeys(expected), ClauseKeys(found)),
                     ("targets", TargetKeys(expected), TargetKeys(found)),
                     ("milestones", MilestoneKeys(expected, true), MilestoneKeys(found, true)),
                 })
        {
            foreach (var k in e.Except(f)) yield return $"{name}: missed {k}";
            foreach (var k in f.Except(e)) yield return $"{name}: extra  {k}";
        }
    }
}
