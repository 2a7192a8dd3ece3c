using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Browser;

/// <summary>
/// Issue 12 on the task page in headless Chromium: each target's parts (分项) beside its figure, and verified completion
/// beside reported, equal to what the dashboard API returns.
/// </summary>
public class PartsPageTests(PageFixture app) : ProgressTestBase(app), IClassFixture<PageFixture>
{
    private const string Plan = "/api/plans/guizhou-2025";
    private readonly PageFixture _browser = app;

    private async Task<JsonElement> Dashboard()
    {
        var response = await App.CreateClient().GetAsync($"{Plan}/dashboard");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static JsonElement Task(JsonElement dash, int number) =>
        dash.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("number").GetInt32() == number);

    private static JsonElement Measure(JsonElement task, string code) =>
        task.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("code").GetString() == code);

    /// <summary>The page shows fractions as percentages to one decimal; compare within that rounding.</summary>
    private static void SamePercent(JsonElement apiValue, string? shown, string what)
    {
        Assert.NotNull(shown);
        if (apiValue.ValueKind == JsonValueKind.Null) { Assert.True(shown == "—", $"{what}: API null, page {shown}"); return; }
        var page = double.Parse(shown.TrimEnd('%'), CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(page - apiValue.GetDouble() * 100) <= 0.051, $"{what}: API {apiValue.GetDouble() * 100:0.###}%, page {shown}");
    }

    private static Task<HttpResponseMessage> Review(HttpClient http, long id, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{id}/review") { Content = System.Net.Http.Json.JsonContent.Create(new { decision = "accept" }) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Task_page_shows_a_cooperating_agencys_part_beside_the_leads_figure_and_verified_beside_reported()
    {
        // T02-1 (task 2): 省大数据局 leads, 贵阳市 co-operates. The lead's 100 is accepted; its 120 and 贵阳's part wait for review.
        var t = await MeasureId("T02-1");
        var lead = await As(Role.Reporter, "bigdata-bureau");
        var first = await (await PostJson(lead, $"/api/targets/{t}/reports", TargetBody(100, asOf: "2025-05-31"))).ReadJson<ReportDto>();
        (await Review(await As(Role.Office), first.Id, first.ETag)).EnsureSuccessStatusCode();
        (await PostJson(lead, $"/api/targets/{t}/reports", TargetBody(120))).EnsureSuccessStatusCode();
        (await PostJson(await As(Role.Reporter, "guiyang"), $"/api/targets/{t}/reports", TargetBody(30))).EnsureSuccessStatusCode();

        var dash = await Dashboard();
        var task = Task(dash, 2);
        var f = Measure(task, "T02-1");
        Assert.Equal("lead", f.GetProperty("figureSource").GetString());
        Assert.Equal(120m, f.GetProperty("latestValue").GetDecimal());
        // The unreviewed 120 counts as reported, the accepted 100 only as verified: the two figures differ.
        Assert.NotEqual(f.GetProperty("completion").GetDouble(), f.GetProperty("verifiedCompletion").GetDouble());

        var page = await _browser.OpenAsync("/#/tasks/2");
        var card = page.Locator("[data-testid=target-card][data-code='T02-1']");
        SamePercent(f.GetProperty("completion"), await card.GetByTestId("target-completion").TextContentAsync(), "T02-1 reported");
        SamePercent(f.GetProperty("verifiedCompletion"), await card.GetByTestId("target-verified").TextContentAsync(), "T02-1 verified");
        SamePercent(task.GetProperty("completion"), await page.GetByTestId("task-page-completion").TextContentAsync(), "task 2 reported");
        SamePercent(task.GetProperty("verifiedCompletion"), await page.GetByTestId("task-page-verified").TextContentAsync(), "task 2 verified");

        var parts = f.GetProperty("parts").EnumerateArray().ToList();
        var part = Assert.Single(parts);
        var rows = card.GetByTestId("part-row");
        Assert.Equal(1, await rows.CountAsync());
        Assert.Equal("lead", await card.GetByTestId("parts").GetAttributeAsync("data-figure-source"));
        Assert.Equal(0, await card.GetByTestId("sum-of-parts").CountAsync());
        var row = card.Locator($"[data-testid=part-row][data-agency='{part.GetProperty("agency").GetProperty("code").GetString()}']");
        Assert.Equal("co-operating", await row.GetAttributeAsync("data-role"));
        Assert.Equal(part.GetProperty("value").GetDecimal(), decimal.Parse((await row.GetByTestId("part-value").TextContentAsync())!, CultureInfo.InvariantCulture));
        Assert.Equal(part.GetProperty("asOf").GetString(), await row.GetByTestId("part-as-of").TextContentAsync());
        Assert.Contains(part.GetProperty("agency").GetProperty("nameZh").GetString()!, await row.TextContentAsync());
        Assert.Contains("配合单位", await row.TextContentAsync());

        var file = PageFixture.ScreenshotPath("task-2-parts");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 5_000, $"screenshot {file} is empty");

        // In English the agency's English name and the English labels.
        await page.GetByTestId("lang-toggle").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Contains(part.GetProperty("agency").GetProperty("nameEn").GetString()!, await row.TextContentAsync());
        Assert.Contains("Verified completion", await card.TextContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Task_page_labels_the_sum_of_city_parts_when_only_parts_exist()
    {
        // T15-1 (task 15): 各市〔州〕人民政府 file their parts; the lead has filed nothing, so the sum is the figure.
        var t = await MeasureId("T15-1");
        (await PostJson(await As(Role.Reporter, "guiyang"), $"/api/targets/{t}/reports", TargetBody(3))).EnsureSuccessStatusCode();
        (await PostJson(await As(Role.Reporter, "zunyi"), $"/api/targets/{t}/reports", TargetBody(2, asOf: "2025-05-31"))).EnsureSuccessStatusCode();

        var task = Task(await Dashboard(), 15);
        var f = Measure(task, "T15-1");
        Assert.Equal("sum-of-parts", f.GetProperty("figureSource").GetString());

        var page = await _browser.OpenAsync("/#/tasks/15");
        var card = page.Locator("[data-testid=target-card][data-code='T15-1']");
        Assert.Equal("sum-of-parts", await card.GetByTestId("parts").GetAttributeAsync("data-figure-source"));
        Assert.True(await card.GetByTestId("sum-of-parts").IsVisibleAsync());
        Assert.Contains("合计各分项", await card.GetByTestId("sum-of-parts").TextContentAsync());
        var parts = f.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(2, parts.Count);
        Assert.Equal(parts.Count, await card.GetByTestId("part-row").CountAsync());
        foreach (var part in parts)
        {
            var row = card.Locator($"[data-testid=part-row][data-agency='{part.GetProperty("agency").GetProperty("code").GetString()}']");
            Assert.Equal("member", await row.GetAttributeAsync("data-role"));
            Assert.Equal(part.GetProperty("value").GetDecimal(), decimal.Parse((await row.GetByTestId("part-value").TextContentAsync())!, CultureInfo.InvariantCulture));
            Assert.Equal(part.GetProperty("asOf").GetString(), await row.GetByTestId("part-as-of").TextContentAsync());
        }
        // Nothing reviewed: reported counts the parts' sum, verified has nothing to count.
        SamePercent(f.GetProperty("completion"), await card.GetByTestId("target-completion").TextContentAsync(), "T15-1 reported");
        SamePercent(f.GetProperty("verifiedCompletion"), await card.GetByTestId("target-verified").TextContentAsync(), "T15-1 verified");
        SamePercent(task.GetProperty("verifiedCompletion"), await page.GetByTestId("task-page-verified").TextContentAsync(), "task 15 verified");

        // Phone width: the parts table stays inside the screen (it scrolls sideways if it must, the page does not).
        await page.SetViewportSizeAsync(390, 844);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"page is {width}px wide on a 390px screen");
        var file = PageFixture.ScreenshotPath("task-15-sum-of-parts-phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 5_000, $"screenshot {file} is empty");
        await page.Context.CloseAsync();
    }
}
