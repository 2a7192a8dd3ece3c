using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TaskTracker.Tests.Evidence;
using TaskTracker.Tests.SignIn;

namespace TaskTracker.Tests.Browser;

/// <summary>
/// People doing their work in the page as a person would, signed in through the OpenID Connect provider: an agency
/// files a figure with a PDF, sees it on the dashboard, the office returns it, the agency corrects it, the office
/// accepts; an instruction is issued, answered with an extension request, extended and closed (办结).
/// </summary>
public class WorkInPageTests(SignInPageFixture app) : IClassFixture<SignInPageFixture>
{
    private Task<int> MeasureId(string code) =>
        app.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());

    private int _loads;

    /// <summary>A fresh load of the page at a view (a new query string, so it is a real navigation, not a hash change).</summary>
    private async Task Go(IPage page, string hash)
    {
        await page.GotoAsync($"{app.BaseUrl}/?load={++_loads}{hash}");
        await PageFixture.Rendered(page);
    }

    [Fact]
    public async Task An_agency_files_a_figure_with_a_pdf_the_office_returns_it_the_agency_corrects_it_and_the_office_accepts()
    {
        var targetId = await MeasureId("T02-1");
        var reporter = await SignInTests.SignInAsync(app, SignInPageFixture.Reporter);

        // The filing form says what the number means before it is typed.
        await reporter.GetByTestId("nav-my").ClickAsync();
        await PageFixture.Rendered(reporter);
        await Go(reporter, $"#/w/file/{targetId}");
        var facts = reporter.GetByTestId("measure-facts");
        await Assertions.Expect(facts).ToContainTextAsync("亿元");
        await Assertions.Expect(facts).ToContainTextAsync("基线");
        var form = reporter.GetByTestId("filing-form");
        await form.GetByLabel("数值").FillAsync("88.8");
        await form.GetByLabel("截至日期").FillAsync("2025-06-30");
        await form.GetByLabel("情况说明").FillAsync("上半年人工智能核心产业收入（页面填报）");
        await form.GetByLabel("佐证链接").FillAsync("https://dsj.guizhou.gov.cn/");
        var pdf = EvidenceFiles.Pdf("AI revenue 2025 H1");
        await form.GetByLabel("佐证文件").SetInputFilesAsync(new FilePayload { Name = "上半年收入.pdf", MimeType = "application/pdf", Buffer = pdf });
        await reporter.SetViewportSizeAsync(390, 844); // a phone
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-filing-form-phone"), FullPage = true });
        await form.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Assertions.Expect(reporter.GetByTestId("filed")).ToContainTextAsync("附件 1 个");
        await reporter.SetViewportSizeAsync(1280, 900);

        var filed = await app.WithDb(db => db.Reports.Where(r => r.MeasureId == targetId && r.Value == 88.8m).Select(r => new { r.Id, r.TokenId }).SingleAsync());
        var stored = await app.WithDb(db => db.Attachments.Where(a => a.ReportId == filed.Id).Select(a => a.Sha256).SingleAsync());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), stored);
        Assert.Equal("王五", await app.WithDb(db => db.Audit.Where(a => a.EntityType == "report" && a.EntityId == filed.Id.ToString()).Select(a => a.Actor).SingleAsync()));

        // On the dashboard: the task page shows the figure as the latest report.
        await Go(reporter, "#/tasks/2");
        await Assertions.Expect(reporter.Locator("#app")).ToContainTextAsync("88.8 亿元");
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-dashboard-after-filing"), FullPage = true });

        // The office returns it with a comment from the review queue, and sees the PDF among the evidence.
        var office = await SignInTests.SignInAsync(app, SignInPageFixture.Office);
        await office.GetByTestId("nav-review").ClickAsync();
        await PageFixture.Rendered(office);
        var queued = office.Locator($"[data-testid=queued-report][data-report='{filed.Id}']");
        await Assertions.Expect(queued.GetByTestId("attachment")).ToHaveTextAsync("上半年收入.pdf");
        await queued.GetByLabel($"审核意见 #{filed.Id}").FillAsync("请补充分市数据");
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-review-queue"), FullPage = true });
        await queued.GetByTestId("return").ClickAsync();
        await Assertions.Expect(queued.GetByTestId("reviewed")).ToHaveTextAsync("已退回");

        // The agency sees it returned, with the comment, in My work, and corrects it.
        await Go(reporter, "#/w/my");
        var returned = reporter.GetByTestId("work-report-returned").Filter(new() { HasText = "T02-1" });
        await Assertions.Expect(returned.GetByTestId("office-comment")).ToContainTextAsync("请补充分市数据");
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-my-work-returned"), FullPage = true });
        await returned.GetByRole(AriaRole.Link, new() { Name = "更正 T02-1" }).ClickAsync();
        await PageFixture.Rendered(reporter);
        form = reporter.GetByTestId("filing-form");
        await form.GetByLabel("数值").FillAsync("91.2");
        await form.GetByLabel("截至日期").FillAsync("2025-06-30");
        await form.GetByLabel("更正原因").FillAsync("补充分市数据");
        await form.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Assertions.Expect(reporter.GetByTestId("filed")).ToBeVisibleAsync();
        var correction = await app.WithDb(db => db.Reports.Where(r => r.SupersedesId == filed.Id).Select(r => r.Id).SingleAsync());

        // The office accepts the correction, with the keyboard.
        await Go(office, "#/w/review");
        var again = office.Locator($"[data-testid=queued-report][data-report='{correction}']");
        await again.GetByTestId("accept").FocusAsync();
        await office.Keyboard.PressAsync("Enter");
        await Assertions.Expect(again.GetByTestId("reviewed")).ToHaveTextAsync("已通过");
        Assert.Equal(Domain.ReviewStatus.Accepted, await app.WithDb(db => db.Reports.Where(r => r.Id == correction).Select(r => r.ReviewStatus).SingleAsync()));
        await reporter.Context.CloseAsync();
        await office.Context.CloseAsync();
    }

    [Fact]
    public async Task My_work_reads_in_English_and_its_controls_are_reached_by_keyboard()
    {
        var reporter = await SignInTests.SignInAsync(app, SignInPageFixture.Reporter);
        await Go(reporter, "#/w/my");
        await reporter.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(reporter.Locator("#work h2")).ToContainTextAsync("My work", new() { Timeout = 10_000 });
        await Go(reporter, $"#/w/file/{await MeasureId("T02-1")}");
        var form = reporter.GetByTestId("filing-form");
        await Assertions.Expect(form.GetByLabel("Value")).ToBeVisibleAsync();
        await Assertions.Expect(reporter.GetByTestId("measure-facts")).ToContainTextAsync("Annual amount");
        // Tab moves from the value to the next labelled field, as a keyboard user would go through the form.
        await form.GetByLabel("Value").FocusAsync();
        await reporter.Keyboard.PressAsync("Tab");
        Assert.Equal(await form.GetByLabel("Part").GetAttributeAsync("id"), await reporter.EvaluateAsync<string>("() => document.activeElement.id"));
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-filing-form-en"), FullPage = true });
        await reporter.EvaluateAsync("() => localStorage.removeItem('tt.lang')");
        await reporter.Context.CloseAsync();
    }

    [Fact]
    public async Task An_instruction_is_issued_answered_with_an_extension_request_extended_and_closed()
    {
        var office = await SignInTests.SignInAsync(app, SignInPageFixture.Office, "/#/w/instructions");
        await Go(office, "#/w/instructions");
        var issue = office.GetByTestId("issue-form");
        await issue.GetByLabel("任务编号").FillAsync("2");
        await issue.GetByLabel("责任单位代码").FillAsync("bigdata-bureau");
        await issue.GetByLabel("督办内容").FillAsync("请于两周内报送人工智能产业推进情况");
        await issue.GetByLabel("答复期限").FillAsync("2025-07-15");
        await issue.GetByRole(AriaRole.Button, new() { Name = "下发督办" }).ClickAsync();
        await Assertions.Expect(office.GetByTestId("issued")).ToContainTextAsync("1");
        var id = await app.WithDb(db => db.Instructions.Where(i => i.Text.StartsWith("请于两周内")).Select(i => i.Id).SingleAsync());

        var reporter = await SignInTests.SignInAsync(app, SignInPageFixture.Reporter);
        await Go(reporter, "#/w/my");
        var reply = reporter.GetByTestId($"reply-{id}");
        await reply.GetByLabel("答复内容").FillAsync("正在汇总，申请延期两周");
        await reply.GetByLabel("申请延期至").FillAsync("2025-07-31");
        await reply.GetByRole(AriaRole.Button, new() { Name = "提交答复" }).ClickAsync();
        await Assertions.Expect(reply.GetByTestId("reply-sent")).ToBeVisibleAsync();

        await Go(office, "#/w/instructions");
        var card = office.Locator($"[data-testid=instruction][data-id='{id}']");
        await Assertions.Expect(card).ToContainTextAsync("2025-07-31");
        await card.GetByLabel($"处理方式 #{id}").SelectOptionAsync("accept-extension");
        await card.GetByRole(AriaRole.Button, new() { Name = "确认" }).ClickAsync();
        await Assertions.Expect(card.GetByTestId("instruction-status")).Not.ToHaveTextAsync("待答复", new() { Timeout = 10_000 });
        card = office.Locator($"[data-testid=instruction][data-id='{id}']");
        await card.GetByLabel($"处理方式 #{id}").SelectOptionAsync("close");
        await card.GetByLabel($"审核意见 #{id}").FillAsync("已办结");
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-instruction-before-close"), FullPage = true });
        await card.GetByRole(AriaRole.Button, new() { Name = "确认" }).ClickAsync();
        await Assertions.Expect(card.GetByTestId("instruction-status")).ToHaveTextAsync("已办结");
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-instruction-closed"), FullPage = true });

        var status = await app.WithDb(db => db.Instructions.Where(i => i.Id == id).Select(i => i.Status).SingleAsync());
        Assert.Equal(Domain.InstructionStatus.Closed, status);
        var kinds = await app.WithDb(db => db.InstructionEntries.Where(e => e.InstructionId == id).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());
        Assert.Contains(Domain.InstructionEntryKind.ExtensionRequested, kinds);
        Assert.Contains(Domain.InstructionEntryKind.ExtensionAccepted, kinds);
        Assert.Equal(Domain.InstructionEntryKind.Closed, kinds[^1]);
        await reporter.Context.CloseAsync();
        await office.Context.CloseAsync();
    }
}
