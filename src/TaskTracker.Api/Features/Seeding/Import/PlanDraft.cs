using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding.Import;

/// <summary>What the importer recognised, could not place or had to guess: the office's review list.</summary>
internal sealed record ImportFindings
{
    public required string Code { get; init; }
    public required Dictionary<string, int> Recognised { get; init; }
    public List<string> Unplaced { get; init; } = [];
    public List<string> UnknownAgencies { get; init; } = [];
    public List<string> Guessed { get; init; } = [];
    public List<string> Notes { get; init; } = [];
    public List<string> NeedsTranslation { get; init; } = [];
    public List<string> ValidationErrors { get; init; } = [];
}

/// <summary>A draft plan in the seed-data format, with its findings; nothing here touches the live plans.</summary>
internal sealed record PlanDraft(SeedPlan Plan, SeedTasksFile Tasks, SeedAgenciesFile Agencies, string SourceText, ImportFindings Findings)
{
    public static readonly JsonSerializerOptions WriteOptions = new(SeedJson.Options)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep Chinese readable in review
    };

    public SeedFolder AsFolder(string path) => new(path, Plan, Tasks, Agencies, SourceText, "");

    /// <summary>Writes the folder through a temporary sibling so that a failure leaves nothing half-written.</summary>
    public void WriteTo(string dir)
    {
        var full = Path.GetFullPath(dir);
        // Only an earlier draft is replaced; any other existing folder (a typo such as --out .) is left alone.
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, "findings.json")))
            throw new PlanImportException($"--out: {full} exists and is not an earlier draft; choose a new folder");
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllText(Path.Combine(temp, "plan.json"), JsonSerializer.Serialize(Plan, WriteOptions) + "\n");
            File.WriteAllText(Path.Combine(temp, "tasks.json"), JsonSerializer.Serialize(Tasks, WriteOptions) + "\n");
            File.WriteAllText(Path.Combine(temp, "agencies.json"), JsonSerializer.Serialize(Agencies, WriteOptions) + "\n");
            File.WriteAllText(Path.Combine(temp, "source.txt"), SourceText);
            File.WriteAllText(Path.Combine(temp, "findings.json"), JsonSerializer.Serialize(Findings, WriteOptions) + "\n");
            File.WriteAllText(Path.Combine(temp, "findings.md"), FindingsReport.Markdown(Findings));
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    public static PlanDraft Read(string dir)
    {
        var folder = SeedLoader.Read(dir);
        var findingsPath = Path.Combine(dir, "findings.json");
        var findings = File.Exists(findingsPath)
            ? JsonSerializer.Deserialize<ImportFindings>(File.ReadAllBytes(findingsPath), WriteOptions)!
            : new ImportFindings { Code = folder.Plan.Code ?? "", Recognised = [] };
        return new PlanDraft(folder.Plan, folder.Tasks, folder.Agencies, folder.SourceText ?? "", findings);
    }
}

/// <summary>Turns a parsed plan into seed records: codes, targets, milestones, agencies matched to the catalogue.</summary>
internal static partial class PlanDraftBuilder
{
    [GeneratedRegex(@"(20\d{2})\s*年")]
    private static partial Regex Year();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    public static partial Regex CodePattern();

    public static PlanDraft Build(string text, string code, AgencyCatalogue catalogue, TimeProvider clock)
    {
        if (!CodePattern().IsMatch(code)) throw new PlanImportException("--code must be lower-case letters, digits and '-' (e.g. guizhou-2026)");
        var parsed = PlanTextParser.Parse(text);
        var guessed = new List<string>();
        var notes = new List<string>(parsed.Notes);
        var unknown = new List<string>();
        var translate = new List<string>();
        var unplaced = new List<string>(parsed.Unplaced);

        var yearMatch = Year().Match(parsed.TitleZh);
        if (!yearMatch.Success) yearMatch = Year().Match(parsed.PreambleZh);
        int year;
        if (yearMatch.Success) year = int.Parse(yearMatch.Groups[1].Value);
        else
        {
            year = clock.GetUtcNow().Year;
            guessed.Add($"plan period: no year in the title or preamble, {year} assumed");
        }
        var periodStart = new DateOnly(year, 1, 1);
        var periodEnd = new DateOnly(year, 12, 31);

        // Agencies: every written name, matched to the catalogue; unknown ones get a placeholder to complete.
        var used = new List<SeedAgency>();
        var aliasesAdded = new Dictionary<string, List<string>>();
        var placeholders = 0;
        string Resolve(string written, string where)
        {
            var (agency, how) = catalogue.Match(written);
            if (agency is null)
            {
                var existing = used.FirstOrDefault(a => a.NameZh == written);
                if (existing is not null) return existing.Code!;
                unknown.Add($"“{written}” ({where}) is not in the catalogue; a placeholder agency was added: give it its code, English name and kind");
                placeholders++;
                var created = new SeedAgency
                {
                    Code = $"new-agency-{placeholders}", NameZh = written, ShortNameZh = written, Aliases = [written], NameEn = "",
                    Kind = written.StartsWith('各') || written.Contains("有关") ? AgencyKinds.Group
                        : written.EndsWith("州人民政府") ? "prefecture-government"
                        : written.EndsWith("人民政府") ? "city-government" : "provincial-department",
                    Members = [],
                };
                used.Add(created);
                translate.Add($"agencies.json: {created.Code}.nameEn");
                return created.Code!;
            }
            if (used.All(a => a.Code != agency.Code)) used.Add(agency);
            if (how == AgencyMatch.Prefix && !AgencyCatalogue.Names(agency).Contains(written))
            {
                if (!aliasesAdded.TryGetValue(agency.Code!, out var list)) aliasesAdded[agency.Code!] = list = [];
                if (!list.Contains(written))
                {
                    list.Add(written);
                    notes.Add($"“{written}” matched {agency.NameZh} ({agency.Code}) by the start of its name; added as an alias in the draft");
                }
            }
            return agency.Code!;
        }

        var tasks = new List<SeedTask>();
        var counts = new Dictionary<string, int> { ["sections"] = parsed.Sections.Count, ["tasks"] = 0, ["clauses"] = 0, ["headlineTargets"] = 0, ["targets"] = 0, ["milestones"] = 0 };

        // Headline targets: the figures of the preamble.
        var headline = new List<SeedTarget>();
        foreach (var sentence in PlanText.Sentences(parsed.PreambleZh))
        foreach (var phrase in PlanText.Phrases(sentence))
        foreach (var f in FigureReader.Targets(phrase))
        {
            var code2 = $"H{headline.Count + 1}";
            headline.Add(ToTarget(f, code2, null, phrase, periodEnd, null));
            NoteGuesses(f, code2);
        }

        foreach (var pt in parsed.Tasks)
        {
            var clauses = new List<SeedClause>();
            var targets = new List<SeedTarget>();
            var milestones = new List<SeedMilestone>();
            var tp = $"tasks[{pt.Number - 1}]";
            translate.Add($"tasks.json: {tp}.titleEn, {tp}.summaryEn");
            foreach (var (pc, ci) in pt.Clauses.Select((c, i) => (c, i + 1)))
            {
                foreach (var name in pc.Agencies) Resolve(name, $"task {pt.Numeral}, clause {ci}");
                clauses.Add(new SeedClause
                {
                    Seq = ci, TextZh = pc.TextZh, TextEn = "", ResponsibleText = pc.ResponsibleText, Agencies = pc.Agencies,
                    AndOthers = pc.AndOthers, StandingNote = pc.StandingNote,
                });
                translate.Add($"tasks.json: {tp}.clauses[{ci - 1}].textEn");
                foreach (var sentence in PlanText.Sentences(pc.TextZh))
                {
                    var placed = false;
                    var phrases = PlanText.Phrases(sentence).Select(p => (Text: p, Figures: FigureReader.Targets(p))).ToList();
                    var sentenceHasTarget = phrases.Any(p => p.Figures.Count > 0);
                    foreach (var (phrase, figures) in phrases)
                    {
                        foreach (var f in figures)
                        {
                            placed = true;
                            // A task restating a headline figure carries that measure rather than a second copy.
                            var same = headline.FirstOrDefault(h => h.Value == f.Value && string.Equals(h.Unit, f.Unit, StringComparison.OrdinalIgnoreCase)
                                                                    && h.Comparison == f.Comparison && h.Kind == f.Kind && (h.Tasks ?? []).Count == 0
                                                                    && PlanText.Similarity(h.MetricZh, f.MetricZh) >= 0.3);
                            if (same is not null)
                            {
                                same.Tasks!.Add(pt.Number);
                                notes.Add($"task {pt.Numeral} restates headline target {same.Code} ({f.ValueAsWritten}); the task carries it");
                                continue;
                            }
                            var tcode = $"T{pt.Number:00}-{targets.Count + 1}";
                            targets.Add(ToTarget(f, tcode, ci, sentence, periodEnd, null));
                            NoteGuesses(f, tcode);
                        }
                        if (figures.Count > 0) continue;
                        // In a sentence with a target, the target measures the generic actions around it; only a
                        // phrase naming a concrete output (document, system, project, mechanism, event) is a deliverable.
                        if (FigureReader.Milestone(phrase, sentence, year) is { } m && (m.Kind != MilestoneKind.Other || !sentenceHasTarget))
                        {
                            placed = true;
                            milestones.Add(new SeedMilestone
                            {
                                Code = $"M{pt.Number:00}-{milestones.Count + 1}", Clause = ci, TitleZh = m.TitleZh, TitleEn = "", Kind = m.Kind,
                                DueDate = m.DueDate ?? periodEnd, Recurrence = m.Recurrence, SourceText = sentence, Note = m.DueNote,
                            });
                        }
                    }
                    if (!placed) unplaced.Add($"task {pt.Numeral}, clause {ci}: no target or deliverable recognised in “{sentence}”");
                }
            }
            unplaced.AddRange(pt.Unplaced);
            tasks.Add(new SeedTask
            {
                Number = pt.Number, Numeral = pt.Numeral, Section = pt.Section, TitleZh = pt.TitleZh, TitleEn = "",
                TextZh = pt.TextZh, SummaryEn = "", Clauses = clauses, Targets = targets, Milestones = milestones,
            });
            counts["clauses"] += clauses.Count;
            counts["targets"] += targets.Count;
            counts["milestones"] += milestones.Count;
        }
        counts["tasks"] = tasks.Count;
        counts["headlineTargets"] = headline.Count;
        foreach (var t in tasks)
        {
            for (var k = 0; k < t.Targets!.Count; k++) translate.Add($"tasks.json: {t.Targets[k].Code}.metricEn, unitEn");
            for (var k = 0; k < t.Milestones!.Count; k++) translate.Add($"tasks.json: {t.Milestones[k].Code}.titleEn");
        }
        foreach (var h in headline) translate.Add($"plan.json: {h.Code}.metricEn, unitEn");
        translate.Insert(0, "plan.json: titleEn and every sections[].titleEn");

        // The agency that leads most clauses answers for headline targets no task carries.
        var owner = tasks.SelectMany(t => t.Clauses!).Select(c => c.Agencies!.FirstOrDefault()).Where(n => n is not null)
            .GroupBy(n => catalogue.Match(n!).Agency?.Code ?? used.FirstOrDefault(a => a.NameZh == n)?.Code)
            .Where(g => g.Key is not null).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        if (owner is not null) guessed.Add($"plan.json ownerAgency: {owner}, the agency that leads the most clauses");

        // A group's known members come along, so the draft's catalogue is complete on its own.
        foreach (var member in used.Where(a => a.Kind == AgencyKinds.Group).SelectMany(a => a.Members ?? []).ToList())
            if (used.All(a => a.Code != member) && catalogue.All.FirstOrDefault(a => a.Code == member) is { } m) used.Add(m);
        var agencies = used.Select(a => aliasesAdded.TryGetValue(a.Code!, out var extra)
            ? a with { Aliases = (a.Aliases ?? []).Concat(extra).Distinct().ToList() } : a).ToList();
        var plan = new SeedPlan
        {
            Code = code, TitleZh = parsed.TitleZh, TitleEn = "", PeriodStart = periodStart, PeriodEnd = periodEnd,
            OwnerAgency = owner,
            Source = new SeedSource { Document = "imported with `plans import`", Article = parsed.TitleZh, Publisher = parsed.Publisher },
            PreambleZh = parsed.PreambleZh.Length > 0 ? parsed.PreambleZh : null,
            ClosingZh = parsed.ClosingZh,
            Reporting = new SeedReporting { Cadence = ReportingCadence.Monthly, GraceDays = 10 },
            Sections = parsed.Sections.Select(s => new SeedSection { Number = s.Number, Numeral = s.Numeral, TitleZh = s.TitleZh, TitleEn = "" }).ToList(),
            HeadlineTargets = headline,
        };
        var findings = new ImportFindings
        {
            Code = code, Recognised = counts, Unplaced = unplaced, UnknownAgencies = unknown, Guessed = guessed, Notes = notes,
            NeedsTranslation = translate,
        };
        var draft = new PlanDraft(plan, new SeedTasksFile { Tasks = tasks }, new SeedAgenciesFile { Agencies = agencies }, text, findings);
        findings.ValidationErrors.AddRange(SeedValidator.Validate(draft.AsFolder(code)).Select(e => $"{Path.GetFileName(e.File)}: {e.Path}: {e.Message}"));
        return draft;

        void NoteGuesses(FoundTarget f, string code2)
        {
            var what = new List<string>();
            if (f.KindGuessed) what.Add($"kind {Kebab(f.Kind)}");
            if (f.ComparisonGuessed) what.Add($"comparison {Kebab(f.Comparison)} (bare figure)");
            if (f.UnitGuessed) what.Add($"unit {f.Unit} ({f.UnitNote})");
            if (what.Count > 0) guessed.Add($"{code2} “{f.ValueAsWritten}” in “{f.Phrase}”: guessed {string.Join(", ", what)}");
        }
    }

    private static SeedTarget ToTarget(FoundTarget f, string code, int? clause, string sourceText, DateOnly due, List<int>? tasks) => new()
    {
        Code = code, Clause = clause, MetricZh = f.MetricZh, MetricEn = "", Value = f.Value, Unit = f.Unit, UnitEn = "",
        ValueAsWritten = f.ValueAsWritten, Comparison = f.Comparison, Kind = f.Kind, Direction = f.Direction, DueDate = due,
        Tasks = clause is null ? tasks ?? [] : null, SourceText = sourceText,
        Note = f.Multiplier == "万" && f.Unit != "万元" ? $"written {f.ValueAsWritten}: 万 multiplied out" : null,
    };

    public static string Kebab<T>(T value) where T : struct, Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}

internal static class FindingsReport
{
    public static string Markdown(ImportFindings f)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"# Import findings for {f.Code}").AppendLine();
        sb.AppendLine("Recognised: " + string.Join(", ", f.Recognised.Select(kv => $"{kv.Value} {kv.Key}"))).AppendLine();
        void Section(string title, List<string> items)
        {
            sb.AppendLine($"## {title} ({items.Count})").AppendLine();
            foreach (var i in items) sb.AppendLine("- " + i);
            sb.AppendLine();
        }
        Section("Could not place", f.Unplaced);
        Section("Agencies not in the catalogue", f.UnknownAgencies);
        Section("Guessed (kind, comparison or unit of a target; other readings)", f.Guessed);
        Section("Notes", f.Notes);
        Section("Still to translate (English left empty; the page shows the Chinese)", f.NeedsTranslation);
        Section("Seed validation (must be empty before publishing)", f.ValidationErrors);
        return sb.ToString();
    }
}
