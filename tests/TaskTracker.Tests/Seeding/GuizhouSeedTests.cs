using TaskTracker.Domain;
using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Seeding;

/// <summary>The Guizhou seed must render the plan faithfully: these tests check it the way an official would.</summary>
public class GuizhouSeedTests
{
    private static readonly SeedFolder Seed = SeedLoader.Read(TestPaths.GuizhouSeed);
    private static List<SeedTask> Tasks => Seed.Tasks.Tasks!;
    private static SeedTask Task(int n) => Tasks.Single(t => t.Number == n);
    private static SeedTarget Target(string code) =>
        Tasks.SelectMany(t => t.Targets ?? []).Concat(Seed.Plan.HeadlineTargets!).Single(t => t.Code == code);

    private static HashSet<string> CatalogueNames() => Seed.Agencies.Agencies!
        .SelectMany(a => new[] { a.NameZh, a.ShortNameZh }.Concat(a.Aliases ?? []))
        .Where(n => n is not null).Select(n => n!).ToHashSet();

    [Fact]
    public void Seed_passes_the_loader_validation_including_the_verbatim_check()
    {
        Assert.NotNull(Seed.SourceText);
        Assert.Empty(SeedValidator.Validate(Seed));
    }

    [Fact]
    public void Plan_identity_and_period()
    {
        Assert.Equal("guizhou-2025", Seed.Plan.Code);
        Assert.Equal("贵州省建设数字经济发展创新区 2025 年工作重点", Seed.Plan.TitleZh);
        Assert.Equal(new DateOnly(2025, 1, 1), Seed.Plan.PeriodStart);
        Assert.Equal(new DateOnly(2025, 12, 31), Seed.Plan.PeriodEnd);
        Assert.Equal("leading-group-office", Seed.Plan.OversightAgency);
    }

    [Fact]
    public void Thirty_six_tasks_sit_in_the_right_five_sections()
    {
        Assert.Equal(["一", "二", "三", "四", "五"], Seed.Plan.Sections!.Select(s => s.Numeral));
        Assert.Equal(Enumerable.Range(1, 36), Tasks.Select(t => t.Number!.Value));
        int[][] expected = [[1, 7], [8, 12], [13, 19], [20, 30], [31, 36]];
        for (var s = 0; s < 5; s++)
            Assert.Equal(Enumerable.Range(expected[s][0], expected[s][1] - expected[s][0] + 1),
                Tasks.Where(t => t.Section == s + 1).Select(t => t.Number!.Value));
        Assert.Equal("狠抓数据产业高质量发展", Seed.Plan.Sections![0].TitleZh);
        Assert.Equal("狠抓要素支撑保障", Seed.Plan.Sections![4].TitleZh);
    }

    [Fact]
    public void Every_clause_has_agencies_all_of_them_in_the_catalogue()
    {
        var names = CatalogueNames();
        foreach (var t in Tasks)
        {
            Assert.NotEmpty(t.Clauses!);
            foreach (var c in t.Clauses!)
            {
                Assert.NotEmpty(c.Agencies!);
                Assert.All(c.Agencies!, a => Assert.Contains(a, names));
                Assert.False(string.IsNullOrWhiteSpace(c.TextEn));
            }
        }
    }

    [Fact]
    public void Every_target_has_value_unit_kind_comparison_direction_and_due_date()
    {
        var all = Tasks.SelectMany(t => t.Targets ?? []).Concat(Seed.Plan.HeadlineTargets!).ToList();
        Assert.True(all.Count >= 25, $"expected about two dozen task targets plus 7 headline targets, got {all.Count}");
        Assert.All(all, t =>
        {
            Assert.NotNull(t.Value);
            Assert.False(string.IsNullOrWhiteSpace(t.Unit));
            Assert.NotNull(t.Kind);
            Assert.NotNull(t.Comparison);
            Assert.NotNull(t.Direction);
            Assert.NotNull(t.DueDate);
            Assert.False(string.IsNullOrWhiteSpace(t.SourceText));
        });
        Assert.All(Tasks.SelectMany(t => t.Milestones ?? []), m => Assert.NotNull(m.DueDate));
    }

    [Fact]
    public void Seven_headline_targets_as_written()
    {
        var h = Seed.Plan.HeadlineTargets!;
        Assert.Equal(7, h.Count);
        (decimal Value, string Unit)[] expected = [(20, "%"), (150, "EFLOPS"), (265, "亿元"), (3, "个"), (50, "个"), (10, "个"), (100, "家")];
        Assert.Equal(expected, h.Select(t => (t.Value!.Value, t.Unit!)));
        var compute = h[1];
        Assert.Equal("150Efllops", compute.ValueAsWritten); // the source's own typo, kept so officials can match it
        Assert.Equal(55, compute.Baseline!.Value);
        Assert.Equal(BaselineComparison.MoreThan, compute.Baseline.Comparison);
        Assert.Equal([8], compute.Tasks!);
        Assert.Equal(TargetKind.GrowthRate, h[0].Kind);
        Assert.Equal(Comparison.About, h[0].Comparison);
    }

    [Theory]
    [InlineData("T02-1", 240, "亿元", nameof(TargetKind.Annual))]
    [InlineData("T02-2", 70, "户", nameof(TargetKind.Cumulative))]
    [InlineData("T03-1", 100, "户", nameof(TargetKind.NewInYear))]
    [InlineData("T05-1", 1600, "户", nameof(TargetKind.Cumulative))]
    [InlineData("T06-1", 500, "亿元", nameof(TargetKind.Annual))]
    [InlineData("T11-1", 10000, "个", nameof(TargetKind.NewInYear))]
    [InlineData("T11-2", 60000, "Gbps", nameof(TargetKind.Cumulative))]
    [InlineData("T11-3", 1200, "Gbps", nameof(TargetKind.Cumulative))]
    [InlineData("T14-1", 1500, "亿条", nameof(TargetKind.Cumulative))]
    [InlineData("T16-1", 100, "亿元", nameof(TargetKind.Cumulative))]
    [InlineData("T18-1", 25000, "个", nameof(TargetKind.Cumulative))]
    [InlineData("T30-1", 80, "家", nameof(TargetKind.Cumulative))]
    [InlineData("T30-2", 15000, "家", nameof(TargetKind.Annual))]
    [InlineData("T31-1", 30, "项", nameof(TargetKind.Annual))]
    public void Spot_check_task_targets_against_the_source(string code, int value, string unit, string kind)
    {
        var t = Target(code);
        Assert.Equal(value, t.Value);
        Assert.Equal(unit, t.Unit);
        Assert.Equal(Enum.Parse<TargetKind>(kind), t.Kind);
        Assert.Contains(SeedValidator.Normalise(t.SourceText!), SeedValidator.Normalise(Seed.SourceText!));
    }

    [Fact]
    public void Spot_check_baselines_from_the_2024_review()
    {
        // 集聚企业 1355 家 counts every enterprise; the target counts 大数据企业: a reference, not a baseline (issue 12).
        Assert.Null(Target("T05-1").Baseline);
        Assert.Equal(1355, Target("T05-1").Reference2024!.Value);
        Assert.Contains("1355", Target("T05-1").Reference2024!.SourceText);
        Assert.Equal(70, Target("T16-1").Baseline!.Value);
        Assert.Equal("1万个", Target("T11-1").ValueAsWritten);
        Assert.Equal("1.5 万家", Target("T30-2").ValueAsWritten);
    }

    [Fact]
    public void Spot_check_responsible_agencies_in_written_order()
    {
        Assert.Equal(["省通信管理局", "中国电信贵州分公司", "中国移动贵州公司", "中国联通贵州省分公司", "中国铁塔贵州省分公司"],
            Task(11).Clauses!.Single().Agencies);
        Assert.Equal(["省大数据局", "贵州大数据集团"], Task(8).Clauses!.Single().Agencies);
        var t16 = Task(16).Clauses!;
        Assert.Equal(["省公共资源交易中心", "贵州大数据集团"], t16[1].Agencies);
        Assert.Equal(["省气象局", "贵阳市人民政府", "贵安新区管委会", "贵州大数据集团"], t16[2].Agencies);
        Assert.Equal(["省委金融办", "人民银行贵州省分行"], Task(36).Clauses![0].Agencies);
        var t18 = Task(18).Clauses![1];
        Assert.True(t18.AndOthers); // "…省司法厅等"
        Assert.Equal("省司法厅", t18.Agencies!.Last());
        Assert.Equal("各市〔州〕人民政府", Task(24).Clauses![1].Agencies![0]);
    }

    [Fact]
    public void Spot_check_milestones_and_due_dates()
    {
        var expo = Task(34).Milestones!.First();
        Assert.Contains("数博会", expo.TitleZh);
        Assert.Equal(new DateOnly(2025, 8, 31), expo.DueDate);
        Assert.Contains(Task(15).Milestones!, m => m.Recurrence == Recurrence.Quarterly && m.TitleZh!.Contains("每季度"));
        Assert.Contains(Task(20).Milestones!, m => m.TitleZh!.Contains("数字政府建设三年行动方案"));
    }

    [Fact]
    public void Prefecture_group_resolves_to_the_nine_prefecture_level_governments()
    {
        var group = Seed.Agencies.Agencies!.Single(a => a.ShortNameZh == "各市〔州〕人民政府");
        Assert.Equal(AgencyKinds.Group, group.Kind);
        Assert.Equal(9, group.Members!.Count);
        Assert.Contains("guiyang", group.Members);
        Assert.Contains("qiannan", group.Members);
        var unknown = Seed.Agencies.Agencies!.Single(a => a.ShortNameZh == "省有关部门和单位");
        Assert.Equal(AgencyKinds.Group, unknown.Kind);
        Assert.Empty(unknown.Members ?? []);
    }
}
