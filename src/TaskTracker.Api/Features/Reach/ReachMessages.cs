using System.Globalization;
using System.Text;


namespace TaskTracker.Features.Reach;

/// <summary>A rendered message: a subject, a plain-text body for e-mail and a markdown body for robots.</summary>
internal sealed record ReachMessage(string Subject, string Text, string Markdown);

/// <summary>Digest and reminder texts, in Chinese (the default) or English.</summary>
internal static class ReachMessages
{
    public const string Office = "省大数据发展领导小组办公室";
    public const string OfficeEn = "Office of the Provincial Leading Group for Big Data Development";

    /// <summary>The digest's sections in the order they are listed.</summary>
    public static readonly IReadOnlyList<(string Kind, string Zh, string En)> Sections =
    [
        ("instruction-overdue", "超期未回复的督办", "Instructions past their reply-by date"),
        ("measure-overdue", "逾期未完成的指标", "Overdue measures"),
        ("report-missing", "缺报的报告期", "Missing reports"),
        ("report-returned", "被退回待更正的报告", "Returned reports to correct"),
        ("instruction", "待回复的督办", "Instructions awaiting your reply"),
        ("report-due", "即将到期的报告", "Reports due soon"),
    ];

    private static readonly string[] Numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

    public static bool IsEnglish(string? language) => string.Equals(language, "en", StringComparison.OrdinalIgnoreCase);

    public static ReachMessage Digest(DigestAgency agency, DateOnly asOf, IReadOnlyList<DigestItem> items, string language)
    {
        var en = IsEnglish(language);
        var subject = en
            ? $"[TaskTracker] {agency.NameEn}: {items.Count} item(s) to act on, {asOf:yyyy-MM-dd}"
            : $"【督查提醒】{agency.NameZh} {asOf.Year}年{asOf.Month}月{asOf.Day}日待办事项 {items.Count} 项";
        var text = new StringBuilder();
        var md = new StringBuilder();
        md.Append("### ").Append(subject).Append("\n\n");
        text.Append(en ? $"To {agency.NameEn}," : $"{agency.NameZh}：").Append("\n\n");
        text.Append(en
            ? $"As of {asOf:yyyy-MM-dd}, {items.Count} item(s) need your attention:"
            : $"截至 {asOf.Year}年{asOf.Month}月{asOf.Day}日，请关注以下 {items.Count} 项督查事项：").Append("\n\n");
        var n = 0;
        foreach (var (kind, zh, enTitle) in Sections)
        {
            var group = items.Where(i => i.Kind == kind).ToList();
            if (group.Count == 0) continue;
            var heading = en ? $"{++n}. {enTitle} ({group.Count})" : $"{Numerals[Math.Min(n++, Numerals.Length - 1)]}、{zh}（{group.Count} 项）";
            text.Append(heading).Append('\n');
            md.Append("**").Append(heading).Append("**\n\n");
            var k = 0;
            foreach (var i in group)
            {
                var line = Line(i, en);
                text.Append("  ").Append(++k).Append(". ").Append(line).Append('\n');
                md.Append("- ").Append(line).Append('\n');
            }
            text.Append('\n');
            md.Append('\n');
        }
        var closing = en ? $"{OfficeEn}\n(sent automatically by TaskTracker)" : $"{Office}\n（本消息由 TaskTracker 自动发送）";
        text.Append(closing).Append('\n');
        md.Append("> ").Append(en ? OfficeEn : Office).Append('\n');
        return new ReachMessage(subject, text.ToString(), md.ToString());
    }

    public static string Line(DigestItem i, bool en)
    {
        var what = new StringBuilder();
        if (i.TaskNumber is { } t) what.Append(en ? $"Task {t} " : $"任务{t} ");
        if (i.Code is { } c) what.Append(c).Append(' ');
        if (i.InstructionId is { } id) what.Append(en ? $"instruction #{id} " : $"督办 #{id} ");
        if (i.ReportId is { } r && i.Kind == "report-returned") what.Append(en ? $"report #{r} " : $"报告 #{r} ");
        var title = en ? i.TitleEn : i.TitleZh;
        if (title.Length > 60) title = title[..60] + "…";
        if (i.Kind != "report-returned") what.Append(title);
        var head = what.ToString().TrimEnd();
        what.Clear().Append(head).Append(en ? " — " : "：");
        if (i.Periods is { Count: > 0 } p) what.Append(en ? $"period {string.Join(", ", p)}; " : $"报告期 {string.Join("、", p)}；");
        what.Append(Deadline(i.Deadline, i.DaysLeft, en));
        if (!string.IsNullOrWhiteSpace(i.Comment)) what.Append(en ? $"; office's comment: {i.Comment}" : $"；退回意见：{i.Comment}");
        return what.ToString();
    }

    public static string Deadline(DateOnly deadline, int daysLeft, bool en) => en
        ? daysLeft < 0 ? $"{-daysLeft} day(s) overdue (deadline {deadline:yyyy-MM-dd})" : $"due {deadline:yyyy-MM-dd} ({daysLeft} day(s) left)"
        : daysLeft < 0 ? $"已逾期 {-daysLeft} 天（期限 {deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}）"
            : $"截止 {deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}（剩 {daysLeft} 天）";

    public static ReachMessage Reminder(DigestAgency agency, ReachData.OpenInstruction i, DateOnly today, string? note, string language)
    {
        var en = IsEnglish(language);
        var left = i.ReplyBy.DayNumber - today.DayNumber;
        var about = string.Join(" ", new[] { i.TaskNumber is { } t ? (en ? $"Task {t}" : $"任务{t}") : null, i.MeasureCode }.Where(s => s is not null));
        var subject = en
            ? $"[Reminder] Instruction #{i.Id} needs your reply by {i.ReplyBy:yyyy-MM-dd}"
            : $"【催办】督办事项 #{i.Id}，请于 {i.ReplyBy:yyyy-MM-dd} 前回复";
        var body = new StringBuilder();
        body.Append(en ? $"To {agency.NameEn}," : $"{agency.NameZh}：").Append("\n\n");
        body.Append(en ? $"The {OfficeEn} reminds you of this instruction:" : $"{Office}就以下督办事项催办：").Append("\n\n");
        body.Append(i.Text).Append("\n\n");
        if (about.Length > 0) body.Append(en ? "About: " : "事项：").Append(about).Append('\n');
        body.Append(en ? "Reply by: " : "回复期限：").Append(Deadline(i.ReplyBy, left, en)).Append('\n');
        if (!string.IsNullOrWhiteSpace(note)) body.Append(en ? "Office's note: " : "办公室附言：").Append(note).Append('\n');
        body.Append('\n').Append(en ? $"Please reply in TaskTracker (instruction #{i.Id})." : $"请尽快在 TaskTracker 中回复（督办 #{i.Id}）。").Append("\n\n");
        body.Append(en ? OfficeEn : Office).Append('\n');
        var md = $"### {subject}\n\n{body.ToString().Replace("\n", "\n\n", StringComparison.Ordinal).TrimEnd()}\n";
        return new ReachMessage(subject, body.ToString(), md);
    }
}
