using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Browser;

/// <summary>
/// The dashboard page at / in headless Chromium against the real service: what it shows must equal what the API says.
/// </summary>
public class DashboardPageTests(PageFixture app) : IClassFixture<PageFixture>, IAsyncLifetime
{
    private const string Plan = "guizhou-2025";

    // One report makes the figures non-trivial: T01-1 (100 家, no baseline) at 50 is 50%; task 1 is then 25%.
    public async Task InitializeAsync()
    {
        var already = await app.WithDb(db => db.Reports.AnyAsync());
        if (already) return;
        var reporter = app.ClientWith(await app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var id = await app.WithDb(db => db.Measures.Where(m => m.Code == "T01-1" && m.Plan.Code == Plan).Select(m => m.Id).SingleAsync());
        var response = await reporter.PostAsJsonAsync($"/api/targets/{id}/reports",
            new { value = 50, asOf = "2025-06-30", narrative = "上半年新增生态伙伴", evidence = new[] { "https://dsj.guizhou.gov.cn/a" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement> Api(string path)
    {
        var response = await app.CreateClient().GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>The page shows fractions as percentages to one decimal; compare within that rounding.</summary>
    private static void SamePercent(JsonElement apiValue, string shown, string what)
    {
        if (apiValue.ValueKind == JsonValueKind.Null) { Assert.True(shown == "—", $"{what}: API null, page {shown}"); return; }
        var page = double.Parse(shown.TrimEnd('%'), CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(page - apiValue.GetDouble() * 100) <= 0.051, $"{what}: API {apiValue.GetDouble() * 100:0.###}%, page {shown}");
    }

    private static async Task<List<int>> RowNumbers(IPage page) =>
        (await page.Locator("[data-testid=task-row]").EvaluateAllAsync<int[]>("rows => rows.map(r => Number(r.dataset.number))")).ToList();

    [Fact]
    public async Task Overview_shows_36_tasks_and_every_figure_equals_the_API()
    {
        var page = await app.OpenAsync();
        var dash = await Api($"/api/plans/{Plan}/dashboard");

        Assert.Equal(dash.GetProperty("titleZh").GetString(), await page.GetByTestId("plan-title").TextContentAsync());
        Assert.Equal(36, await page.GetByTestId("task-row").CountAsync());
        SamePercent(dash.GetProperty("completion"), (await page.GetByTestId("overall-completion").TextContentAsync())!, "overall");
        Assert.Equal(dash.GetProperty("status").GetString(), await page.GetByTestId("overall-status").GetAttributeAsync("data-status"));
        // Headline targets (issue 12): every one shown with its figure; those no task carries named as the headline group.
        var headline = dash.GetProperty("headline").EnumerateArray().ToList();
        Assert.Equal(headline.Select(h => h.GetProperty("code").GetString()), await page.GetByTestId("headline-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.code)"));
        var group = dash.GetProperty("headlineGroup");
        foreach (var code in group.GetProperty("codes").EnumerateArray())
            Assert.Contains(code.GetString()!, await page.GetByTestId("headline-group").TextContentAsync());
        SamePercent(group.GetProperty("completion"), (await page.GetByTestId("headline-group-completion").TextContentAsync())!, "headline group");
        SamePercent(dash.GetProperty("verifiedCompletion"), (await page.GetByTestId("overall-verified").TextContentAsync())!, "verified");

        foreach (var task in dash.GetProperty("tasks").EnumerateArray())
        {
            var row = page.Locator($"[data-testid=task-row][data-number='{task.GetProperty("number").GetInt32()}']");
            SamePercent(task.GetProperty("completion"), (await row.GetByTestId("task-completion").TextContentAsync())!, $"task {task.GetProperty("number")}");
            Assert.Equal(task.GetProperty("status").GetString(), await row.GetByTestId("task-status").GetAttributeAsync("data-status"));
            Assert.Equal(task.GetProperty("titleZh").GetString(), await row.GetByTestId("task-link").TextContentAsync());
        }
        foreach (var section in dash.GetProperty("sections").EnumerateArray())
        {
            var row = page.Locator($"[data-testid=section-row][data-section='{section.GetProperty("number").GetInt32()}']");
            SamePercent(section.GetProperty("completion"), (await row.GetByTestId("section-completion").TextContentAsync())!, $"section {section.GetProperty("number")}");
        }
        // The report filed above shows: task 1 is half of T01-1's 50%.
        Assert.Equal("25.0%", await page.Locator("[data-testid=task-row][data-number='1'] [data-testid=task-completion]").TextContentAsync());
        Assert.Equal("25", await page.Locator("[data-testid=task-row][data-number='1'] [role=progressbar]").GetAttributeAsync("aria-valuenow"));

        var file = PageFixture.ScreenshotPath("dashboard-overview");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 10_000, $"screenshot {file} is empty");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_is_served_with_a_self_only_content_security_policy()
    {
        var response = await app.CreateClient().GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("<script type=\"module\" src=\"app.js\">", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Section_filter_shows_exactly_that_sections_tasks()
    {
        var page = await app.OpenAsync();
        var expected = (await Api($"/api/plans/{Plan}/tasks?section=2&pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(t => t.GetProperty("number").GetInt32()).ToList();
        Assert.NotEmpty(expected);

        await page.GetByTestId("filter-section").SelectOptionAsync("2");
        await PageFixture.Rendered(page);
        Assert.Equal(expected, await RowNumbers(page));
        Assert.Equal(expected.Count.ToString(CultureInfo.InvariantCulture), await page.GetByTestId("task-count").GetAttributeAsync("data-count"));

        await page.GetByTestId("filter-section").SelectOptionAsync("");
        await PageFixture.Rendered(page);
        Assert.Equal(36, await page.GetByTestId("task-row").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Agency_filter_matches_the_APIs_responsibility_including_groups()
    {
        var page = await app.OpenAsync();
        // 贵阳市人民政府 is named directly on some tasks and through 各市〔州〕人民政府 on others.
        var expected = (await Api($"/api/plans/{Plan}/tasks?agency=guiyang&pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(t => t.GetProperty("number").GetInt32()).ToList();
        Assert.InRange(expected.Count, 1, 35);

        await page.GetByTestId("filter-agency").SelectOptionAsync("guiyang");
        await PageFixture.Rendered(page);
        Assert.Equal(expected, await RowNumbers(page));

        // Both filters together: the intersection.
        await page.GetByTestId("filter-section").SelectOptionAsync("5");
        await PageFixture.Rendered(page);
        var section5 = (await Api($"/api/plans/{Plan}/tasks?agency=guiyang&section=5&pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(t => t.GetProperty("number").GetInt32()).ToList();
        Assert.Equal(section5, await RowNumbers(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Task_page_charts_reports_against_the_expected_line()
    {
        var page = await app.OpenAsync("/#/tasks/1");
        var series = await Api($"/api/targets/{await app.WithDb(db => db.Measures.Where(m => m.Code == "T01-1" && m.Plan.Code == Plan).Select(m => m.Id).SingleAsync())}/series");

        Assert.Equal("1", await page.GetByTestId("task-page").GetAttributeAsync("data-number"));
        var chart = page.Locator("[data-testid=chart][data-target='T01-1']");
        Assert.Equal(1, await chart.CountAsync());
        Assert.Equal(1, await chart.Locator("[data-testid=expected-line]").CountAsync());
        var points = chart.Locator("[data-testid=reported-point]");
        Assert.Equal(series.GetProperty("reported").GetArrayLength(), await points.CountAsync());
        Assert.Equal(50m, decimal.Parse((await points.First.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
        SamePercent(series.GetProperty("figure").GetProperty("completion"),
            (await page.Locator("[data-testid=target-card][data-code='T01-1'] [data-testid=target-completion]").TextContentAsync())!, "T01-1");
        Assert.Equal("25.0%", await page.GetByTestId("task-page-completion").TextContentAsync());
        Assert.True(await page.GetByTestId("milestone-row").CountAsync() >= 1);

        var file = PageFixture.ScreenshotPath("dashboard-task-1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 5_000);

        await page.GetByTestId("back").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(36, await page.GetByTestId("task-row").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Overdue_panel_lists_what_the_overdue_list_returns_for_the_chosen_date()
    {
        var page = await app.OpenAsync();
        await page.GetByTestId("asof").FillAsync("2026-01-15");
        await PageFixture.Rendered(page);
        var overdue = await Api($"/api/plans/{Plan}/overdue?asOf=2026-01-15");

        Assert.Equal("2026-01-15", (await page.GetByTestId("as-of-shown").TextContentAsync())![^10..]);
        var panel = page.GetByTestId("overdue-panel");
        Assert.Equal(overdue.GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture), await panel.GetByTestId("overdue-total").GetAttributeAsync("data-total"));
        var items = overdue.GetProperty("items").EnumerateArray().Take(30).ToList();
        Assert.NotEmpty(items);
        Assert.Equal(items.Count, await panel.GetByTestId("overdue-item").CountAsync());
        var shownFirst = panel.GetByTestId("overdue-item").First;
        Assert.Equal(items[0].GetProperty("kind").GetString(), await shownFirst.GetAttributeAsync("data-kind"));
        Assert.Equal(items[0].GetProperty("severity").GetString(), await shownFirst.GetAttributeAsync("data-severity"));
        Assert.Contains(items[0].GetProperty("titleZh").GetString()!, await shownFirst.TextContentAsync());

        // The figures follow the date too: by 2026 every unfinished measure is overdue.
        var dash = await Api($"/api/plans/{Plan}/dashboard?asOf=2026-01-15");
        Assert.Equal(dash.GetProperty("status").GetString(), await page.GetByTestId("overall-status").GetAttributeAsync("data-status"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_risk_panel_lists_what_the_at_risk_list_returns()
    {
        // Late November 2025: much is due within 30 days and not done (yellow), some is off track (orange).
        var page = await app.OpenAsync();
        await page.GetByTestId("asof").FillAsync("2025-11-20");
        await PageFixture.Rendered(page);
        var atRisk = await Api($"/api/plans/{Plan}/at-risk?asOf=2025-11-20");

        var panel = page.GetByTestId("at-risk-panel");
        Assert.Equal(atRisk.GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture), await panel.GetByTestId("at-risk-total").GetAttributeAsync("data-total"));
        var items = atRisk.GetProperty("items").EnumerateArray().Take(30).ToList();
        Assert.NotEmpty(items);
        var shown = panel.GetByTestId("at-risk-item");
        Assert.Equal(items.Count, await shown.CountAsync());
        for (var n = 0; n < Math.Min(5, items.Count); n++)
        {
            Assert.Equal(items[n].GetProperty("severity").GetString(), await shown.Nth(n).GetAttributeAsync("data-severity"));
            Assert.Equal(items[n].GetProperty("code").GetString() ?? "", await shown.Nth(n).GetAttributeAsync("data-code"));
        }
        Assert.DoesNotContain("red", await shown.EvaluateAllAsync<string[]>("xs => xs.map(x => x.dataset.severity)"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task English_toggle_switches_titles_and_is_remembered()
    {
        var page = await app.OpenAsync();
        var dash = await Api($"/api/plans/{Plan}/dashboard");
        var first = dash.GetProperty("tasks")[0];

        await page.GetByTestId("lang-toggle").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(dash.GetProperty("titleEn").GetString(), await page.GetByTestId("plan-title").TextContentAsync());
        Assert.Equal(first.GetProperty("titleEn").GetString(), await page.Locator("[data-testid=task-row][data-number='1'] [data-testid=task-link]").TextContentAsync());
        Assert.Equal("en", await page.EvaluateAsync<string>("() => document.documentElement.lang"));

        await page.ReloadAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(first.GetProperty("titleEn").GetString(), await page.Locator("[data-testid=task-row][data-number='1'] [data-testid=task-link]").TextContentAsync());

        await page.GetByTestId("lang-toggle").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(first.GetProperty("titleZh").GetString(), await page.Locator("[data-testid=task-row][data-number='1'] [data-testid=task-link]").TextContentAsync());
        await page.Context.CloseAsync();
    }
}

/// <summary>Anonymous reads off, as in production: the page asks for a token and works once given a viewer's.</summary>
public class DashboardPageTokenTests(TokenPageFixture app) : IClassFixture<TokenPageFixture>
{
    [Fact]
    public async Task Without_anonymous_reads_the_page_asks_for_a_token_and_works_with_a_viewer_token()
    {
        var page = await app.OpenAsync();
        Assert.Equal("needed", await page.EvaluateAsync<string>("() => document.body.dataset.auth"));
        Assert.True(await page.GetByTestId("message").IsVisibleAsync());
        Assert.Equal(0, await page.GetByTestId("task-row").CountAsync());

        await page.GetByTestId("token-input").FillAsync("tt_bogus");
        await page.GetByTestId("token-save").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(0, await page.GetByTestId("task-row").CountAsync());
        Assert.True(await page.GetByTestId("message").IsVisibleAsync());

        await page.GetByTestId("token-input").FillAsync(await app.TokenAsync(Role.Viewer));
        await page.GetByTestId("token-save").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal(36, await page.GetByTestId("task-row").CountAsync());
        Assert.False(await page.GetByTestId("message").IsVisibleAsync());
        await page.Context.CloseAsync();
    }
}
