using System.Text.Json;
using TaskTracker.Domain;
using TaskTracker.Features.Seeding.Import;
using TaskTracker.Features.Seeding;

namespace TaskTracker.Tests.PlanImport;

/// <summary>The importer on plan texts written for these tests, one per convention.</summary>
public class ConventionTests
{
    private static readonly AgencyCatalogue Catalogue =
        new(JsonSerializer.Deserialize<SeedAgenciesFile>(PlanTexts.Catalogue, SeedJson.Options)!.Agencies!);

    private static PlanDraft Import(string text, string code) =>
        PlanDraftBuilder.Build(PlanText.Decode(System.Text.Encoding.UTF8.GetBytes(text)), code, Catalogue, TimeProvider.System);

    [Fact]
    public void Arabic_dot_numbering_with_lead_and_responsible_units_and_a_standing_note()
    {
        var d = Import(PlanTexts.CityArabicDot, "demo-city-2026");
        Assert.Equal("示范市2026年数字经济工作要点", d.Plan.TitleZh);
        Assert.Equal(new DateOnly(2026, 1, 1), d.Plan.PeriodStart);
        Assert.Equal(new DateOnly(2026, 12, 31), d.Plan.PeriodEnd);
        Assert.Equal(["夯实数字基础设施", "培育数字产业"], d.Plan.Sections!.Select(s => s.TitleZh));
        var tasks = d.Tasks.Tasks!;
        Assert.Equal(["1.", "2.", "3."], tasks.Select(t => t.Numeral));
        Assert.Equal([1, 1, 2], tasks.Select(t => t.Section!.Value));
        Assert.Equal(["推进算力设施建设", "完善城市感知网络", "壮大软件产业"], tasks.Select(t => t.TitleZh));

        // （牵头单位：A；责任单位：B, C） reads A, B, C in that order, and the standing note adds its group after them.
        var c1 = tasks[0].Clauses!.Single();
        Assert.Equal(["市数据局", "市发展改革委", "市通信管理办", "各区县人民政府"], c1.Agencies);
        Assert.Equal("以下均需各区县人民政府负责，不再单独列出", c1.StandingNote);
        Assert.Equal(["市住房城乡建设局", "市数据局", "各区县人民政府"], tasks[1].Clauses!.Single().Agencies);
        var c3 = tasks[2].Clauses!.Single();
        Assert.Equal(["市工业和信息化局", "市数据局", "各区县人民政府"], c3.Agencies);
        Assert.True(c3.AndOthers); // 市数据局等

        // 万 is multiplied out; 不少于 is at-least; 新建 is new this year.
        var racks = tasks[0].Targets!.Single();
        Assert.Equal((20000m, "个", Comparison.AtLeast, TargetKind.NewInYear), (racks.Value!.Value, racks.Unit, racks.Comparison!.Value, racks.Kind!.Value));
        Assert.Equal("新建数据中心机架不少于2万个。", racks.SourceText);
        Assert.Equal("2万个", racks.ValueAsWritten);

        // 每季度 makes a recurring milestone; a system deliverable is a one-off due at the plan's end.
        var ms = tasks[1].Milestones!;
        Assert.Equal(2, ms.Count);
        Assert.Equal((Recurrence.Quarterly, MilestoneKind.Document), (ms[0].Recurrence!.Value, ms[0].Kind!.Value));
        Assert.Equal((Recurrence.None, MilestoneKind.System, new DateOnly(2026, 12, 31)), (ms[1].Recurrence!.Value, ms[1].Kind!.Value, ms[1].DueDate!.Value));
        Assert.Equal("建成城市感知平台", ms[1].TitleZh);

        // 亿 stays in the unit; money without 年/累计 is an annual amount, guessed and reported as such.
        var revenue = tasks[2].Targets![0];
        Assert.Equal((350m, "亿元", Comparison.Reach, TargetKind.Annual), (revenue.Value!.Value, revenue.Unit, revenue.Comparison!.Value, revenue.Kind!.Value));
        Assert.Contains(d.Findings.Guessed, g => g.StartsWith("T03-1") && g.Contains("kind annual"));
        var firms = tasks[2].Targets![1];
        Assert.Equal((120m, "家", Comparison.Reach, TargetKind.Cumulative), (firms.Value!.Value, firms.Unit, firms.Comparison!.Value, firms.Kind!.Value));

        // Headline targets from the preamble: a growth rate (增长…以上) and a count.
        var h = d.Plan.HeadlineTargets!;
        Assert.Equal((12m, "%", Comparison.AtLeast, TargetKind.GrowthRate), (h[0].Value!.Value, h[0].Unit, h[0].Comparison!.Value, h[0].Kind!.Value));
        Assert.Equal((3000m, "个", Comparison.AtLeast, TargetKind.NewInYear), (h[1].Value!.Value, h[1].Unit, h[1].Comparison!.Value, h[1].Kind!.Value));
        Assert.Equal("市数字经济发展领导小组办公室定期调度各项任务进展。", d.Plan.ClosingZh);

        // English is left empty and listed for translation; the draft is otherwise a valid seed folder.
        Assert.Equal("", tasks[0].TitleEn);
        Assert.Equal("", racks.MetricEn);
        Assert.Contains(d.Findings.NeedsTranslation, n => n.Contains("tasks[0].titleEn"));
        Assert.Empty(d.Findings.ValidationErrors);
        Assert.Empty(d.Findings.UnknownAgencies);
        Assert.Empty(d.Findings.Unplaced);
    }

    [Fact]
    public void Arabic_paren_numbering_without_sections_with_lead_cooperate_and_shared_brackets()
    {
        var d = Import(PlanTexts.CountyArabicParen, "demo-county-2027");
        Assert.Equal(["（1）", "（2）", "（3）"], d.Tasks.Tasks!.Select(t => t.Numeral));
        var section = Assert.Single(d.Plan.Sections!);
        Assert.Equal("示例县2027年数字乡村建设要点", section.TitleZh);
        Assert.Contains(d.Findings.Notes, n => n.Contains("no section headings"));

        // （A牵头，B配合）: A leads, B co-operates; B is not in the catalogue, so it becomes a placeholder to complete.
        var t1 = d.Tasks.Tasks![0];
        Assert.Equal(["县数据中心", "县财政局"], t1.Clauses!.Single().Agencies);
        Assert.Contains(d.Findings.UnknownAgencies, u => u.Contains("“县财政局”"));
        var placeholder = d.Agencies.Agencies!.Single(a => a.NameZh == "县财政局");
        Assert.StartsWith("new-agency-", placeholder.Code);
        Assert.Equal("", placeholder.NameEn);

        // A deadline written in the sentence (6月底前) is the milestone's due date.
        var m = t1.Milestones!.Single();
        Assert.Equal(new DateOnly(2027, 6, 30), m.DueDate);
        Assert.Equal(MilestoneKind.System, m.Kind);

        // （A、B按职责分工负责）; 超过 with 亿元; 左右 with 新增.
        var t2 = d.Tasks.Tasks[1];
        Assert.Equal(["县商务局", "县农业农村局"], t2.Clauses!.Single().Agencies);
        Assert.Equal("县商务局、县农业农村局按职责分工负责", t2.Clauses![0].ResponsibleText);
        var sales = t2.Targets![0];
        Assert.Equal((5m, "亿元", Comparison.AtLeast), (sales.Value!.Value, sales.Unit, sales.Comparison!.Value));
        var firms = t2.Targets![1];
        Assert.Equal((300m, "户", Comparison.About, TargetKind.NewInYear), (firms.Value!.Value, firms.Unit, firms.Comparison!.Value, firms.Kind!.Value));

        // A task with no responsibility bracket: its sentence is quoted as not placed, and validation says why.
        Assert.Contains(d.Findings.Unplaced, u => u.Contains("“开展数字乡村试点。”"));
        Assert.Contains(d.Findings.ValidationErrors, e => e.Contains("$.tasks[2].clauses"));
    }

    [Fact]
    public void Half_width_parentheses_a_standing_note_inside_a_task_and_a_page_break()
    {
        var d = Import(PlanTexts.PrefectureHalfWidth, "demo-pref-2028");
        var tasks = d.Tasks.Tasks!;
        Assert.Equal(["(一)", "(二)"], tasks.Select(t => t.Numeral));

        // The note inside task (一) applies from the next task on.
        Assert.Equal(["州数据局"], tasks[0].Clauses!.Single().Agencies);
        Assert.Null(tasks[0].Clauses![0].StandingNote);
        Assert.Equal(["州人力资源社会保障局", "各县人民政府"], tasks[1].Clauses!.Single().Agencies);

        var open = tasks[0].Targets!.Single();
        Assert.Equal((12000m, "个", Comparison.AtLeast, TargetKind.Cumulative), (open.Value!.Value, open.Unit, open.Comparison!.Value, open.Kind!.Value));
        var trained = tasks[1].Targets!.Single();
        Assert.Equal((8000m, "人次", Comparison.About, TargetKind.Annual), (trained.Value!.Value, trained.Unit, trained.Comparison!.Value, trained.Kind!.Value));

        // The sentence broken over a page is joined back, and quoted whole.
        Assert.Equal("组织开展数字技能培训，培训数字技能人才8000人次左右。编制数字人才发展规划。", tasks[1].Clauses![0].TextZh);
        Assert.Contains(tasks[1].Milestones!, x => x.TitleZh == "编制数字人才发展规划" && x.Kind == MilestoneKind.Document);
        Assert.Contains(tasks[1].Milestones!, x => x.TitleZh == "组织开展数字技能培训" && x.Kind == MilestoneKind.Event);
        Assert.Empty(d.Findings.ValidationErrors);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n\n  ", "empty")]
    [InlineData("某市2026年工作要点\n\n全年推进数字化转型，加强统筹协调。\n\n各部门要抓好落实。", "no numbered tasks")]
    public void Bad_texts_are_refused_with_a_clear_reason(string text, string reason)
    {
        var e = Assert.Throws<PlanImportException>(() => Import(text, "bad-2026"));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_refused()
    {
        var gb = new byte[] { 0xCA, 0xBE, 0xC0, 0xFD, 0xCA, 0xD0 }; // 示例市 in GB2312
        var e = Assert.Throws<PlanImportException>(() => PlanText.Decode(gb));
        Assert.Contains("not UTF-8", e.Message);
    }

    [Fact]
    public void A_code_that_is_not_a_seed_code_is_refused()
    {
        var e = Assert.Throws<PlanImportException>(() => Import(PlanTexts.CityArabicDot, "Bad Code"));
        Assert.Contains("--code", e.Message);
    }
}
