using System.Net.Http.Json;
using TaskTracker.Domain;

namespace TaskTracker.Tests.Browser;

/// <summary>The task page lists a milestone's steps (节点) as the dashboard gives them, in headless Chromium.</summary>
public class MilestoneStepsPageTests(PageFixture app) : IClassFixture<PageFixture>
{
    [Fact]
    public async Task Task_page_shows_a_milestones_steps_done_open_and_late()
    {
        // M22-1 (task 22): 省农业农村厅 leads. The service's clock stands at 1 July 2025.
        var lead = app.ClientWith(await app.TokenAsync(Role.Reporter, "agriculture-dept"));
        var url = "/api/plans/guizhou-2025/measures/M22-1/steps";
        var put = await lead.PutAsJsonAsync(url, new
        {
            steps = new[] { new { title = "起草方案", due = "2025-03-31" }, new { title = "征求意见", due = "2025-06-30" }, new { title = "印发", due = "2025-12-15" } },
        });
        put.EnsureSuccessStatusCode();
        (await lead.PostAsJsonAsync($"{url}/1/done", new { doneOn = "2025-03-20" })).EnsureSuccessStatusCode();

        var page = await app.OpenAsync("/#/tasks/22");
        var steps = page.Locator("[data-testid=milestone-row][data-code='M22-1'] [data-testid=milestone-step]");
        Assert.Equal(3, await steps.CountAsync());
        Assert.Equal(["true", "false", "false"], await steps.EvaluateAllAsync<string[]>("xs => xs.map(x => x.dataset.done)"));
        Assert.Equal(["false", "true", "false"], await steps.EvaluateAllAsync<string[]>("xs => xs.map(x => x.dataset.late)"));
        Assert.Contains("起草方案", await steps.First.TextContentAsync());
        Assert.Contains("2025-03-20", await steps.First.TextContentAsync());
        // 1 of 3 steps done against 2 of 3 due (33% against 67%): off track, and the page shows the status the API gives.
        var dash = System.Text.Json.JsonDocument.Parse(await (await app.CreateClient().GetAsync("/api/plans/guizhou-2025/dashboard")).Content.ReadAsStringAsync()).RootElement;
        var figure = dash.GetProperty("tasks").EnumerateArray().SelectMany(t => t.GetProperty("measures").EnumerateArray()).Single(m => m.GetProperty("code").GetString() == "M22-1");
        Assert.Equal("off-track", figure.GetProperty("status").GetString());
        Assert.Equal(3, figure.GetProperty("steps").GetArrayLength());
        Assert.Equal("off-track", await page.Locator("[data-testid=milestone-row][data-code='M22-1'] [data-testid=milestone-status]").GetAttributeAsync("data-status"));
        await page.Context.CloseAsync();
    }
}
