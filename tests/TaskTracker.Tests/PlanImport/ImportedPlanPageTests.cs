using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Features.Seeding.Import;
using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Browser;

namespace TaskTracker.Tests.PlanImport;

/// <summary>An imported plan published with its English still to translate: in English the page shows the Chinese.</summary>
public class ImportedPlanPageTests(PageFixture app) : IClassFixture<PageFixture>
{
    [Fact]
    public async Task In_English_the_page_falls_back_to_Chinese_where_the_English_is_empty()
    {
        var catalogue = new AgencyCatalogue(JsonSerializer.Deserialize<SeedAgenciesFile>(PlanTexts.Catalogue, SeedJson.Options)!.Agencies!);
        var draft = PlanDraftBuilder.Build(PlanTexts.CityArabicDot.Replace("\r", ""), "demo-city-2026", catalogue, TimeProvider.System);
        // The office translated one title so far.
        var tasks = new SeedTasksFile { Tasks = draft.Tasks.Tasks!.Select(t => t.Number == 2 ? t with { TitleEn = "Improve the urban sensing network" } : t).ToList() };
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAsync(new PlanDraft(draft.Plan, tasks, draft.Agencies, draft.SourceText, draft.Findings).AsFolder("demo-city-2026"), default);

        var page = await app.OpenAsync("/?plan=demo-city-2026");
        await page.GetByTestId("lang-toggle").ClickAsync();
        await PageFixture.Rendered(page);
        Assert.Equal("en", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        Assert.Equal("示范市2026年数字经济工作要点", await page.GetByTestId("plan-title").TextContentAsync());
        Assert.Equal("推进算力设施建设", await page.Locator("[data-testid=task-row][data-number='1'] [data-testid=task-link]").TextContentAsync());
        Assert.Equal("Improve the urban sensing network", await page.Locator("[data-testid=task-row][data-number='2'] [data-testid=task-link]").TextContentAsync());
        await page.Context.CloseAsync();
    }
}
