using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.SignIn;

namespace TaskTracker.Tests.Browser;

/// <summary>
/// The rest of the work in the page, signed in through the OpenID Connect provider: an agency uploads the template
/// (a bad row is shown with its errors and nothing is filed; then a good file files), the office sends a 催办 on an
/// open instruction, signs off (销号) a done measure and reopens it, and a deep link to a work view shows the plan list.
/// </summary>
public class WorkPageFormsTests(SignInPageFixture app) : IClassFixture<SignInPageFixture>
{
    private int _loads;

    private async Task Go(IPage page, string hash)
    {
        await page.GotoAsync($"{app.BaseUrl}/?load={++_loads}{hash}");
        await PageFixture.Rendered(page);
    }

    private Task<int> MeasureId(string code) =>
        app.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());

    private static FilePayload Csv(string name, params string[] rows) => new()
    {
        Name = name, MimeType = "text/csv",
        Buffer = Encoding.UTF8.GetBytes("measure,value,status,period,asOf,subUnit,narrative,evidence\n" + string.Join("\n", rows) + "\n"),
    };

    [Fact]
    public async Task A_bulk_upload_with_a_bad_row_shows_the_errors_beside_that_row_and_files_nothing_then_a_good_upload_files()
    {
        var reporter = await SignInTests.SignInAsync(app, SignInPageFixture.Reporter);
        await reporter.GetByTestId("nav-bulk").ClickAsync();
        await PageFixture.Rendered(reporter);
        var form = reporter.GetByTestId("bulk-form");
        await form.GetByLabel("模板文件（CSV 或 Excel）").SetInputFilesAsync(Csv("bad.csv",
            "T02-1,120.5,,,2025-06-30,,批量上传（好行）,",
            "T02-1,-5,,,2025-06-30,,批量上传（坏行）,"));
        await form.GetByRole(AriaRole.Button, new() { Name = "上传" }).ClickAsync();
        await Assertions.Expect(reporter.GetByTestId("bulk-error")).ToContainTextAsync("1 行有错误");
        var bad = reporter.Locator("[data-testid=bulk-row][data-row='3']");
        await Assertions.Expect(bad).ToContainTextAsync("批量上传（坏行）");
        await Assertions.Expect(bad.GetByTestId("row-errors")).ToContainTextAsync("value");
        await Assertions.Expect(reporter.Locator("[data-testid=bulk-row][data-row='2']").GetByTestId("row-errors")).ToBeEmptyAsync();
        await reporter.SetViewportSizeAsync(390, 844);
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-bulk-row-errors-phone"), FullPage = true });
        await reporter.SetViewportSizeAsync(1280, 900);
        Assert.Equal(0, await app.WithDb(db => db.Reports.CountAsync(r => r.Narrative!.StartsWith("批量上传"))));

        await form.GetByLabel("模板文件（CSV 或 Excel）").SetInputFilesAsync(Csv("good.csv",
            "T02-1,120.5,,,2025-06-30,,批量上传（好行）,",
            "T02-1,121,,,2025-06-30,,批量上传（改正后）,"));
        await form.GetByRole(AriaRole.Button, new() { Name = "上传" }).ClickAsync();
        await Assertions.Expect(reporter.GetByTestId("bulk-filed")).ToContainTextAsync("已提交 2 份报告");
        await Assertions.Expect(reporter.GetByTestId("bulk-rows")).ToHaveCountAsync(0);
        Assert.Equal(2, await app.WithDb(db => db.Reports.CountAsync(r => r.Narrative!.StartsWith("批量上传"))));
        await reporter.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-bulk-filed"), FullPage = true });
        await reporter.Context.CloseAsync();
    }

    [Fact]
    public async Task The_office_sends_a_reminder_on_an_open_instruction()
    {
        var office = await SignInTests.SignInAsync(app, SignInPageFixture.Office);
        var api = app.ClientWith(await app.TokenAsync(Role.Office));
        // A 催办 goes to the agency's contacts: one is on file.
        (await api.PostAsJsonAsync("/api/agencies/bigdata-bureau/contacts", new { name = "王五", email = "wangwu@example.gov.cn" })).EnsureSuccessStatusCode();
        var issued = await (await api.PostAsJsonAsync("/api/plans/guizhou-2025/instructions",
            new { taskNumber = 19, agency = "bigdata-bureau", text = "请报送任务十九推进情况（催办测试）", replyBy = "2025-07-20" })).ReadJson<Features.Oversight.InstructionDto>();
        await Go(office, "#/w/instructions");
        var card = office.Locator($"[data-testid=instruction][data-id='{issued.Id}']");
        await card.GetByLabel($"催办说明（可选） #{issued.Id}").FillAsync("请尽快答复");
        await card.GetByRole(AriaRole.Button, new() { Name = "催办" }).ClickAsync();
        await Assertions.Expect(card.GetByTestId("reminded")).ToContainTextAsync("已催办，发出 1 条提醒");
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-instruction-reminded"), FullPage = true });
        var audit = await app.WithDb(db => db.Audit.Where(a => a.Action == "instruction.reminded" && a.EntityId == issued.Id.ToString()).Select(a => new { a.Actor, a.Details }).SingleAsync());
        Assert.Equal("李四", audit.Actor);
        Assert.Contains("请尽快答复", audit.Details);
        await office.Context.CloseAsync();
    }

    [Fact]
    public async Task The_office_signs_off_a_done_measure_sees_it_signed_off_and_reopens_it()
    {
        // M19-1 (led by bigdata-bureau) is reported done.
        var reporter = app.ClientWith(await app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        await (await reporter.PostAsJsonAsync($"/api/milestones/{await MeasureId("M19-1")}/reports", new { status = "done", asOf = "2025-06-30" })).ReadJson<ReportDto>();

        var office = await SignInTests.SignInAsync(app, SignInPageFixture.Office);
        await office.GetByTestId("nav-signoff").ClickAsync();
        await PageFixture.Rendered(office);
        var item = office.Locator("[data-testid=sign-off-item][data-key='M19-1']");
        await Assertions.Expect(item.GetByTestId("sign-off-state")).ToHaveTextAsync("已完成");
        await item.GetByLabel("销号意见 M19-1").FillAsync("经核实已完成");
        // With the keyboard: focus the button and press Enter.
        await item.GetByTestId("sign-off").FocusAsync();
        await office.Keyboard.PressAsync("Enter");
        await Assertions.Expect(item.GetByTestId("sign-off-state")).ToContainTextAsync("已销号");
        var signed = await app.WithDb(db => db.SignOffs.Where(s => s.MeasureId != null && s.Comment == "经核实已完成").Select(s => new { s.SignedBy, s.ReopenedAtUtc }).SingleAsync());
        Assert.Equal(("李四", (DateTime?)null), (signed.SignedBy, signed.ReopenedAtUtc));

        // It shows as signed off on the dashboard's task page, and in the sign-off view after a reload.
        await Go(office, "#/tasks/19");
        await Assertions.Expect(office.Locator("[data-testid=milestone-row][data-code='M19-1']").GetByTestId("signed-off")).ToContainTextAsync("已销号");
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-task-signed-off"), FullPage = true });
        await Go(office, "#/w/signoff");
        item = office.Locator("[data-testid=sign-off-item][data-key='M19-1']");
        await Assertions.Expect(item.GetByTestId("sign-off-state")).ToContainTextAsync("已销号");
        await office.SetViewportSizeAsync(390, 844);
        await office.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("work-sign-off-phone"), FullPage = true });
        await office.SetViewportSizeAsync(1280, 900);

        // Reopened by the office with a reason.
        await item.GetByLabel("撤销原因 M19-1").FillAsync("材料不全，重新督办");
        await item.GetByTestId("reopen").ClickAsync();
        await Assertions.Expect(item.GetByTestId("sign-off-state")).ToHaveTextAsync("已完成");
        var reopened = await app.WithDb(db => db.SignOffs.Where(s => s.Comment == "经核实已完成").Select(s => new { s.ReopenReason, s.ReopenedBy }).SingleAsync());
        Assert.Equal(("材料不全，重新督办", "李四"), (reopened.ReopenReason, reopened.ReopenedBy));
        await office.Context.CloseAsync();
    }

    [Fact]
    public async Task A_deep_link_to_a_work_view_shows_the_plan_list()
    {
        var office = await SignInTests.SignInAsync(app, SignInPageFixture.Office);
        await Go(office, "#/w/instructions");
        var select = office.GetByTestId("plan-select");
        await Assertions.Expect(select.Locator("option[value='guizhou-2025']")).ToHaveCountAsync(1);
        await Assertions.Expect(select).ToHaveValueAsync("guizhou-2025");
        await Assertions.Expect(office.Locator("#work h2")).ToContainTextAsync("督办");

        // The sign-off view, opened by its link too, also reads in English.
        await Go(office, "#/w/signoff");
        await Assertions.Expect(select).ToHaveValueAsync("guizhou-2025");
        await office.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(office.Locator("#work h2")).ToContainTextAsync("Sign-off (销号) of done tasks and measures", new() { Timeout = 10_000 });
        await Assertions.Expect(office.GetByTestId("nav-signoff")).ToHaveTextAsync("Sign-off");
        await office.Context.CloseAsync();
    }
}
