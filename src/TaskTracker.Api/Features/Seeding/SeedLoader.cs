using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding;

/// <summary>
/// Loads every plan folder under the seed path into the store. Idempotent: an unchanged folder (same hash) is
/// skipped; a revised one updates the plan in place, keyed by codes and numbers, and never touches progress data.
/// </summary>
internal sealed class SeedLoader(TaskTrackerDb db, TimeProvider clock, ILogger<SeedLoader> logger)
{
    public static string? ResolveSeedPath(string? configured, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        if (Path.IsPathRooted(configured)) return configured;
        // Next to the content root when run from the repository; next to the binaries when published or tested.
        foreach (var root in new[] { contentRoot, AppContext.BaseDirectory })
        {
            var candidate = Path.GetFullPath(Path.Combine(root, configured));
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.GetFullPath(Path.Combine(contentRoot, configured));
    }

    public static IReadOnlyList<SeedFolder> ReadAll(string seedRoot)
    {
        if (!Directory.Exists(seedRoot))
            throw new SeedValidationException([new SeedError(seedRoot, "$", "seed folder does not exist")]);
        var folders = new List<SeedFolder>();
        var errors = new List<SeedError>();
        foreach (var dir in Directory.GetDirectories(seedRoot).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "plan.json"))) continue;
            try
            {
                var folder = Read(dir);
                errors.AddRange(SeedValidator.Validate(folder));
                folders.Add(folder);
            }
            catch (SeedValidationException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        errors.AddRange(CrossPlanAgencyConflicts(folders));
        var planCodes = folders.GroupBy(f => f.Plan.Code).Where(g => g.Count() > 1);
        foreach (var dup in planCodes)
            errors.Add(new SeedError(Path.Combine(dup.Last().Path, "plan.json"), "$.code", $"plan code '{dup.Key}' is used by more than one folder"));
        if (errors.Count > 0) throw new SeedValidationException(errors);
        return folders;
    }

    public static SeedFolder Read(string dir)
    {
        var errors = new List<SeedError>();
        T? Parse<T>(string name, bool required) where T : class
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path))
            {
                if (required) errors.Add(new SeedError(path, "$", "file is missing"));
                return null;
            }
            try
            {
                var value = JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), SeedJson.Options);
                if (value is null) errors.Add(new SeedError(path, "$", "file is empty (null)"));
                return value;
            }
            catch (JsonException e)
            {
                var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
                errors.Add(new SeedError(path, e.Path ?? "$", FirstSentence(e.Message) + where));
                return null;
            }
        }

        var plan = Parse<SeedPlan>("plan.json", true);
        var tasks = Parse<SeedTasksFile>("tasks.json", true);
        var agencies = Parse<SeedAgenciesFile>("agencies.json", true);
        if (errors.Count > 0) throw new SeedValidationException(errors);
        var sourcePath = Path.Combine(dir, "source.txt");
        var source = File.Exists(sourcePath) ? File.ReadAllText(sourcePath) : null;
        return new SeedFolder(dir, plan!, tasks!, agencies!, source, HashFiles(dir));
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string HashFiles(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { "plan.json", "tasks.json", "agencies.json", "source.txt" })
        {
            var path = Path.Combine(dir, name);
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            if (File.Exists(path)) sha.AppendData(File.ReadAllBytes(path));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static IEnumerable<SeedError> CrossPlanAgencyConflicts(IReadOnlyList<SeedFolder> folders)
    {
        var seen = new Dictionary<string, (SeedAgency Agency, string File)>(StringComparer.Ordinal);
        foreach (var f in folders)
        foreach (var (a, i) in (f.Agencies.Agencies ?? []).Select((a, i) => (a, i)))
        {
            if (a.Code is null) continue;
            if (seen.TryGetValue(a.Code, out var prior) && (prior.Agency.NameZh != a.NameZh || prior.Agency.Kind != a.Kind))
                yield return new SeedError(Path.Combine(f.Path, "agencies.json"), $"$.agencies[{i}]",
                    $"agency '{a.Code}' differs from its entry in {prior.File} (the same code must mean the same agency in every plan)");
            else seen.TryAdd(a.Code, (a, Path.Combine(f.Path, "agencies.json")));
        }
    }

    public async Task<int> LoadAllAsync(string seedRoot, CancellationToken ct)
    {
        var folders = ReadAll(seedRoot);
        var loaded = 0;
        foreach (var folder in folders)
            if (await LoadAsync(folder, ct)) loaded++;
        return loaded;
    }

    /// <summary>Returns false when the plan is already loaded from identical files.</summary>
    public async Task<bool> LoadAsync(SeedFolder folder, CancellationToken ct)
    {
        var s = folder.Plan;
        var existing = await db.Plans.AsNoTracking().Where(p => p.Code == s.Code).Select(p => p.SeedHash).FirstOrDefaultAsync(ct);
        if (existing == folder.Hash)
        {
            logger.LogInformation("Plan {Plan} is up to date with {Folder}", s.Code, folder.Path);
            return false;
        }

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var agencies = await UpsertAgenciesAsync(folder.Agencies.Agencies!, ct);
            await UpsertPlanAsync(folder, agencies, ct);
            // Figures, names and leads come from the seed, and agencies are shared by every plan: every plan's data
            // version moves, in the same transaction, so no cached read or ETag outlives the old seed.
            await db.Plans.ExecuteUpdateAsync(u => u.SetProperty(p => p.Revision, p => p.Revision + 1), ct);
            await tx.CommitAsync(ct);
        });
        logger.LogInformation("Loaded plan {Plan} from {Folder}", s.Code, folder.Path);
        return true;
    }

    private async Task<Dictionary<string, Agency>> UpsertAgenciesAsync(List<SeedAgency> seed, CancellationToken ct)
    {
        var codes = seed.Select(a => a.Code!).ToList();
        var byCode = await db.Agencies.Include(a => a.Members).Where(a => codes.Contains(a.Code)).ToDictionaryAsync(a => a.Code, ct);
        foreach (var a in seed)
        {
            if (!byCode.TryGetValue(a.Code!, out var agency))
            {
                agency = new Agency { Code = a.Code!, NameZh = a.NameZh!, NameEn = a.NameEn!, Kind = a.Kind! };
                db.Agencies.Add(agency);
                byCode[a.Code!] = agency;
            }
            agency.NameZh = a.NameZh!;
            agency.ShortNameZh = a.ShortNameZh;
            agency.NameEn = a.NameEn!;
            agency.Kind = a.Kind!;
            agency.Aliases = a.Aliases?.ToList() ?? [];
        }
        await db.SaveChangesAsync(ct);
        foreach (var a in seed)
        {
            var group = byCode[a.Code!];
            var want = (a.Members ?? []).Select(m => byCode[m].Id).ToHashSet();
            group.Members.RemoveAll(m => !want.Contains(m.MemberId));
            foreach (var id in want.Where(id => group.Members.All(m => m.MemberId != id)))
                group.Members.Add(new AgencyGroupMember { GroupId = group.Id, MemberId = id });
        }
        await db.SaveChangesAsync(ct);

        // Names are resolved against the whole catalogue (other plans may have added agencies).
        return byCode;
    }

    private async Task UpsertPlanAsync(SeedFolder folder, Dictionary<string, Agency> agencies, CancellationToken ct)
    {
        var s = folder.Plan;
        var byName = new Dictionary<string, Agency>(StringComparer.Ordinal);
        foreach (var a in agencies.Values)
            foreach (var n in new[] { a.NameZh, a.ShortNameZh }.Concat(a.Aliases).Where(n => n is not null))
                byName[n!] = a;

        var plan = await db.Plans
            .Include(p => p.Sections)
            .Include(p => p.Tasks).ThenInclude(t => t.Clauses).ThenInclude(c => c.Agencies)
            .Include(p => p.Measures)
            .AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Code == s.Code, ct);
        if (plan is null)
        {
            plan = new Plan { Code = s.Code!, TitleZh = s.TitleZh!, TitleEn = s.TitleEn! };
            db.Plans.Add(plan);
        }
        plan.TitleZh = s.TitleZh!;
        plan.TitleEn = s.TitleEn!;
        plan.PeriodStart = s.PeriodStart!.Value;
        plan.PeriodEnd = s.PeriodEnd!.Value;
        plan.OwnerAgencyId = s.OwnerAgency is null ? null : agencies[s.OwnerAgency].Id;
        plan.OversightAgencyId = s.OversightAgency is null ? null : agencies[s.OversightAgency].Id;
        plan.SourceDocument = s.Source?.Document;
        plan.SourceArticle = s.Source?.Article;
        plan.SourcePublisher = s.Source?.Publisher;
        plan.SourceUrl = s.Source?.Url;
        plan.PreambleZh = s.PreambleZh;
        plan.ClosingZh = s.ClosingZh;
        plan.ReportingCadence = s.Reporting?.Cadence ?? ReportingCadence.Monthly;
        plan.ReportingGraceDays = s.Reporting?.GraceDays ?? 10;
        plan.StatusBasis = s.StatusBasis ?? StatusBasis.Reported;
        plan.SeedHash = folder.Hash;
        plan.SeededAtUtc = clock.GetUtcNow().UtcDateTime;

        foreach (var ss in s.Sections!)
        {
            var section = plan.Sections.FirstOrDefault(x => x.Number == ss.Number);
            if (section is null)
            {
                section = new Section { Number = ss.Number!.Value, Numeral = ss.Numeral!, TitleZh = ss.TitleZh!, TitleEn = ss.TitleEn! };
                plan.Sections.Add(section);
            }
            section.Numeral = ss.Numeral!;
            section.TitleZh = ss.TitleZh!;
            section.TitleEn = ss.TitleEn!;
        }
        await db.SaveChangesAsync(ct);

        var seedTasks = folder.Tasks.Tasks!;
        foreach (var st in seedTasks)
        {
            var section = plan.Sections.First(x => x.Number == st.Section);
            var task = plan.Tasks.FirstOrDefault(x => x.Number == st.Number);
            if (task is null)
            {
                task = new WorkTask { Number = st.Number!.Value, Numeral = "", TitleZh = "", TitleEn = "", TextZh = "", SummaryEn = "" };
                plan.Tasks.Add(task);
            }
            task.Section = section;
            task.Numeral = st.Numeral!;
            task.TitleZh = st.TitleZh!;
            task.TitleEn = st.TitleEn!;
            task.TextZh = st.TextZh!;
            task.SummaryEn = st.SummaryEn!;

            foreach (var sc in st.Clauses!)
            {
                var clause = task.Clauses.FirstOrDefault(c => c.Seq == sc.Seq);
                if (clause is null)
                {
                    clause = new Clause { Seq = sc.Seq!.Value, TextZh = "", TextEn = "", ResponsibleText = "" };
                    task.Clauses.Add(clause);
                }
                clause.TextZh = sc.TextZh!;
                clause.TextEn = sc.TextEn!;
                clause.ResponsibleText = sc.ResponsibleText!;
                clause.AndOthers = sc.AndOthers ?? false;
                var wanted = sc.Agencies!.Select((name, i) => (Agency: byName[name], Name: name, Position: i)).ToList();
                var same = clause.Agencies.Count == wanted.Count && clause.Agencies.OrderBy(x => x.Position)
                    .Zip(wanted).All(p => p.First.AgencyId == p.Second.Agency.Id && p.First.NameAsWritten == p.Second.Name);
                if (!same)
                {
                    clause.Agencies.Clear();
                    if (clause.Id != 0) await db.SaveChangesAsync(ct); // free the (clause, position) keys before re-adding
                    clause.Agencies.AddRange(wanted.Select(w => new ClauseAgency
                    {
                        AgencyId = w.Agency.Id, Position = w.Position, NameAsWritten = w.Name,
                        Role = w.Position == 0 ? AgencyRole.Lead : AgencyRole.Cooperating,
                    }));
                }
            }
            var removedClauses = task.Clauses.Where(c => st.Clauses!.All(sc => sc.Seq != c.Seq)).ToList();
            foreach (var c in removedClauses)
            {
                foreach (var m in plan.Measures.Where(m => m.ClauseId == c.Id)) m.ClauseId = null;
                task.Clauses.Remove(c);
            }
        }
        await db.SaveChangesAsync(ct);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordinal = 0;
        foreach (var ht in s.HeadlineTargets ?? [])
        {
            var carrier = ht.Tasks is [var n, ..] ? plan.Tasks.First(t => t.Number == n) : null;
            UpsertTarget(plan, ht, carrier, clause: null, headline: true, ordinal++);
            seen.Add(ht.Code!);
        }
        foreach (var st in seedTasks)
        {
            var task = plan.Tasks.First(t => t.Number == st.Number);
            ordinal = 0;
            foreach (var t in st.Targets ?? [])
            {
                UpsertTarget(plan, t, task, task.Clauses.First(c => c.Seq == t.Clause), headline: false, ordinal++);
                seen.Add(t.Code!);
            }
            foreach (var m in st.Milestones ?? [])
            {
                UpsertMilestone(plan, m, task, task.Clauses.First(c => c.Seq == m.Clause), ordinal++);
                seen.Add(m.Code!);
            }
        }
        // Measures dropped from the seed stay (reports may point at them) but stop counting.
        foreach (var m in plan.Measures.Where(m => !seen.Contains(m.Code))) m.Active = false;

        var removedTasks = plan.Tasks.Where(t => seedTasks.All(st => st.Number != t.Number)).ToList();
        foreach (var t in removedTasks)
        {
            foreach (var m in plan.Measures.Where(m => m.TaskId == t.Id)) { m.TaskId = null; m.ClauseId = null; m.Active = false; }
            plan.Tasks.Remove(t);
        }
        await db.SaveChangesAsync(ct);
        var removedSections = plan.Sections.Where(x => s.Sections!.All(ss => ss.Number != x.Number)).ToList();
        foreach (var x in removedSections) plan.Sections.Remove(x);
        await db.SaveChangesAsync(ct);
        await SyncPlannedValuesAsync(plan, (s.HeadlineTargets ?? []).Concat(seedTasks.SelectMany(t => t.Targets ?? [])), ct);
    }

    /// <summary>
    /// The seed's planned values (计划值) replace the ones the seed loaded before, when they differ. A list the office
    /// set through the API stands until the office changes it: a reload of the seed never overrides it.
    /// </summary>
    private async Task SyncPlannedValuesAsync(Plan plan, IEnumerable<SeedTarget> targets, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = plan.Measures.OfType<Target>().ToDictionary(t => t.Code, t => t.Id);
        var current = (await db.PlannedValues.Where(p => p.Measure.PlanId == plan.Id && p.RemovedAtUtc == null).ToListAsync(ct))
            .ToLookup(p => p.MeasureId);
        foreach (var t in targets)
        {
            if (!ids.TryGetValue(t.Code!, out var id)) continue;
            var inForce = current[id].OrderBy(p => p.PeriodEnd).ToList();
            if (inForce.Any(p => p.Source != PlannedValueSources.Seed))
            {
                logger.LogInformation("Plan {Plan}: {Code} keeps the planned values the office set; the seed's are not loaded over them", plan.Code, t.Code);
                continue;
            }
            var wanted = (t.PlannedValues ?? []).Select(p =>
            {
                PlannedValueRules.TryParse(p.Period, out _, out var end);
                return (Period: p.Period!.Trim(), End: end, Value: p.Value!.Value);
            }).OrderBy(p => p.End).ToList();
            if (wanted.SequenceEqual(inForce.Select(p => (p.Period, End: p.PeriodEnd, p.Value)))) continue;
            foreach (var old in inForce) old.RemovedAtUtc = now;
            db.PlannedValues.AddRange(wanted.Select(w => new PlannedValue
            {
                MeasureId = id, Period = w.Period, PeriodEnd = w.End, Value = w.Value, Source = PlannedValueSources.Seed, RecordedAtUtc = now,
            }));
        }
        await db.SaveChangesAsync(ct);
    }

    private void UpsertTarget(Plan plan, SeedTarget s, WorkTask? task, Clause? clause, bool headline, int ordinal)
    {
        var existing = plan.Measures.FirstOrDefault(m => m.Code == s.Code);
        if (existing is not null and not Target)
            throw new SeedValidationException([new SeedError(plan.Code, s.Code!, "was a milestone and is now a target; give it a new code")]);
        var t = (Target?)existing;
        if (t is null)
        {
            t = new Target { Code = s.Code!, MetricZh = "", MetricEn = "", Unit = "", UnitEn = "", SourceText = "" };
            plan.Measures.Add(t);
        }
        t.Active = true;
        t.IsHeadline = headline;
        t.Task = task;
        t.Clause = clause;
        t.Ordinal = ordinal;
        t.MetricZh = s.MetricZh!;
        t.MetricEn = s.MetricEn!;
        t.Value = s.Value!.Value;
        t.Unit = s.Unit!;
        t.UnitEn = s.UnitEn!;
        t.ValueAsWritten = s.ValueAsWritten;
        t.Comparison = s.Comparison!.Value;
        t.Kind = s.Kind!.Value;
        t.Direction = s.Direction!.Value;
        t.DueDate = s.DueDate!.Value;
        t.Weight = s.Weight ?? 1m;
        t.Cadence = s.Cadence;
        t.SourceText = s.SourceText!;
        t.Note = s.Note;
        t.Baseline = ToFigure(s.Baseline);
        t.Reference2024 = ToFigure(s.Reference2024);
    }

    private static Figure? ToFigure(SeedFigure? f) => f is null ? null : new Figure
    {
        Value = f.Value!.Value, Comparison = f.Comparison ?? BaselineComparison.Exactly, AsOf = f.AsOf,
        SourceText = f.SourceText, Source = f.Source, Note = f.Note,
    };

    private static void UpsertMilestone(Plan plan, SeedMilestone s, WorkTask task, Clause clause, int ordinal)
    {
        var existing = plan.Measures.FirstOrDefault(m => m.Code == s.Code);
        if (existing is not null and not Milestone)
            throw new SeedValidationException([new SeedError(plan.Code, s.Code!, "was a target and is now a milestone; give it a new code")]);
        var m = (Milestone?)existing;
        if (m is null)
        {
            m = new Milestone { Code = s.Code!, TitleZh = "", TitleEn = "", SourceText = "" };
            plan.Measures.Add(m);
        }
        m.Active = true;
        m.Task = task;
        m.Clause = clause;
        m.Ordinal = ordinal;
        m.TitleZh = s.TitleZh!;
        m.TitleEn = s.TitleEn!;
        m.Kind = s.Kind!.Value;
        m.Recurrence = s.Recurrence ?? Recurrence.None;
        m.DueDate = s.DueDate!.Value;
        m.Weight = s.Weight ?? 1m;
        m.Cadence = s.Cadence;
        m.SourceText = s.SourceText!;
        m.Note = s.Note;
    }
}
