using TaskTracker.Features.Reach;

namespace TaskTracker.Tests.Reach;

/// <summary>The digest's wording, written out in full once, in both languages.</summary>
public class ReachMessagesTests
{
    private static readonly DigestAgency Bureau = new(1, "demo-bureau", "示例市数据局", "Example City Data Bureau");

    private static readonly DigestItem[] Items =
    [
        new("report-missing", "demo-2026", 2, "T02-1", "开放数据集", "Open datasets", new DateOnly(2026, 4, 5), -5, Periods: ["2026-Q1"]),
        new("instruction", "demo-2026", 2, null, "请说明进度滞后原因", "请说明进度滞后原因", new DateOnly(2026, 4, 20), 10, InstructionId: 7),
        new("report-returned", "demo-2026", 2, "T02-1", "退回的报告 9", "Returned report 9", new DateOnly(2026, 4, 17), 7, ReportId: 9, Comment: "数值低于基线"),
    ];

    [Fact]
    public void Chinese_digest_groups_items_by_urgency_with_deadlines()
    {
        var m = ReachMessages.Digest(Bureau, new DateOnly(2026, 4, 10), Items, "zh");
        Assert.Equal("【督查提醒】示例市数据局 2026年4月10日待办事项 3 项", m.Subject);
        Assert.Equal("""
            示例市数据局：

            截至 2026年4月10日，请关注以下 3 项督查事项：

            一、缺报的报告期（1 项）
              1. 任务2 T02-1 开放数据集：报告期 2026-Q1；已逾期 5 天（期限 2026-04-05）

            二、被退回待更正的报告（1 项）
              1. 任务2 T02-1 报告 #9：截止 2026-04-17（剩 7 天）；退回意见：数值低于基线

            三、待回复的督办（1 项）
              1. 任务2 督办 #7 请说明进度滞后原因：截止 2026-04-20（剩 10 天）

            省大数据发展领导小组办公室
            （本消息由 TaskTracker 自动发送）

            """.ReplaceLineEndings("\n"), m.Text);
        Assert.StartsWith("### 【督查提醒】", m.Markdown);
        Assert.Contains("**一、缺报的报告期（1 项）**\n\n- 任务2 T02-1 开放数据集", m.Markdown);
    }

    [Fact]
    public void English_digest_for_contacts_who_prefer_it()
    {
        var m = ReachMessages.Digest(Bureau, new DateOnly(2026, 4, 10), Items, "en");
        Assert.Equal("[TaskTracker] Example City Data Bureau: 3 item(s) to act on, 2026-04-10", m.Subject);
        Assert.Contains("1. Missing reports (1)\n  1. Task 2 T02-1 Open datasets — period 2026-Q1; 5 day(s) overdue (deadline 2026-04-05)\n", m.Text);
        Assert.Contains("3. Instructions awaiting your reply (1)\n  1. Task 2 instruction #7 请说明进度滞后原因 — due 2026-04-20 (10 day(s) left)\n", m.Text);
        Assert.Contains("office's comment: 数值低于基线", m.Text);
    }
}
