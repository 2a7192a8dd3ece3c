using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace TaskTracker.Features.Seeding;

/// <summary>
/// The Seeding module: loads the plans shipped beside the binaries at start-up, and reads next year's plan from its
/// published text into a draft (Import/). It is a composition root of the
/// data (it writes every table of a plan), so it may use what the other modules define; no module uses it.
/// </summary>
internal static class SeedingModule
{
    public static WebApplicationBuilder AddSeeding(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SeedLoader>();
        builder.Services.AddScoped<Import.PlanDraftService>();
        return builder;
    }

    /// <summary>The office's plan drafts: a plan's published text read into the seed format, reviewed, then published.</summary>
    public static IEndpointRouteBuilder MapSeeding(this IEndpointRouteBuilder app) => Import.PlanDraftEndpoints.MapEndpoints(app);

    /// <summary>Migrates (or checks) the database and loads the seed plans; run before serving and before commands that need data.</summary>
    public static async Task InitialiseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var sp = scope.ServiceProvider;
        var opts = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Startup");
        var db = sp.GetRequiredService<TaskTrackerDb>();
        await DatabaseSetup.InitialiseAsync(db, opts, logger, CancellationToken.None);
        var seedPath = SeedLoader.ResolveSeedPath(opts.SeedPath, app.Environment.ContentRootPath);
        if (seedPath is null) return;
        // Several instances may start together against one database; the loser of a seeding race finds the plan loaded.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var seedScope = app.Services.CreateScope();
                await seedScope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAllAsync(seedPath, CancellationToken.None);
                await LogUnfileableAsync(seedScope.ServiceProvider, logger);
                return;
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException e) when (attempt < 5)
            {
                logger.LogWarning(e, "Seeding collided with another instance (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    /// <summary>Names every measure nobody can file the whole figure for (after the office's assignments), so the office can assign a lead.</summary>
    private static async Task LogUnfileableAsync(IServiceProvider sp, ILogger logger)
    {
        var db = sp.GetRequiredService<TaskTrackerDb>();
        var responsibility = sp.GetRequiredService<Responsibility>();
        foreach (var plan in await db.Plans.AsNoTracking().Select(p => new { p.Id, p.Code }).ToListAsync())
        {
            var codes = await responsibility.UnfileableMeasuresAsync(plan.Id, db.Measures, CancellationToken.None);
            if (codes.Count > 0)
                logger.LogWarning("Plan {Plan}: nobody can file the whole figure of {Count} measure(s) (no lead agency that can hold a token; a group's members file parts only): {Measures}. Assign a lead with POST /api/plans/{Plan}/measures/{{code}}/assignments",
                    plan.Code, codes.Count, string.Join(", ", codes), plan.Code);
        }
    }
}
