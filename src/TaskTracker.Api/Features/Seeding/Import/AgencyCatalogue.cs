
namespace TaskTracker.Features.Seeding.Import;

/// <summary>How a written agency name was matched to the catalogue.</summary>
internal enum AgencyMatch { Exact, Prefix, Unknown }

/// <summary>
/// The agencies catalogue the importer matches written names against: every agencies.json under the seed path
/// (codes are shared across plans), or one file given on the command line.
/// </summary>
internal sealed class AgencyCatalogue
{
    private readonly List<SeedAgency> agencies = [];
    private readonly Dictionary<string, SeedAgency> byName = new(StringComparer.Ordinal);

    public IReadOnlyList<SeedAgency> All => agencies;

    public AgencyCatalogue(IEnumerable<SeedAgency> entries)
    {
        foreach (var a in entries)
        {
            if (a.Code is null || agencies.Any(x => x.Code == a.Code)) continue;
            agencies.Add(a);
            foreach (var n in Names(a)) byName.TryAdd(n, a);
        }
    }

    public static IEnumerable<string> Names(SeedAgency a) =>
        new[] { a.NameZh, a.ShortNameZh }.Concat(a.Aliases ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).Distinct();

    /// <summary>Reads one agencies.json, or every plan folder's agencies.json under a seed root.</summary>
    public static AgencyCatalogue Load(string? path)
    {
        if (path is null || !(File.Exists(path) || Directory.Exists(path))) return new AgencyCatalogue([]);
        var files = File.Exists(path) ? [path]
            : File.Exists(Path.Combine(path, "agencies.json")) ? [Path.Combine(path, "agencies.json")]
            : Directory.GetDirectories(path).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "agencies.json")).Where(File.Exists).ToArray();
        var entries = new List<SeedAgency>();
        foreach (var f in files)
        {
            try
            {
                var file = System.Text.Json.JsonSerializer.Deserialize<SeedAgenciesFile>(File.ReadAllBytes(f), SeedJson.Options);
                entries.AddRange(file?.Agencies ?? []);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new PlanImportException($"the agencies catalogue {f} cannot be read: {e.Message}");
            }
        }
        return new AgencyCatalogue(entries);
    }

    /// <summary>
    /// Full, short or alias name first; then a written name that begins exactly one catalogue name
    /// (各市〔州〕 → 各市〔州〕人民政府). Anything else is reported as not in the catalogue.
    /// </summary>
    public (SeedAgency? Agency, AgencyMatch How) Match(string written)
    {
        if (byName.TryGetValue(written, out var exact)) return (exact, AgencyMatch.Exact);
        if (written.Length >= 3)
        {
            var candidates = agencies.Where(a => Names(a).Any(n => n.StartsWith(written, StringComparison.Ordinal))).ToList();
            if (candidates.Count == 1) return (candidates[0], AgencyMatch.Prefix);
        }
        return (null, AgencyMatch.Unknown);
    }
}
