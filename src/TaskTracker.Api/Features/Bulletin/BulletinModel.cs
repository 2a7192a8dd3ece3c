using System.Globalization;


namespace TaskTracker.Features.Bulletin;

/// <summary>
/// What the 督查通报 says, computed once from the same sources as the API (dashboard on <c>to</c> with what was known by
/// then, changes and assessment for the period, instructions open at the end of <c>to</c>) and written as .docx or .xlsx.
/// </summary>
internal sealed record BulletinContent(BulletinData.Plan Plan, DateOnly From, DateOnly To, PlanDashboard Standing, PlanChanges Changes,
    PlanAssessment Assessment, IReadOnlyList<BulletinData.InstructionRow> OpenInstructions)
{
    public const string IssuingOffice = "省大数据发展领导小组办公室";

    public static async Task<BulletinContent> BuildAsync(BulletinData data, AssessmentWeights weights, string planCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var plan = await data.PlanAsync(planCode, ct);
        var standing = await data.StandingAsync(plan.Code, to, ct);
        var changes = await GetChangesHandler.ComputeAsync(data, plan.Code, from, to, ct);
        var assessment = await GetAssessmentHandler.ComputeAsync(data, weights, plan.Code, from, to, ct);
        var end = Completion.CutoffUtc(to);
        var open = (await data.InstructionsAsync(plan.Id, ct))
            .Where(i => i.IssuedAtUtc <= end && (i.ClosedAtUtc is null || i.ClosedAtUtc > end)).OrderBy(i => i.ReplyBy).ThenBy(i => i.Id).ToList();
        return new BulletinContent(plan, from, to, standing, changes, assessment, open);
    }

    /// <summary>Percentages as the page shows them: one decimal, "—" when there is no figure.</summary>
    public static string Pct(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Date(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    public static string Status(MeasureStatus s) => s switch
    {
        MeasureStatus.Done => "已完成", MeasureStatus.OnTrack => "正常推进", MeasureStatus.AtRisk => "有风险",
        MeasureStatus.OffTrack => "明显滞后", MeasureStatus.Overdue => "逾期", _ => "无数据",
    };

    public static string InstructionStatus(InstructionStatus s) => s switch
    {
        Domain.InstructionStatus.AwaitingReply => "待回复", Domain.InstructionStatus.Replied => "已回复待办结", _ => "已办结",
    };

    public string Overview()
    {
        var c = Standing.TaskCounts;
        return $"截至{Date(To)}，《{Plan.TitleZh}》{Standing.Tasks.Count}项重点任务总体完成度{Pct(Standing.Completion)}，按时间进度应完成{Pct(Standing.Expected)}。" +
               $"其中已完成{c.Done}项，正常推进{c.OnTrack}项，有风险{c.AtRisk}项，明显滞后{c.OffTrack}项，逾期{c.Overdue}项，尚无数据{c.NoData}项。" +
               $"本期（{Date(From)}后至{Date(To)}）新增逾期事项{Changes.NewlyOverdue.Count}项，完成事项{Changes.Done.Count}项，" +
               $"下发督办{Changes.InstructionsIssued.Count}件、收到回复{Changes.InstructionsAnswered.Count}件、办结{Changes.InstructionsClosed.Count}件，退回报告{Changes.ReportsReturned.Count}份。";
    }

    /// <summary>The tables, in order, each with a title, a header row and rows of text; .docx and .xlsx both write exactly these.</summary>
    public IReadOnlyList<(string Title, string[] Header, IReadOnlyList<string[]> Rows)> Tables() =>
    [
        ("总体进展", ["指标", "数值"],
        [
            ["总体完成度", Pct(Standing.Completion)], ["按时间进度应完成", Pct(Standing.Expected)], ["重点任务", Standing.Tasks.Count.ToString(CultureInfo.InvariantCulture)],
            ["已完成", Standing.TaskCounts.Done.ToString(CultureInfo.InvariantCulture)], ["正常推进", Standing.TaskCounts.OnTrack.ToString(CultureInfo.InvariantCulture)],
            ["有风险", Standing.TaskCounts.AtRisk.ToString(CultureInfo.InvariantCulture)], ["明显滞后", Standing.TaskCounts.OffTrack.ToString(CultureInfo.InvariantCulture)],
            ["逾期", Standing.TaskCounts.Overdue.ToString(CultureInfo.InvariantCulture)], ["尚无数据", Standing.TaskCounts.NoData.ToString(CultureInfo.InvariantCulture)],
        ]),
        ("分领域进展", ["序号", "领域", "完成度", "应完成", "状态", "任务数"],
            Standing.Sections.Select(s => new[] { s.Numeral, s.TitleZh, Pct(s.Completion), Pct(s.Expected), Status(s.Status), s.TaskNumbers.Count.ToString(CultureInfo.InvariantCulture) }).ToList()),
        ("单位考核排名", ["名次", "单位", "得分", "按时报送", "完成进度", "未逾期", "督办按时回复"],
            Assessment.Agencies.Select(a => new[] { a.Rank.ToString(CultureInfo.InvariantCulture), a.NameZh, a.Score.ToString("0.00", CultureInfo.InvariantCulture),
                Pct(a.OnTimeFiling.Value), Pct(a.Completion.Value), Pct(a.Overdue.Value), Pct(a.InstructionReplies.Value) }).ToList()),
        ("新增逾期事项", ["任务", "编号", "事项", "截止日期"],
            Changes.NewlyOverdue.Select(c => new[] { Task(c.TaskNumber), c.Code ?? "", c.TitleZh, c.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "" }).ToList()),
        ("本期完成事项", ["任务", "编号", "事项", "截止日期"],
            Changes.Done.Select(c => new[] { Task(c.TaskNumber), c.Code ?? "", c.TitleZh, c.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "" }).ToList()),
        ("未办结督办事项", ["编号", "任务", "承办单位", "督办内容", "回复期限", "状态"],
            OpenInstructions.Select(i => new[] { i.Id.ToString(CultureInfo.InvariantCulture), Task(i.TaskNumber), i.AgencyNameZh, i.Text,
                i.ReplyBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), InstructionStatus(i.Status) }).ToList()),
        ("本期销号事项", ["任务", "编号", "事项", "销号日期", "销号意见"],
            Changes.SignedOff.Select(c => new[] { Task(c.TaskNumber), c.Code ?? "", c.TitleZh,
                c.AtUtc is { } at ? DateOnly.FromDateTime(at + ChinaTime.Offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "", c.Comment ?? "" }).ToList()),
    ];

    private static string Task(int? n) => n is { } x ? $"任务{x}" : "总体目标";
}

internal sealed record GetBulletinQuery(string Plan, DateOnly? From, DateOnly? To) : Mediator.IQuery<BulletinContent>;

internal sealed class GetBulletinValidator : FluentValidation.AbstractValidator<GetBulletinQuery>
{
    public GetBulletinValidator() => PeriodRules.Apply(this, x => x.From, x => x.To, x => x.From, x => x.To);
}

internal sealed class GetBulletinHandler(BulletinData data, Microsoft.Extensions.Options.IOptions<AssessmentOptions> options) : Mediator.IQueryHandler<GetBulletinQuery, BulletinContent>
{
    public async ValueTask<BulletinContent> Handle(GetBulletinQuery q, CancellationToken ct) =>
        await BulletinContent.BuildAsync(data, options.Value.Weights, q.Plan, q.From!.Value, q.To!.Value, ct);
}
