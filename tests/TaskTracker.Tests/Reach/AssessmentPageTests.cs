using System.Globalization;
using TaskTracker.Domain;
using TaskTracker.Features.Bulletin;
using TaskTracker.Tests.Browser;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Reach;

/// <summary>The page shows the office the assessment ranking, equal to the API's; a viewer does not see it.</summary>
public class AssessmentPageTests(PageFixture app) : IClassFixture<PageFixture>
{
    [Fact]
    public async Task The_office_sees_the_ranking_the_API_gives_and_a_viewer_does_not()
    {
        var anonymous = await app.OpenAsync();
        Assert.Equal(0, await anonymous.GetByTestId("assessment-panel").CountAsync());

        var token = await app.TokenAsync(Role.Office);
        var page = await app.OpenAsync();
        await page.Locator("#token-box summary").ClickAsync(); // the token box is folded away while reads need none
        await page.GetByTestId("token-input").FillAsync(token);
        await page.GetByTestId("token-save").ClickAsync();
        await PageFixture.Rendered(page);
        await page.GetByTestId("assessment-panel").WaitForAsync();

        var asOf = await page.GetByTestId("as-of-shown").TextContentAsync();
        var to = asOf!.Replace("截至 ", "").Trim();
        var api = await app.ClientWith(token).GetAsync($"/api/plans/guizhou-2025/assessment?from=2024-12-31&to={to}");
        var expected = await api.ReadJson<PlanAssessment>();
        Assert.NotEmpty(expected.Agencies);
        var rows = page.GetByTestId("assessment-row");
        Assert.Equal(expected.Agencies.Count, await rows.CountAsync());
        for (var i = 0; i < expected.Agencies.Count; i++)
        {
            var row = rows.Nth(i);
            Assert.Equal(expected.Agencies[i].Agency, await row.GetAttributeAsync("data-agency"));
            Assert.Equal(expected.Agencies[i].Rank.ToString(CultureInfo.InvariantCulture), await row.GetAttributeAsync("data-rank"));
            Assert.Equal(expected.Agencies[i].Score.ToString("0.00", CultureInfo.InvariantCulture), await row.GetByTestId("assessment-score").TextContentAsync());
        }
        await page.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("assessment"), FullPage = true });
    }
}
