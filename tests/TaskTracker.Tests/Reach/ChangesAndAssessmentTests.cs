using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Bulletin;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Reach;

/// <summary>
/// A quarter on the demo plan, acted out day by day over HTTP, then read back as changes between two dates and as the
/// agencies' assessment. The demo plan: T02-1 (open datasets, 100 → 300, led by demo-bureau), the quarterly milestone
/// M03-1 (led by demo-west), headline H1 (task 1, led by demo-bureau); quarterly reporting with 5 grace days.
/// </summary>
public class ChangesAndAssessmentTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private void At(int month, int day) => _app.Clock.SetUtcNow(new DateTimeOffset(2026, month, day, 2, 0, 0, TimeSpan.Zero));
    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));
    private Task<int> Id(string code) => _app.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "demo-2026").Select(m => m.Id).SingleAsync());

    /// <summary>The story: T02-1 reported on time for Q1; M03-1's Q1 list is late; an instruction to demo-west issued, answered, closed; a report returned.</summary>
    private async Task<(int Instruction, long Returned)> ActAsync()
    {
        var office = await As(Role.Office);
        var bureau = await As(Role.Reporter, "demo-bureau");
        var west = await As(Role.Reporter, "demo-west");
        At(4, 2);
        await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 150, asOf = "2026-03-31" })).ReadJson<ReportDto>();
        At(4, 10);
        var i = await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 3, agency = "demo-west", text = "请说明一季度清单未发布原因", replyBy = "2026-04-12" })).ReadJson<InstructionDto>();
        var wrong = await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 90, asOf = "2026-04-09" })).ReadJson<ReportDto>();
        At(4, 11);
        await (await west.PostAsJsonAsync($"/api/instructions/{i.Id}/replies", new { text = "已于本周补发" })).ReadJson<InstructionDto>();
        var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{wrong.Id}/review")
        {
            Content = JsonContent.Create(new { decision = "return", comment = "数值低于基线，请核实" }),
        };
        review.Headers.TryAddWithoutValidation("If-Match", $"\"r{wrong.Id}-v1\"");
        await (await office.SendAsync(review)).ReadJson<ReportDto>();
        At(4, 14);
        await (await office.PostAsJsonAsync($"/api/instructions/{i.Id}/decisions", new { action = "close", comment = "已核实" })).ReadJson<InstructionDto>();
        At(4, 20); // after the quarter being looked at: M03-1's Q1 list published, T02-1 done
        await (await west.PostAsJsonAsync($"/api/milestones/{await Id("M03-1")}/reports", new { status = "done", asOf = "2026-04-20", period = "2026-Q1" })).ReadJson<ReportDto>();
        await (await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 300, asOf = "2026-04-20" })).ReadJson<ReportDto>();
        At(5, 1);
        return (i.Id, wrong.Id);
    }

    [Fact]
    public async Task Changes_list_what_moved_between_two_dates_each_with_its_task_number()
    {
        var (instruction, returned) = await ActAsync();
        var viewer = await As(Role.Viewer);

        var q1 = await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-03-25&to=2026-04-15")).ReadJson<PlanChanges>();
        var overdue = Assert.Single(q1.NewlyOverdue, c => c.Code == "M03-1");
        Assert.Equal((3, MeasureStatus.Overdue), (overdue.TaskNumber, overdue.After));
        Assert.NotEqual(MeasureStatus.Overdue, overdue.Before);
        Assert.Empty(q1.Done);
        Assert.Equal((instruction, 3, "demo-west"), Single(q1.InstructionsIssued));
        Assert.Equal((instruction, 3, "demo-west"), Single(q1.InstructionsAnswered));
        Assert.Equal((instruction, 3, "demo-west"), Single(q1.InstructionsClosed));
        var r = Assert.Single(q1.ReportsReturned);
        Assert.Equal((returned, "T02-1", 2, "数值低于基线，请核实"), (r.ReportId!.Value, r.Code, r.TaskNumber!.Value, r.Comment));

        var later = await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-04-15&to=2026-04-25")).ReadJson<PlanChanges>();
        Assert.Equal((3, MeasureStatus.Overdue, MeasureStatus.OnTrack), Assert.Single(later.BackOnTrack, c => c.Code == "M03-1") is var b ? (b.TaskNumber!.Value, b.Before!.Value, b.After!.Value) : default);
        Assert.Equal(2, Assert.Single(later.Done, c => c.Code == "T02-1").TaskNumber);
        Assert.Empty(later.NewlyOverdue);
        Assert.Empty(later.InstructionsIssued);
        Assert.Empty(later.ReportsReturned);

        // Each figure agrees with the dashboards for the same dates.
        var dashFrom = await (await viewer.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-15&knownAt=2026-04-15")).ReadJson<PlanDashboard>();
        Assert.Equal(MeasureStatus.Overdue, dashFrom.Tasks.Single(t => t.Number == 3).Measures.Single(m => m.Code == "M03-1").Status);

        (await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-04-15")).ReadProblem(400)).AssertFieldError("to");
        (await (await viewer.GetAsync("/api/plans/demo-2026/changes?to=2026-04-15")).ReadProblem(400)).AssertFieldError("from");
        (await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=2026-04-15&to=2026-04-01")).ReadProblem(400)).AssertFieldError("to");
        (await (await viewer.GetAsync("/api/plans/demo-2026/changes?from=yesterday&to=2026-04-01")).ReadProblem(400)).AssertFieldError("from");
        await (await viewer.GetAsync("/api/plans/nope/changes?from=2026-04-01&to=2026-04-15")).ReadProblem(404);
    }

    private static (int, int, string) Single(IReadOnlyList<ChangeItem> items)
    {
        var c = Assert.Single(items);
        return (c.InstructionId!.Value, c.TaskNumber!.Value, c.Agency!);
    }

    [Fact]
    public async Task Assessment_scores_each_leading_agency_by_the_documented_formula_and_ranks_them()
    {
        await ActAsync();
        var office = await As(Role.Office);
        var a = await (await office.GetAsync("/api/plans/demo-2026/assessment?from=2025-12-31&to=2026-04-15")).ReadJson<PlanAssessment>();
        Assert.Equal((0.3, 0.4, 0.2, 0.1), (a.Weights.OnTimeFiling, a.Weights.Completion, a.Weights.Overdue, a.Weights.InstructionReplies));
        Assert.Equal(["demo-bureau", "demo-west"], a.Agencies.Select(x => x.Agency));
        Assert.Equal([1, 2], a.Agencies.Select(x => x.Rank));

        // demo-west leads M03-1 only: its Q1 period (deadline 04-05) was not reported by then, the measure is overdue on 04-15,
        // and it answered the one instruction due in the window (reply-by 04-12) on 04-11.
        var west = a.Agencies.Single(x => x.Agency == "demo-west");
        Assert.Equal(1, west.MeasuresLed);
        Assert.Equal((0.0, 0, 1), (west.OnTimeFiling.Value, west.OnTimeFiling.Numerator, west.OnTimeFiling.Denominator));
        Assert.Equal((0.0, 1, 1), (west.Overdue.Value, west.Overdue.Numerator, west.Overdue.Denominator));
        Assert.Equal((1.0, 1, 1), (west.InstructionReplies.Value, west.InstructionReplies.Numerator, west.InstructionReplies.Denominator));
        // demo-bureau leads T02-1 and H1: T02-1's Q1 report came on 04-02 (on time), H1's never; no instruction was due from it.
        var bureau = a.Agencies.Single(x => x.Agency == "demo-bureau");
        Assert.Equal(2, bureau.MeasuresLed);
        Assert.Equal((0.5, 1, 2), (bureau.OnTimeFiling.Value, bureau.OnTimeFiling.Numerator, bureau.OnTimeFiling.Denominator));
        Assert.Null(bureau.InstructionReplies.Value);

        // The score is the weighted mean of the parts that have a value (docs/assessment.md), and the completion part is
        // each led measure's completion over what was expected on `to`, as the dashboard shows them, capped at 1.
        var dash = await (await office.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-04-15&knownAt=2026-04-15")).ReadJson<PlanDashboard>();
        var m031 = dash.Tasks.SelectMany(t => t.Measures).Single(m => m.Code == "M03-1");
        Assert.Equal(Math.Round(Math.Min(1, m031.CappedCompletion / m031.Expected), 4), west.Completion.Value);
        foreach (var s in a.Agencies)
        {
            var parts = new[] { s.OnTimeFiling, s.Completion, s.Overdue, s.InstructionReplies }.Where(p => p.Value is not null).ToList();
            Assert.Equal(Math.Round(100 * parts.Sum(p => p.Weight * p.Value!.Value) / parts.Sum(p => p.Weight), 2), s.Score);
        }
        Assert.True(bureau.Score > west.Score);

        await (await (await As(Role.Viewer)).GetAsync("/api/plans/demo-2026/assessment?from=2026-01-01&to=2026-04-15")).ReadProblem(403);
        await (await (await As(Role.Reporter, "demo-west")).GetAsync("/api/plans/demo-2026/assessment?from=2026-01-01&to=2026-04-15")).ReadProblem(403);
        (await (await office.GetAsync("/api/plans/demo-2026/assessment?from=2026-04-15&to=2026-04-15")).ReadProblem(400)).AssertFieldError("to");
    }

    [Fact]
    public async Task The_bulletin_docx_and_xlsx_carry_the_APIs_figures_for_the_same_dates_and_render_in_LibreOffice()
    {
        await ActAsync();
        var office = await As(Role.Office);
        // Still open on 05-01: issued that day, reply due later.
        await (await office.PostAsJsonAsync("/api/plans/demo-2026/instructions",
            new { taskNumber = 2, agency = "demo-bureau", text = "请报送二季度开放数据集计划", replyBy = "2026-05-10" })).ReadJson<InstructionDto>();
        // T02-1 reached 300 on 04-20: the office signs it off (销号) on 05-01, inside the second period only.
        await (await office.PostAsJsonAsync("/api/plans/demo-2026/measures/T02-1/sign-off", new { comment = "已核实完成" })).ReadJson<SignOffDto>();

        foreach (var (from, to) in new[] { ("2026-03-25", "2026-04-15"), ("2026-03-31", "2026-05-01") })
        {
            var q = $"from={from}&to={to}";
            var response = await office.GetAsync($"/api/plans/demo-2026/bulletin.docx?{q}");
            Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var doc = BulletinReader.Docx(bytes);

            var dash = await (await office.GetAsync($"/api/plans/demo-2026/dashboard?asOf={to}&knownAt={to}")).ReadJson<PlanDashboard>();
            var changes = await (await office.GetAsync($"/api/plans/demo-2026/changes?{q}")).ReadJson<PlanChanges>();
            var assessment = await (await office.GetAsync($"/api/plans/demo-2026/assessment?{q}")).ReadJson<PlanAssessment>();
            var instructions = await (await office.GetAsync("/api/plans/demo-2026/instructions")).ReadJson<List<InstructionDto>>();
            var cutoff = Completion.CutoffUtc(DateOnly.Parse(to));

            Assert.Contains("督 查 通 报", doc.Text);
            Assert.Contains("省大数据发展领导小组办公室", doc.Text);
            Assert.Contains($"总体完成度{BulletinContent.Pct(dash.Completion)}", doc.Text);
            Assert.Equal(BulletinContent.Pct(dash.Completion), doc.Tables["总体进展"].Single(r => r[0] == "总体完成度")[1]);
            Assert.Equal(dash.TaskCounts.Overdue.ToString(), doc.Tables["总体进展"].Single(r => r[0] == "逾期")[1]);
            Assert.Equal(dash.Sections.Select(s => new[] { s.Numeral, s.TitleZh, BulletinContent.Pct(s.Completion), BulletinContent.Pct(s.Expected) }),
                doc.Tables["分领域进展"].Skip(1).Select(r => r[..4]));
            Assert.Equal(assessment.Agencies.Select(a => new[] { a.Rank.ToString(), a.NameZh, a.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) }),
                doc.Tables["单位考核排名"].Skip(1).Select(r => r[..3]));
            Assert.Equal(changes.NewlyOverdue.Select(c => c.Code), doc.Tables.GetValueOrDefault("新增逾期事项")?.Skip(1).Select(r => r[1]) ?? []);
            Assert.Equal(changes.Done.Select(c => c.Code), doc.Tables.GetValueOrDefault("本期完成事项")?.Skip(1).Select(r => r[1]) ?? []);
            Assert.Equal(changes.SignedOff.Select(c => c.Code), doc.Tables.GetValueOrDefault("本期销号事项")?.Skip(1).Select(r => r[1]) ?? []);
            var open = instructions.Where(i => i.IssuedAtUtc <= cutoff && (i.ClosedAtUtc is null || i.ClosedAtUtc > cutoff)).OrderBy(i => i.ReplyBy).Select(i => i.Id.ToString());
            Assert.Equal(open, doc.Tables.GetValueOrDefault("未办结督办事项")?.Skip(1).Select(r => r[0]) ?? []);
            Assert.Contains("仿宋_GB2312", doc.EastAsiaFonts);
            Assert.Contains("方正小标宋简体", doc.EastAsiaFonts);

            var xlsx = BulletinReader.Xlsx(await (await office.GetAsync($"/api/plans/demo-2026/bulletin.xlsx?{q}")).Content.ReadAsByteArrayAsync());
            Assert.Equal(["通报", "总体进展", "分领域进展", "单位考核排名", "新增逾期事项", "本期完成事项", "未办结督办事项", "本期销号事项"], xlsx.Keys);
            foreach (var (name, rows) in doc.Tables) Assert.Equal(rows, xlsx[name]);
            Assert.Equal(assessment.Agencies.Select(a => a.Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)),
                xlsx["单位考核排名"].Skip(1).Select(r => r[2]));

            if (to == "2026-04-15")
            {
                Assert.Equal(["M03-1"], doc.Tables["新增逾期事项"].Skip(1).Select(r => r[1]));
                Assert.Contains("本期无销号事项。", doc.Text);
                var pdf = await BulletinReader.RenderAsync(bytes, "bulletin-demo-2026");
                Assert.Contains("督查通报", pdf.Text.Replace(" ", ""));
                Assert.Contains("单位考核排名", pdf.Text.Replace(" ", ""));
                Assert.True(new FileInfo(pdf.Png).Length > 10_000, $"rendered page {pdf.Png} looks empty");
            }
            else
            {
                Assert.NotEmpty(doc.Tables["未办结督办事项"].Skip(1));
                Assert.Equal(["任务2", "T02-1", "开放数据集", "2026-05-01", "已核实完成"], Assert.Single(doc.Tables["本期销号事项"].Skip(1)));
            }
        }

        await (await (await As(Role.Viewer)).GetAsync("/api/plans/demo-2026/bulletin.docx?from=2026-03-25&to=2026-04-15")).ReadProblem(403);
        await (await _app.CreateClient().GetAsync("/api/plans/demo-2026/bulletin.xlsx?from=2026-03-25&to=2026-04-15")).ReadProblem(401);
        (await (await office.GetAsync("/api/plans/demo-2026/bulletin.docx?from=2026-03-25")).ReadProblem(400)).AssertFieldError("to");
        await (await office.GetAsync("/api/plans/nope/bulletin.xlsx?from=2026-03-25&to=2026-04-15")).ReadProblem(404);
    }

    [Theory]
    [InlineData("Assessment:Weights:Completion", "0.9", "add up to 1")]
    [InlineData("Assessment:Weights:Overdue", "-0.2", "between 0 and 1")]
    public async Task Weights_are_checked_at_start(string key, string value, string message)
    {
        await using var app = new TaskTrackerApp();
        app.Settings[key] = value;
        Assert.Contains(message, Assert.ThrowsAny<Exception>(() => app.Server).ToString());
    }
}
