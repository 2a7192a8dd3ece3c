using System.Text;
using System.Text.RegularExpressions;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding;

internal sealed record SeedError(string File, string Path, string Message)
{
    public override string ToString() => $"{File}: {Path}: {Message}";
}

internal sealed class SeedValidationException(IReadOnlyList<SeedError> errors)
    : Exception("Seed data is invalid:\n" + string.Join("\n", errors.Select(e => "  " + e)))
{
    public IReadOnlyList<SeedError> Errors { get; } = errors;
}

/// <summary>
/// Checks a plan folder for completeness and internal consistency before anything is written, so a bad seed
/// stops start-up with every problem named by file and JSON path instead of loading half a plan.
/// </summary>
internal static partial class SeedValidator
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$")]
    private static partial Regex MeasureCodePattern();

    public static IReadOnlyList<SeedError> Validate(SeedFolder folder)
    {
        var v = new Collector(folder);
        var agencyIndex = ValidateAgencies(v, folder.Agencies);
        ValidatePlan(v, folder.Plan, agencyIndex);
        ValidateTasks(v, folder, agencyIndex);
        if (folder.SourceText is not null)
            ValidateVerbatim(v, folder);
        return v.Errors;
    }

    /// <summary>
    /// Measures nobody can file the whole figure for: the agency leading their clause (the first named; for a measure a
    /// task carries, the first of each clause) is a group, and a group cannot hold a token. Either a group without members
    /// (省有关部门和单位 on T14-1: nobody can file at all) or one whose members file only their parts (各市〔州〕人民政府 on
    /// M24-2). Not an error (the plan says so), but the office should assign a lead (分解落实).
    /// </summary>
    public static IReadOnlyList<string> Unfileable(SeedFolder folder)
    {
        var byName = new Dictionary<string, SeedAgency>();
        foreach (var a in folder.Agencies.Agencies ?? [])
            foreach (var name in new[] { a.NameZh, a.ShortNameZh }.Concat(a.Aliases ?? []).Concat([a.Code]))
                if (!string.IsNullOrWhiteSpace(name)) byName.TryAdd(name, a);
        bool CanHoldToken(string name) => !byName.TryGetValue(name, out var a) || a.Kind != AgencyKinds.Group;
        var result = new List<string>();
        foreach (var t in folder.Tasks.Tasks ?? [])
        {
            var clauses = (t.Clauses ?? []).Where(c => c.Seq is not null).ToDictionary(c => c.Seq!.Value, c => c.Agencies ?? []);
            IEnumerable<string> Leads(int? clause) => (clause is { } c ? new[] { clauses.GetValueOrDefault(c) ?? [] } : clauses.Values.AsEnumerable()).SelectMany(x => x.Take(1));
            var measures = (t.Targets ?? []).Select(x => (x.Code, x.Clause)).Concat((t.Milestones ?? []).Select(x => (x.Code, x.Clause)));
            foreach (var (code, clause) in measures)
            {
                var leads = Leads(clause).ToList();
                // A clause naming nobody falls back to the plan's owner, who can file.
                if (leads.Count > 0 && !leads.Any(CanHoldToken)) result.Add(code ?? "?");
            }
        }
        return result;
    }

    private sealed class Collector(SeedFolder folder)
    {
        public List<SeedError> Errors { get; } = [];
        public SeedFolder Folder { get; } = folder;
        public void Add(string file, string path, string message) => Errors.Add(new SeedError(Path.Combine(Folder.Path, file), path, message));

        public void Required(string file, string path, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) Add(file, path, "is required");
        }

        /// <summary>English renderings must be present, but an empty string is allowed: it marks a rendering still
        /// to be translated (an imported plan), and readers fall back to the Chinese.</summary>
        public void English(string file, string path, string? value)
        {
            if (value is null) Add(file, path, "is required (an empty string marks it as still to be translated)");
        }

        public void Required<T>(string file, string path, T? value) where T : struct
        {
            if (value is null) Add(file, path, "is required");
        }
    }

    /// <summary>Maps every Chinese name an agency goes by (canonical, short, aliases) to its code.</summary>
    private static Dictionary<string, string> ValidateAgencies(Collector v, SeedAgenciesFile file)
    {
        const string f = "agencies.json";
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        if (file.Agencies is null || file.Agencies.Count == 0)
        {
            v.Add(f, "$.agencies", "must list at least one agency");
            return byName;
        }
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < file.Agencies.Count; i++)
        {
            var a = file.Agencies[i];
            var p = $"$.agencies[{i}]";
            if (a.Code is null || !CodePattern().IsMatch(a.Code))
                v.Add(f, p + ".code", "must be lower-case letters, digits and '-'");
            else if (!codes.Add(a.Code))
                v.Add(f, p + ".code", $"duplicate code '{a.Code}'");
            v.Required(f, p + ".nameZh", a.NameZh);
            v.English(f, p + ".nameEn", a.NameEn);
            if (a.Kind is null || !AgencyKinds.All.Contains(a.Kind))
                v.Add(f, p + ".kind", $"must be one of: {string.Join(", ", AgencyKinds.All.Order())}");
            if (a.Code is null) continue;
            foreach (var name in new[] { a.NameZh, a.ShortNameZh }.Concat(a.Aliases ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Distinct())
            {
                if (byName.TryGetValue(name!, out var other) && other != a.Code)
                    v.Add(f, p, $"name '{name}' is also used by agency '{other}'");
                else
                    byName[name!] = a.Code;
            }
        }
        for (var i = 0; i < file.Agencies.Count; i++)
        {
            var a = file.Agencies[i];
            var members = a.Members ?? [];
            if (members.Count > 0 && a.Kind != AgencyKinds.Group)
                v.Add(f, $"$.agencies[{i}].members", "only a group may have members");
            for (var m = 0; m < members.Count; m++)
            {
                var member = file.Agencies.FirstOrDefault(x => x.Code == members[m]);
                if (member is null)
                    v.Add(f, $"$.agencies[{i}].members[{m}]", $"unknown agency code '{members[m]}'");
                else if (member.Kind == AgencyKinds.Group)
                    v.Add(f, $"$.agencies[{i}].members[{m}]", "a group cannot contain another group");
            }
        }
        return byName;
    }

    private static void ValidatePlan(Collector v, SeedPlan plan, Dictionary<string, string> agencies)
    {
        const string f = "plan.json";
        if (plan.Code is null || !CodePattern().IsMatch(plan.Code))
            v.Add(f, "$.code", "must be lower-case letters, digits and '-'");
        v.Required(f, "$.titleZh", plan.TitleZh);
        v.English(f, "$.titleEn", plan.TitleEn);
        v.Required(f, "$.periodStart", plan.PeriodStart);
        v.Required(f, "$.periodEnd", plan.PeriodEnd);
        if (plan.PeriodStart > plan.PeriodEnd)
            v.Add(f, "$.periodEnd", "must not be before periodStart");
        var codes = agencies.Values.ToHashSet();
        if (plan.OwnerAgency is not null && !codes.Contains(plan.OwnerAgency))
            v.Add(f, "$.ownerAgency", $"unknown agency code '{plan.OwnerAgency}'");
        if (plan.OversightAgency is not null && !codes.Contains(plan.OversightAgency))
            v.Add(f, "$.oversightAgency", $"unknown agency code '{plan.OversightAgency}'");
        if (plan.Reporting?.GraceDays is < 0 or > 90)
            v.Add(f, "$.reporting.graceDays", "must be between 0 and 90");

        if (plan.Sections is null || plan.Sections.Count == 0)
        {
            v.Add(f, "$.sections", "must list at least one section");
        }
        else
        {
            for (var i = 0; i < plan.Sections.Count; i++)
            {
                var s = plan.Sections[i];
                var p = $"$.sections[{i}]";
                if (s.Number != i + 1) v.Add(f, p + ".number", $"must be {i + 1} (sections are numbered in order from 1)");
                v.Required(f, p + ".numeral", s.Numeral);
                v.Required(f, p + ".titleZh", s.TitleZh);
                v.English(f, p + ".titleEn", s.TitleEn);
            }
        }
    }

    private static void ValidateTasks(Collector v, SeedFolder folder, Dictionary<string, string> agencies)
    {
        const string f = "tasks.json";
        var plan = folder.Plan;
        var tasks = folder.Tasks.Tasks;
        var measureCodes = new HashSet<string>(StringComparer.Ordinal);
        var sectionCount = plan.Sections?.Count ?? 0;

        if (tasks is null || tasks.Count == 0)
        {
            v.Add(f, "$.tasks", "must list at least one task");
            tasks = [];
        }

        var headline = plan.HeadlineTargets ?? [];
        for (var i = 0; i < headline.Count; i++)
        {
            var t = headline[i];
            var p = $"$.headlineTargets[{i}]";
            ValidateTarget(v, "plan.json", p, t, plan, measureCodes, clauseSeqs: null);
            var carriers = t.Tasks ?? [];
            if (carriers.Count > 1)
                v.Add("plan.json", p + ".tasks", "a headline target can be carried by at most one task");
            foreach (var n in carriers.Where(n => tasks.All(x => x.Number != n)))
                v.Add("plan.json", p + ".tasks", $"unknown task number {n}");
        }

        for (var i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            var p = $"$.tasks[{i}]";
            if (t.Number != i + 1) v.Add(f, p + ".number", $"must be {i + 1} (tasks are numbered in order from 1)");
            if (t.Section is null || t.Section < 1 || t.Section > sectionCount)
                v.Add(f, p + ".section", $"must name a section of plan.json (1..{sectionCount})");
            else if (i > 0 && tasks[i - 1].Section > t.Section)
                v.Add(f, p + ".section", "tasks must follow section order");
            v.Required(f, p + ".numeral", t.Numeral);
            v.Required(f, p + ".titleZh", t.TitleZh);
            v.English(f, p + ".titleEn", t.TitleEn);
            v.Required(f, p + ".textZh", t.TextZh);
            v.English(f, p + ".summaryEn", t.SummaryEn);

            var clauses = t.Clauses ?? [];
            if (clauses.Count == 0) v.Add(f, p + ".clauses", "a task needs at least one clause");
            var seqs = new HashSet<int>();
            for (var c = 0; c < clauses.Count; c++)
            {
                var cl = clauses[c];
                var cp = $"{p}.clauses[{c}]";
                if (cl.Seq != c + 1) v.Add(f, cp + ".seq", $"must be {c + 1}");
                else seqs.Add(c + 1);
                v.Required(f, cp + ".textZh", cl.TextZh);
                v.English(f, cp + ".textEn", cl.TextEn);
                v.Required(f, cp + ".responsibleText", cl.ResponsibleText);
                var names = cl.Agencies ?? [];
                if (names.Count == 0) v.Add(f, cp + ".agencies", "every clause needs at least one responsible agency");
                for (var a = 0; a < names.Count; a++)
                {
                    if (!agencies.ContainsKey(names[a]))
                        v.Add(f, $"{cp}.agencies[{a}]", $"'{names[a]}' is not in agencies.json (by name, short name or alias)");
                    else if (cl.ResponsibleText is not null && !cl.ResponsibleText.Contains(names[a], StringComparison.Ordinal)
                             && cl.StandingNote?.Contains(names[a], StringComparison.Ordinal) != true)
                        v.Add(f, $"{cp}.agencies[{a}]", $"'{names[a]}' does not appear in responsibleText");
                }
                if (names.Count != names.Distinct().Count())
                    v.Add(f, cp + ".agencies", "lists an agency twice");
            }

            var targets = t.Targets ?? [];
            for (var k = 0; k < targets.Count; k++)
                ValidateTarget(v, f, $"{p}.targets[{k}]", targets[k], plan, measureCodes, seqs);

            var milestones = t.Milestones ?? [];
            for (var k = 0; k < milestones.Count; k++)
            {
                var m = milestones[k];
                var mp = $"{p}.milestones[{k}]";
                ValidateMeasureCode(v, f, mp, m.Code, measureCodes);
                if (m.Clause is null || !seqs.Contains(m.Clause.Value)) v.Add(f, mp + ".clause", "must name a clause seq of this task");
                v.Required(f, mp + ".titleZh", m.TitleZh);
                v.English(f, mp + ".titleEn", m.TitleEn);
                v.Required(f, mp + ".kind", m.Kind);
                ValidateDue(v, f, mp, m.DueDate, plan);
                v.Required(f, mp + ".sourceText", m.SourceText);
                if (m.Weight is <= 0) v.Add(f, mp + ".weight", "must be positive");
            }

            foreach (var seq in seqs)
            {
                var carried = headline.Any(h => h.Tasks?.Contains(t.Number ?? -1) == true);
                if (!carried && !targets.Any(x => x.Clause == seq) && !milestones.Any(x => x.Clause == seq))
                    v.Add(f, $"{p}.clauses[{seq - 1}]", "has no target or milestone: progress on it could never be reported");
            }
        }
    }

    private static void ValidateMeasureCode(Collector v, string f, string p, string? code, HashSet<string> codes)
    {
        if (code is null || !MeasureCodePattern().IsMatch(code))
            v.Add(f, p + ".code", "is required (letters, digits, '.', '-')");
        else if (!codes.Add(code))
            v.Add(f, p + ".code", $"duplicate measure code '{code}'");
    }

    private static void ValidateDue(Collector v, string f, string p, DateOnly? due, SeedPlan plan)
    {
        if (due is null) v.Add(f, p + ".dueDate", "is required");
        else if (due < plan.PeriodStart || due > plan.PeriodEnd)
            v.Add(f, p + ".dueDate", $"{due:yyyy-MM-dd} is outside the plan period");
    }

    private static void ValidateTarget(Collector v, string f, string p, SeedTarget t, SeedPlan plan, HashSet<string> codes, HashSet<int>? clauseSeqs)
    {
        ValidateMeasureCode(v, f, p, t.Code, codes);
        if (clauseSeqs is not null && (t.Clause is null || !clauseSeqs.Contains(t.Clause.Value)))
            v.Add(f, p + ".clause", "must name a clause seq of this task");
        v.Required(f, p + ".metricZh", t.MetricZh);
        v.English(f, p + ".metricEn", t.MetricEn);
        v.Required(f, p + ".value", t.Value);
        v.Required(f, p + ".unit", t.Unit);
        v.English(f, p + ".unitEn", t.UnitEn);
        v.Required(f, p + ".comparison", t.Comparison);
        v.Required(f, p + ".kind", t.Kind);
        v.Required(f, p + ".direction", t.Direction);
        v.Required(f, p + ".sourceText", t.SourceText);
        ValidateDue(v, f, p, t.DueDate, plan);
        if (t.Weight is <= 0) v.Add(f, p + ".weight", "must be positive");
        if (t.Value < 0 && t.Kind != TargetKind.GrowthRate) v.Add(f, p + ".value", "must not be negative");
        if (t.Kind == TargetKind.GrowthRate && t.Unit != "%") v.Add(f, p + ".unit", "a growth-rate target is measured in %");
        if (t.Baseline is { } b)
        {
            v.Required(f, p + ".baseline.value", b.Value);
            v.Required(f, p + ".baseline.sourceText", b.SourceText);
            if (t.Kind is TargetKind.NewInYear or TargetKind.Annual)
                v.Add(f, p + ".baseline", "a new-in-year or annual target starts from zero each year; put a prior-year figure in reference2024");
            if (b.Value is { } bv && t.Value is { } tv && bv == tv)
                v.Add(f, p + ".baseline.value", "equals the target value, so completion could not be measured");
        }
        if (t.Reference2024 is { } r)
        {
            v.Required(f, p + ".reference2024.value", r.Value);
            v.Required(f, p + ".reference2024.sourceText", r.SourceText);
        }
        if (t.PlannedValues is { Count: > 0 } planned && t.Kind is { } kind && t.Direction is { } direction && t.Unit is { } unit
            && plan.PeriodStart is { } ps && plan.PeriodEnd is { } pe)
            foreach (var problem in PlannedValueRules.Check(planned.Select(x => new PlannedInput(x.Period, x.Value, x.Unit)).ToList(), kind, direction, unit, ps, pe))
                v.Add(f, p + ".plannedValues" + (problem.Index is { } i ? $"[{i}].{problem.Field}" : ""), problem.Message);
    }

    /// <summary>Every quoted Chinese string must occur in source.txt (white space and markdown emphasis ignored).</summary>
    private static void ValidateVerbatim(Collector v, SeedFolder folder)
    {
        var source = Normalise(folder.SourceText!);
        void Check(string file, string path, string? text)
        {
            if (!string.IsNullOrWhiteSpace(text) && !source.Contains(Normalise(text), StringComparison.Ordinal))
                v.Add(file, path, "is not found verbatim in source.txt");
        }

        Check("plan.json", "$.preambleZh", folder.Plan.PreambleZh);
        Check("plan.json", "$.closingZh", folder.Plan.ClosingZh);
        var headline = folder.Plan.HeadlineTargets ?? [];
        for (var i = 0; i < headline.Count; i++) CheckTarget("plan.json", $"$.headlineTargets[{i}]", headline[i]);
        var tasks = folder.Tasks.Tasks ?? [];
        for (var i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            Check("tasks.json", $"$.tasks[{i}].textZh", t.TextZh);
            for (var c = 0; c < (t.Clauses?.Count ?? 0); c++)
            {
                Check("tasks.json", $"$.tasks[{i}].clauses[{c}].textZh", t.Clauses![c].TextZh);
                Check("tasks.json", $"$.tasks[{i}].clauses[{c}].responsibleText", t.Clauses[c].ResponsibleText);
                Check("tasks.json", $"$.tasks[{i}].clauses[{c}].standingNote", t.Clauses[c].StandingNote);
            }
            for (var k = 0; k < (t.Targets?.Count ?? 0); k++) CheckTarget("tasks.json", $"$.tasks[{i}].targets[{k}]", t.Targets![k]);
            for (var k = 0; k < (t.Milestones?.Count ?? 0); k++)
                Check("tasks.json", $"$.tasks[{i}].milestones[{k}].sourceText", t.Milestones![k].SourceText);
        }

        void CheckTarget(string file, string p, SeedTarget t)
        {
            Check(file, p + ".sourceText", t.SourceText);
            if (t.Baseline?.FromReport is null) Check(file, p + ".baseline.sourceText", t.Baseline?.SourceText);
            Check(file, p + ".reference2024.sourceText", t.Reference2024?.SourceText);
        }
    }

    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
            if (!char.IsWhiteSpace(ch) && ch != '*') sb.Append(ch);
        return sb.ToString();
    }
}
