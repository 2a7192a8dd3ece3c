using Microsoft.Extensions.Options;
using TaskTracker.Data;

namespace TaskTracker.Features.Seeding.Import;

/// <summary>
/// `plans import` reads a plan's published text into a draft folder with a findings report; `plans rollover` gives a
/// draft the previous plan's agencies and final accepted figures as baselines. Neither touches the live plans: a
/// draft goes live only when the office moves the reviewed folder under the seed path.
/// </summary>
internal static class PlanCommands
{
    public const string Usage = """
        usage:
          plans import --text FILE --code CODE [--out DIR] [--catalogue PATH] [--compare DIR]
              reads a plan's published text (UTF-8) and writes a draft plan folder (default plan-drafts/CODE) with
              findings.md / findings.json; --compare prints precision and recall against a curated plan folder
          plans rollover --from CODE --to CODE [--draft DIR]
              gives the draft of the new plan (default plan-drafts/CODE) the old plan's agencies and, where a
              cumulative measure carries over, the old plan's final accepted figure as its baseline
        """;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var sub = args.ElementAtOrDefault(1);
        if (sub is not ("import" or "rollover"))
        {
            await stderr.WriteLineAsync((sub is null ? "plans: a subcommand is required" : $"plans: unknown subcommand '{sub}'") + "\n" + Usage);
            return 2;
        }
        var (opts, bad) = Options(args.Skip(2).ToArray(), sub == "import" ? ["text", "code", "out", "catalogue", "compare"] : ["from", "to", "draft"]);
        if (bad is not null)
        {
            await stderr.WriteLineAsync($"plans {sub}: {bad}\n{Usage}");
            return 2;
        }
        try
        {
            return sub == "import"
                ? await ImportAsync(services, opts, stdout, stderr)
                : await RolloverAsync(services, opts, stdout, stderr);
        }
        catch (PlanImportException e)
        {
            await stderr.WriteLineAsync($"plans {sub}: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> ImportAsync(IServiceProvider services, Dictionary<string, string> opts, TextWriter stdout, TextWriter stderr)
    {
        if (!opts.TryGetValue("text", out var textPath) || !opts.TryGetValue("code", out var code))
        {
            await stderr.WriteLineAsync("plans import: --text and --code are required\n" + Usage);
            return 2;
        }
        if (!File.Exists(textPath)) throw new PlanImportException($"--text: file not found: {textPath}");
        if (new FileInfo(textPath).Length > 10 * 1024 * 1024) throw new PlanImportException("--text: the file is larger than 10 MB; a plan's text is far smaller");
        var catalogue = AgencyCatalogue.Load(opts.GetValueOrDefault("catalogue") ?? SeedRoot(services));
        var clock = services.GetRequiredService<TimeProvider>();
        var draft = PlanDraftBuilder.Build(PlanText.Decode(await File.ReadAllBytesAsync(textPath)), code, catalogue, clock);
        var outDir = opts.GetValueOrDefault("out") ?? Path.Combine("plan-drafts", code);
        var seedRoot = SeedRoot(services);
        if (seedRoot is not null && Path.GetFullPath(outDir).StartsWith(Path.GetFullPath(seedRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new PlanImportException("--out must not be under the seed path: a draft is published only after review");
        draft.WriteTo(outDir);

        var f = draft.Findings;
        await stdout.WriteLineAsync($"Draft plan {code} written to {Path.GetFullPath(outDir)}");
        await stdout.WriteLineAsync("Recognised: " + string.Join(", ", f.Recognised.Select(kv => $"{kv.Value} {kv.Key}")));
        await stdout.WriteLineAsync($"Could not place: {f.Unplaced.Count}; agencies not in the catalogue: {f.UnknownAgencies.Count}; guessed: {f.Guessed.Count}; " +
                                    $"still to translate: {f.NeedsTranslation.Count}; seed validation problems: {f.ValidationErrors.Count} (see findings.md)");
        if (opts.TryGetValue("compare", out var curated))
        {
            var expected = SeedLoader.Read(curated);
            var found = draft.AsFolder(outDir);
            await stdout.WriteLineAsync($"\nAgainst {curated}:");
            await stdout.WriteAsync(PlanComparison.Table(PlanComparison.Compare(expected, found)));
            await stdout.WriteAsync(PlanComparison.Table([PlanComparison.MilestoneTitles(expected, found)]).Split('\n', 2)[1]);
            foreach (var d in PlanComparison.Differences(expected, found)) await stdout.WriteLineAsync("  " + d);
        }
        return 0;
    }

    private static async Task<int> RolloverAsync(IServiceProvider services, Dictionary<string, string> opts, TextWriter stdout, TextWriter stderr)
    {
        if (!opts.TryGetValue("from", out var from) || !opts.TryGetValue("to", out var to))
        {
            await stderr.WriteLineAsync("plans rollover: --from and --to are required\n" + Usage);
            return 2;
        }
        var dir = opts.GetValueOrDefault("draft") ?? Path.Combine("plan-drafts", to);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TaskTrackerDb>();
        var result = await PlanRollover.RunAsync(db, from, to, dir, CancellationToken.None);
        await stdout.WriteLineAsync($"Draft {to} in {Path.GetFullPath(dir)} now starts from {from}: {result.AgenciesAdded} agencies added, " +
                                    $"{result.Baselines.Count} baselines from accepted reports, {result.Skipped.Count} measures not carried over");
        foreach (var b in result.Baselines) await stdout.WriteLineAsync("  baseline " + b);
        foreach (var s in result.Skipped) await stdout.WriteLineAsync("  skipped " + s);
        return 0;
    }

    private static string? SeedRoot(IServiceProvider services)
    {
        var opts = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var env = services.GetRequiredService<IHostEnvironment>();
        return SeedLoader.ResolveSeedPath(opts.SeedPath, env.ContentRootPath);
    }

    private static (Dictionary<string, string> Options, string? Error) Options(string[] args, string[] allowed)
    {
        var opts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return (opts, $"unexpected argument '{args[i]}'");
            var name = args[i][2..];
            if (name.Contains(':'))
            {
                // Host configuration (--Database:SqlitePath=…) is read by the host, not by the command.
                if (!name.Contains('=')) i++;
                continue;
            }
            if (!allowed.Contains(name)) return (opts, $"unknown option '--{name}'");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return (opts, $"--{name} needs a value");
            opts[name] = args[++i];
        }
        return (opts, null);
    }
}
