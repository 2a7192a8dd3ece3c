using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace TaskTracker.Tests.Architecture;

/// <summary>
/// The house rules of docs/adr/0007-module-layout.md, checked on the compiled assembly:
/// <list type="bullet">
/// <item>a module (TaskTracker.Features.X) depends on Domain, Data, Common and Standing only, never on another module;</item>
/// <item>Common depends on no module, on Standing and on the command line; Standing on no module;</item>
/// <item>Domain depends on nothing of the web host (no module, Common, Standing, Data, ASP.NET Core);</item>
/// <item>the composition roots may use every module: Program (the host's table of contents) and Cli (the command-line
///   tool). No module uses them. Seeding is an ordinary module (it writes through Data and Domain only);</item>
/// <item>only the clock reads system time: one registration of TimeProvider.System in Common, and no DateTime.Now /
///   UtcNow / Today or DateTimeOffset.Now / UtcNow anywhere else in src (NetArchTest cannot see member calls, so this one
///   reads the sources, migrations excepted).</item>
/// </list>
/// </summary>
public class LayoutTests
{
    private static readonly Assembly Api = typeof(TaskTracker.Common.WriteStep).Assembly;

    private static readonly string[] Modules = Types.InAssembly(Api).GetTypes()
        .Select(t => t.Namespace ?? "")
        .Where(n => n.StartsWith("TaskTracker.Features.", StringComparison.Ordinal))
        .Select(n => n.Split('.')[2]).Distinct().Order().ToArray();

    public static TheoryData<string> ModuleNames()
    {
        var data = new TheoryData<string>();
        foreach (var m in Modules) data.Add(m);
        return data;
    }

    [Fact]
    public void The_expected_modules_exist()
    {
        Assert.Equal(["Access", "Agencies", "Audit", "Bulletin", "Dashboards", "Evidence", "Notifications", "Operations", "Oversight", "Plans", "Progress", "Reach", "Seeding"], Modules);
    }

    [Theory]
    [MemberData(nameof(ModuleNames))]
    public void A_module_depends_on_no_other_module_nor_on_the_composition_roots(string module)
    {
        var others = Modules.Where(m => m != module).Select(m => $"TaskTracker.Features.{m}").Append("TaskTracker.Cli").ToArray();
        var result = Types.InAssembly(Api).That().ResideInNamespace($"TaskTracker.Features.{module}")
            .ShouldNot().HaveDependencyOnAny(others).GetResult();
        Assert.True(result.IsSuccessful, $"{module} uses another module: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Theory]
    [MemberData(nameof(ModuleNames))]
    public void A_module_registers_itself_in_one_module_class(string module)
    {
        var type = Api.GetType($"TaskTracker.Features.{module}.{module}Module");
        Assert.NotNull(type);
        var methods = type!.GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => m.Name).ToList();
        Assert.Contains($"Add{module}", methods);
    }

    [Fact]
    public void The_dependency_rules_see_a_real_dependency()
    {
        // Guards the rules above against passing vacuously: the command-line tool does use the Access module.
        var result = Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Cli").And().HaveNameStartingWith("TokenCommands")
            .Should().HaveDependencyOn("TaskTracker.Features.Access").GetResult();
        Assert.True(result.IsSuccessful);
        Assert.NotEmpty(Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Cli").GetTypes());
    }

    [Fact]
    public void Common_depends_on_no_module_nor_on_standing()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Common")
            .ShouldNot().HaveDependencyOnAny("TaskTracker.Features", "TaskTracker.Standing", "TaskTracker.Cli").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Standing_depends_on_no_module()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Standing")
            .ShouldNot().HaveDependencyOnAny("TaskTracker.Features", "TaskTracker.Cli").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Data_depends_only_on_the_domain()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Data")
            .ShouldNot().HaveDependencyOnAny("TaskTracker.Features", "TaskTracker.Common", "TaskTracker.Standing", "TaskTracker.Cli").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Domain_knows_nothing_of_the_web_host()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace("TaskTracker.Domain")
            .ShouldNot().HaveDependencyOnAny("TaskTracker.Features", "TaskTracker.Common", "TaskTracker.Standing", "TaskTracker.Data",
                "TaskTracker.Cli", "Microsoft.AspNetCore").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Only_the_clock_reads_system_time()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(files);
        var systemTime = new Regex(@"\bDateTime(Offset)?\s*\.\s*(UtcNow|Now|Today)\b|\bTimeProvider\s*\.\s*System\b");
        var hits = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => systemTime.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(src, x.f)}:{x.i + 1}: {x.line.Trim()}").ToList();
        // The one place: Common registers the system clock as the TimeProvider every other type receives.
        var clock = Path.Combine("TaskTracker.Api", "Common", "CommonSetup.cs");
        Assert.Single(hits, h => h.StartsWith(clock + ":", StringComparison.Ordinal) && h.Contains("TimeProvider.System"));
        Assert.DoesNotContain(hits, h => !h.StartsWith(clock + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void The_clock_scan_sees_a_read_of_system_time()
    {
        // Guards the scan above against a pattern that matches nothing.
        var systemTime = new Regex(@"\bDateTime(Offset)?\s*\.\s*(UtcNow|Now|Today)\b|\bTimeProvider\s*\.\s*System\b");
        Assert.Matches(systemTime, "var d = DateTime.UtcNow;");
        Assert.Matches(systemTime, "DateTimeOffset.Now");
        Assert.DoesNotMatch(systemTime, "clock.GetUtcNow().UtcDateTime");
    }

    [Fact]
    public void No_module_opens_a_transaction_of_its_own()
    {
        // Every change goes through WriteStep, which opens the one transaction (audit, outbox, idempotency, revision).
        // The seed loader is the one exception: it loads whole plans and bumps every plan's revision itself (ADR 0008).
        var features = Path.Combine(RepoRoot(), "src", "TaskTracker.Api", "Features");
        var files = Directory.EnumerateFiles(features, "*.cs", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        var opens = new Regex(@"\bBeginTransaction(Async)?\s*\(");
        var hits = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => opens.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(features, x.f)}:{x.i + 1}: {x.line.Trim()}").ToList();
        var seedLoader = Path.Combine("Seeding", "SeedLoader.cs");
        Assert.Single(hits, h => h.StartsWith(seedLoader + ":", StringComparison.Ordinal)); // guards the scan against matching nothing
        Assert.DoesNotContain(hits, h => !h.StartsWith(seedLoader + ":", StringComparison.Ordinal));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TaskTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException("TaskTracker.sln not found above " + AppContext.BaseDirectory);
    }
}
