using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Seeding.Import;
using TaskTracker.Features.Progress;
using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.PlanImport;

/// <summary>`plans import` and `plans rollover` as the command-line tool runs them, against the real service's database.</summary>
public class PlanCommandTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await PlanCommands.RunAsync(App.Services, ["plans", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<List<string>> LivePlans()
    {
        var plans = await (await App.CreateClient().GetAsync("/api/plans")).ReadJson<JsonElement>();
        return plans.EnumerateArray().Select(p => p.GetProperty("code").GetString()!).ToList();
    }

    [Fact]
    public async Task Importing_the_Guizhou_article_reproduces_the_curated_plan_to_at_least_95_percent()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir("import"), "gz");
        var (code, stdout, stderr) = await Run("import", "--text", Path.Combine(TestPaths.GuizhouSeed, "source.txt"), "--code", "guizhou-draft",
            "--out", outDir, "--compare", TestPaths.GuizhouSeed);
        Assert.True(code == 0, stderr);

        // The printed table: one line per element with precision and recall.
        var rows = stdout.Split('\n').Select(l => l.Trim()).ToList();
        foreach (var element in new[] { "sections", "tasks", "clause agencies", "targets", "milestones" })
        {
            var row = rows.Single(r => r.StartsWith(element + " ", StringComparison.Ordinal) && r.Contains('%'));
            var percents = row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => p.EndsWith('%'))
                .Select(p => double.Parse(p.TrimEnd('%'), CultureInfo.InvariantCulture)).ToList();
            Assert.True(percents.Count == 2 && percents.All(p => p >= 95.0), $"{element}: {row}");
        }

        // The same figures computed directly, so the assertion does not depend on the table's layout.
        var scores = PlanComparison.Compare(SeedLoader.Read(TestPaths.GuizhouSeed), SeedLoader.Read(outDir));
        Assert.Equal(5, scores.Count);
        foreach (var s in scores)
            Assert.True(s.Precision >= 0.95 && s.Recall >= 0.95, $"{s.Element}: precision {s.Precision:P1}, recall {s.Recall:P1}");
        Assert.Equal((36, 36), (scores[1].Expected, scores[1].Matched));
        Assert.Equal((71, 71), (scores[2].Expected, scores[2].Matched));

        // The draft is a complete seed folder: every quoted text is verbatim, every agency known, nothing to fix but English.
        var findings = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(Path.Combine(outDir, "findings.json")));
        Assert.Equal(0, findings.GetProperty("validationErrors").GetArrayLength());
        Assert.Equal(0, findings.GetProperty("unknownAgencies").GetArrayLength());
        Assert.True(findings.GetProperty("guessed").GetArrayLength() > 0);
        Assert.Contains("## Guessed", await File.ReadAllTextAsync(Path.Combine(outDir, "findings.md")));
        Assert.Empty(SeedValidator.Validate(SeedLoader.Read(outDir)));

        // Nothing reaches the live plans by importing.
        Assert.DoesNotContain("guizhou-draft", await LivePlans());
    }

    [Fact]
    public async Task A_reviewed_draft_is_published_through_the_seed_loader_and_shows_Chinese_where_English_is_empty()
    {
        var root = TestPaths.NewTempDir("publish");
        var text = Path.Combine(root, "plan.txt");
        await File.WriteAllTextAsync(text, PlanTexts.CityArabicDot);
        var catalogue = Path.Combine(root, "agencies.json");
        await File.WriteAllTextAsync(catalogue, PlanTexts.Catalogue);
        var draft = Path.Combine(root, "drafts", "demo-city-2026");
        var (code, _, stderr) = await Run("import", "--text", text, "--code", "demo-city-2026", "--out", draft, "--catalogue", catalogue);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("demo-city-2026", await LivePlans());

        // Publishing = the reviewed folder loaded by the same loader as every seed.
        using (var scope = App.Services.CreateScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAsync(SeedLoader.Read(draft), default));
        Assert.Contains("demo-city-2026", await LivePlans());
        var plan = await (await App.CreateClient().GetAsync("/api/plans/demo-city-2026")).ReadJson<JsonElement>();
        Assert.Equal("", plan.GetProperty("titleEn").GetString());
        Assert.Equal("示范市2026年数字经济工作要点", plan.GetProperty("titleZh").GetString());
        var tasks = await (await App.CreateClient().GetAsync("/api/plans/demo-city-2026/tasks?agency=district-governments")).ReadJson<JsonElement>();
        Assert.Equal(3, tasks.GetProperty("total").GetInt32()); // the standing note made the group answer for every task
    }

    [Theory]
    [InlineData("empty", "the text is empty")]
    [InlineData("gb2312", "not UTF-8")]
    [InlineData("no-tasks", "no numbered tasks")]
    public async Task Bad_input_is_refused_with_a_clear_error_and_nothing_is_written_or_published(string kind, string message)
    {
        var root = TestPaths.NewTempDir("bad");
        var text = Path.Combine(root, "plan.txt");
        await File.WriteAllBytesAsync(text, kind switch
        {
            "empty" => [],
            "gb2312" => [0xCA, 0xBE, 0xC0, 0xFD, 0xCA, 0xD0, 0x0A, 0xA3, 0xA8, 0xD2, 0xBB, 0xA3, 0xA9],
            _ => System.Text.Encoding.UTF8.GetBytes("某市2026年工作要点\n\n全年推进数字化转型。\n\n各部门要抓好落实。\n"),
        });
        var before = await LivePlans();
        var outDir = Path.Combine(root, "out");
        var (code, stdout, stderr) = await Run("import", "--text", text, "--code", "bad-2026", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(outDir));
        Assert.Empty(Directory.GetDirectories(root)); // no temporary folder left behind either
        Assert.Equal(before, await LivePlans());
    }

    [Fact]
    public async Task The_output_folder_is_never_an_existing_non_draft_folder_nor_under_the_seed_path()
    {
        var root = TestPaths.NewTempDir("out");
        var text = Path.Combine(root, "plan.txt");
        await File.WriteAllTextAsync(text, PlanTexts.PrefectureHalfWidth);
        var precious = Path.Combine(root, "precious");
        Directory.CreateDirectory(precious);
        await File.WriteAllTextAsync(Path.Combine(precious, "keep.txt"), "keep");
        var (code, _, stderr) = await Run("import", "--text", text, "--code", "pref-2028", "--out", precious);
        Assert.Equal(1, code);
        Assert.Contains("is not an earlier draft", stderr);
        Assert.Equal(["keep.txt"], Directory.GetFiles(precious).Select(Path.GetFileName));

        (code, _, stderr) = await Run("import", "--text", text, "--code", "pref-2028", "--out", Path.Combine(App.SeedRoot, "pref-2028"));
        Assert.Equal(1, code);
        Assert.Contains("must not be under the seed path", stderr);
        Assert.False(Directory.Exists(Path.Combine(App.SeedRoot, "pref-2028")));

        // An earlier draft is replaced by a new import.
        var draft = Path.Combine(root, "draft");
        Assert.Equal(0, (await Run("import", "--text", text, "--code", "pref-2028", "--out", draft)).Code);
        Assert.Equal(0, (await Run("import", "--text", text, "--code", "pref-2028", "--out", draft)).Code);
        Assert.Equal(["agencies.json", "findings.json", "findings.md", "plan.json", "source.txt", "tasks.json"],
            Directory.GetFiles(draft).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(new string[0], "a subcommand is required")]
    [InlineData(new[] { "improt", "--text", "x" }, "unknown subcommand 'improt'")]
    [InlineData(new[] { "import", "--txt", "x", "--code", "a" }, "unknown option '--txt'")]
    [InlineData(new[] { "import", "--code", "a" }, "--text and --code are required")]
    [InlineData(new[] { "rollover", "--from", "guizhou-2025" }, "--from and --to are required")]
    [InlineData(new[] { "import", "--text" }, "--text needs a value")]
    public async Task Unknown_subcommands_and_options_print_the_usage_and_fail(string[] args, string message)
    {
        var (code, stdout, stderr) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Contains("plans import --text FILE --code CODE", stderr);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("plan", "import")]
    [InlineData("tokns", "list")]
    public async Task A_command_the_tool_does_not_know_prints_the_usage_instead_of_starting_the_server(string command, string sub)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TaskTracker.Api.dll"));
        psi.ArgumentList.Add(command);
        psi.ArgumentList.Add(sub);
        psi.Environment["Database__SeedPath"] = "";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains($"unknown command '{command}'", await stderr);
        Assert.Contains("plans import --text FILE --code CODE", await stderr);
        Assert.Equal("", await stdout);
    }

    [Fact]
    public async Task The_service_binary_runs_plans_as_a_command_not_as_the_web_server()
    {
        var root = TestPaths.NewTempDir("binary");
        var text = Path.Combine(root, "plan.txt");
        await File.WriteAllTextAsync(text, PlanTexts.PrefectureHalfWidth);
        var catalogue = Path.Combine(root, "agencies.json");
        await File.WriteAllTextAsync(catalogue, PlanTexts.Catalogue);
        async Task<(int Code, string Out, string Err)> Binary(params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TaskTracker.Api.dll"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["Database__SeedPath"] = "";
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (p.ExitCode, await stdout, await stderr);
        }

        var ok = await Binary("plans", "import", "--text", text, "--code", "pref-2028", "--catalogue", catalogue);
        Assert.True(ok.Code == 0, ok.Err);
        Assert.StartsWith("Draft plan pref-2028 written to ", ok.Out);
        Assert.True(File.Exists(Path.Combine(root, "plan-drafts", "pref-2028", "findings.md"))); // the default folder
        var typo = await Binary("plans", "imprt");
        Assert.Equal(2, typo.Code);
        Assert.Contains("unknown subcommand 'imprt'", typo.Err);
        var empty = Path.Combine(root, "empty.txt");
        await File.WriteAllTextAsync(empty, "");
        var bad = await Binary("plans", "import", "--text", empty, "--code", "empty-2028", "--out", Path.Combine(root, "e"));
        Assert.Equal(1, bad.Code);
        Assert.Contains("the text is empty", bad.Err);
        Assert.False(Directory.Exists(Path.Combine(root, "e")));
    }

    [Fact]
    public async Task Rollover_takes_the_old_plans_agencies_and_final_accepted_figures_as_baselines()
    {
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero));
        var partners = await MeasureId("T01-1"); // 全省华为云生态伙伴 累计突破 100 家, cumulative
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var office = await As(Role.Office);
        async Task<ReportDto> File(decimal value, string asOf) =>
            await (await PostJson(reporter, $"/api/targets/{partners}/reports", TargetBody(value, asOf))).ReadJson<ReportDto>();
        async Task Review(ReportDto r, string decision)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{r.Id}/review") { Content = System.Net.Http.Json.JsonContent.Create(new { decision, comment = "核实" }) };
            request.Headers.TryAddWithoutValidation("If-Match", r.ETag);
            Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(request)).StatusCode);
        }
        var june = await File(86, "2025-06-30");
        await Review(june, "accept");
        var september = await File(92, "2025-09-30");
        await Review(september, "accept");
        var november = await File(97, "2025-11-30");
        await Review(november, "return");                 // returned: not an accepted figure
        var october = await File(95, "2025-10-31");
        await Review(october, "accept");
        var corrected = await (await PostJson(reporter, $"/api/reports/{october.Id}/corrections",
            new { value = 94, asOf = "2025-10-31", reason = "口径调整" })).ReadJson<ReportDto>(); // supersedes the accepted 95, not yet reviewed
        Assert.Equal(october.Id, corrected.Supersedes);

        // The new year's draft, imported from a text written for this test in the province's style.
        var root = TestPaths.NewTempDir("rollover");
        var text = Path.Combine(root, "2026.txt");
        await System.IO.File.WriteAllTextAsync(text, """
            贵州省数字经济2026年工作要点

            2026年，全省数字经济持续壮大。

            一、数据产业

            （一）扩大华为云生态。全省华为云生态伙伴累计突破 130 家。（责任单位：省大数据局）

            （二）建设数据标注基地。全省数据标注相关企业突破 90 户。新增数据标注企业 20 户。（责任单位：省大数据局，贵阳市人民政府）
            """);
        var draft = Path.Combine(root, "guizhou-2026");
        Assert.Equal(0, (await Run("import", "--text", text, "--code", "guizhou-2026", "--out", draft)).Code);
        var agenciesBefore = SeedLoader.Read(draft).Agencies.Agencies!.Count;

        var (code, stdout, stderr) = await Run("rollover", "--from", "guizhou-2025", "--to", "guizhou-2026", "--draft", draft);
        Assert.True(code == 0, stderr);
        var folder = SeedLoader.Read(draft);
        var t1 = folder.Tasks.Tasks![0].Targets!.Single();
        // The latest accepted, not superseded, whole-measure figure: 92 as of 30 September (95 was corrected, 97 returned).
        Assert.Equal(92m, t1.Baseline!.Value);
        Assert.Equal(new DateOnly(2025, 9, 30), t1.Baseline.AsOf);
        Assert.Equal(september.Id, t1.Baseline.FromReport);
        Assert.Equal(BaselineComparison.Exactly, t1.Baseline.Comparison);
        // A cumulative measure that carries over but was never accepted keeps no baseline and is listed; a new-in-year one takes none.
        var t2 = folder.Tasks.Tasks[1].Targets!;
        Assert.Null(t2[0].Baseline);
        Assert.Contains("T02-1", stdout.Split('\n').Single(l => l.Contains("skipped")));
        Assert.Equal(TargetKind.NewInYear, t2[1].Kind);
        Assert.Null(t2[1].Baseline);
        // The old plan's agencies come along under their codes; owner and oversight default to the old plan's.
        var codes = folder.Agencies.Agencies!.Select(a => a.Code).ToHashSet();
        Assert.True(codes.Count > agenciesBefore);
        Assert.Contains("comms-admin", codes);       // answers in 2025 though the 2026 text does not name it yet
        Assert.Contains("qiannan", codes);           // a member of 各市〔州〕人民政府
        Assert.Equal(("bigdata-bureau", "leading-group-office"), (folder.Plan.OwnerAgency, folder.Plan.OversightAgency));
        Assert.Empty(SeedValidator.Validate(folder));
        Assert.DoesNotContain("guizhou-2026", await LivePlans());

        // Published, the new plan's measure starts from last year's accepted figure.
        using (var scope = App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAsync(folder, default);
        var baseline = await App.WithDb(db => db.Targets.Where(t => t.Plan.Code == "guizhou-2026" && t.Code == "T01-1").Select(t => t.Baseline!.Value).SingleAsync());
        Assert.Equal(92m, baseline);
    }

    [Fact]
    public async Task Rollover_needs_an_existing_draft_and_a_live_old_plan()
    {
        var root = TestPaths.NewTempDir("rollover-bad");
        var (code, _, stderr) = await Run("rollover", "--from", "guizhou-2025", "--to", "nowhere-2026", "--draft", Path.Combine(root, "none"));
        Assert.Equal(1, code);
        Assert.Contains("run `plans import --code nowhere-2026` first", stderr);

        var text = Path.Combine(root, "t.txt");
        await File.WriteAllTextAsync(text, PlanTexts.PrefectureHalfWidth);
        var draft = Path.Combine(root, "d");
        Assert.Equal(0, (await Run("import", "--text", text, "--code", "pref-2028", "--out", draft)).Code);
        (code, _, stderr) = await Run("rollover", "--from", "no-such-plan", "--to", "pref-2028", "--draft", draft);
        Assert.Equal(1, code);
        Assert.Contains("no live plan 'no-such-plan'", stderr);
    }
}
