using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Data;
using TaskTracker.Domain;
using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Seeding;

public class SeedLoadingTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private async Task<T> WithScope<T>(Func<IServiceProvider, Task<T>> work)
    {
        using var scope = _app.Services.CreateScope();
        return await work(scope.ServiceProvider);
    }

    [Fact]
    public async Task Both_plan_folders_load_through_the_same_code()
    {
        var plans = await WithScope(sp => sp.GetRequiredService<TaskTrackerDb>().Plans.OrderBy(p => p.Code).Select(p => p.Code).ToListAsync());
        Assert.Equal(["demo-2026", "guizhou-2025"], plans);
    }

    [Fact]
    public async Task Loading_again_is_idempotent()
    {
        var before = await WithScope(sp => Snapshot(sp.GetRequiredService<TaskTrackerDb>()));
        var loaded = await WithScope(sp => sp.GetRequiredService<SeedLoader>().LoadAllAsync(_app.SeedRoot, default));
        Assert.Equal(0, loaded);
        var after = await WithScope(sp => Snapshot(sp.GetRequiredService<TaskTrackerDb>()));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_revised_seed_updates_the_plan_in_place_and_keeps_progress()
    {
        var demo = Path.Combine(_app.SeedRoot, "demo-2026");
        var (measureId, reportId) = await WithScope(async sp =>
        {
            var db = sp.GetRequiredService<TaskTrackerDb>();
            var target = await db.Targets.SingleAsync(t => t.Code == "T02-1" && t.Plan.Code == "demo-2026");
            var agency = await db.Agencies.SingleAsync(a => a.Code == "demo-bureau");
            var report = new ProgressReport { PlanId = target.PlanId, MeasureId = target.Id, AgencyId = agency.Id, Value = 150, AsOf = new DateOnly(2026, 3, 31), FiledAtUtc = DateTime.UtcNow };
            db.Add(report);
            await db.SaveChangesAsync();
            return (target.Id, report.Id);
        });

        // The dashboard is computed and cached before the revision; the reload must change what is served.
        var client = _app.CreateClient();
        Assert.Equal("Open data", (await (await client.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-03-31")).ReadJson<Standing.PlanDashboard>())
            .Tasks.Single(t => t.Number == 2).TitleEn);
        Assert.Equal("Open data", (await (await client.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-03-31")).ReadJson<Standing.PlanDashboard>())
            .Tasks.Single(t => t.Number == 2).TitleEn);

        var tasks = Path.Combine(demo, "tasks.json");
        var text = File.ReadAllText(tasks)
            .Replace("\"value\": 300,", "\"value\": 320,")
            .Replace("\"titleEn\": \"Open data\"", "\"titleEn\": \"Open public data\"")
            .Replace("\"code\": \"M03-1\"", "\"code\": \"M03-2\"");
        File.WriteAllText(tasks, text);

        var loaded = await WithScope(sp => sp.GetRequiredService<SeedLoader>().LoadAllAsync(_app.SeedRoot, default));
        Assert.Equal(1, loaded);

        await WithScope(async sp =>
        {
            var db = sp.GetRequiredService<TaskTrackerDb>();
            var target = await db.Targets.AsNoTracking().SingleAsync(t => t.Id == measureId);
            Assert.Equal(320, target.Value);
            Assert.Equal("Open public data", (await db.Tasks.SingleAsync(t => t.Plan.Code == "demo-2026" && t.Number == 2)).TitleEn);
            Assert.True(await db.Set<ProgressReport>().AnyAsync(r => r.Id == reportId && r.Value == 150));
            var milestones = await db.Milestones.Where(m => m.Plan.Code == "demo-2026").ToListAsync();
            Assert.False(milestones.Single(m => m.Code == "M03-1").Active);
            Assert.True(milestones.Single(m => m.Code == "M03-2").Active);
            return 0;
        });
        Assert.Equal("Open public data", (await (await client.GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-03-31")).ReadJson<Standing.PlanDashboard>())
            .Tasks.Single(t => t.Number == 2).TitleEn);
    }

    [Fact]
    public async Task Seed_planned_values_load_a_revision_replaces_them_and_an_office_list_is_kept()
    {
        var tasks = Path.Combine(_app.SeedRoot, "demo-2026", "tasks.json");
        const string anchor = "\"sourceText\": \"开放数据集累计 300 个。\" } ],";
        var original = File.ReadAllText(tasks);
        string With(string values) => original.Replace(anchor, $"\"sourceText\": \"开放数据集累计 300 个。\", \"plannedValues\": [ {values} ] }} ],");
        Task<List<(string Period, decimal Value, string Source)>> InForce() => WithScope(sp => sp.GetRequiredService<TaskTrackerDb>().PlannedValues
            .Where(p => p.Measure.Code == "T02-1" && p.Measure.Plan.Code == "demo-2026" && p.RemovedAtUtc == null).OrderBy(p => p.PeriodEnd)
            .Select(p => new ValueTuple<string, decimal, string>(p.Period, p.Value, p.Source)).ToListAsync());

        File.WriteAllText(tasks, With("{ \"period\": \"2026-Q2\", \"value\": 180 }"));
        Assert.Equal(1, await WithScope(sp => sp.GetRequiredService<SeedLoader>().LoadAllAsync(_app.SeedRoot, default)));
        Assert.Equal([("2026-Q2", 180m, "seed")], await InForce());
        // Expected on 30 June: (180 − 100) / (300 − 100) = 40%.
        var d = await (await _app.CreateClient().GetAsync("/api/plans/demo-2026/dashboard?asOf=2026-06-30")).ReadJson<Standing.PlanDashboard>();
        Assert.Equal(0.4, d.Tasks.Single(t => t.Number == 2).Measures.Single().Expected);

        File.WriteAllText(tasks, With("{ \"period\": \"2026-Q2\", \"value\": 190 }"));
        await WithScope(sp => sp.GetRequiredService<SeedLoader>().LoadAllAsync(_app.SeedRoot, default));
        Assert.Equal([("2026-Q2", 190m, "seed")], await InForce());

        var office = _app.ClientWith(await _app.TokenAsync(Role.Office));
        (await office.PutAsJsonAsync("/api/plans/demo-2026/measures/T02-1/planned-values",
            new { plannedValues = new[] { new { period = "2026-Q3", value = 250m } } })).EnsureSuccessStatusCode();
        File.WriteAllText(tasks, With("{ \"period\": \"2026-Q2\", \"value\": 200 }"));
        await WithScope(sp => sp.GetRequiredService<SeedLoader>().LoadAllAsync(_app.SeedRoot, default));
        Assert.Equal([("2026-Q3", 250m, "office")], await InForce());
    }

    [Fact]
    public async Task Sqlite_runs_in_wal_mode_with_synchronous_full()
    {
        if (_app.IsPostgres)
        {
            // The pragmas are SQLite's; the PostgreSQL fact is that the service really talks to the server, in the fixture's own database.
            var (providerName, version, database) = await WithScope(async sp =>
            {
                var db = sp.GetRequiredService<TaskTrackerDb>();
                await db.Database.OpenConnectionAsync();
                await using var cmd = db.Database.GetDbConnection().CreateCommand();
                cmd.CommandText = "SHOW server_version;";
                var v = (string)(await cmd.ExecuteScalarAsync())!;
                cmd.CommandText = "SELECT current_database();";
                var d = (string)(await cmd.ExecuteScalarAsync())!;
                return (db.Database.ProviderName, v, d);
            });
            Assert.Equal("Npgsql.EntityFrameworkCore.PostgreSQL", providerName);
            Assert.Matches(@"^\d+(\.\d+)?", version);
            Assert.StartsWith("tt_", database);
            Assert.False(File.Exists(_app.DatabasePath));
            return;
        }

        var (journal, sync) = await WithScope(async sp =>
        {
            var db = sp.GetRequiredService<TaskTrackerDb>();
            await db.Database.OpenConnectionAsync();
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode;";
            var j = (string)(await cmd.ExecuteScalarAsync())!;
            cmd.CommandText = "PRAGMA synchronous;";
            var s = Convert.ToInt32(await cmd.ExecuteScalarAsync());
            return (j, s);
        });
        Assert.Equal("wal", journal);
        Assert.Equal(2, sync);
        Assert.True(File.Exists(_app.DatabasePath));
    }

    [Fact]
    public void A_bad_seed_stops_start_up_naming_the_file_and_path()
    {
        using var app = new TaskTrackerApp();
        var tasks = Path.Combine(app.SeedRoot, "demo-2026", "tasks.json");
        File.WriteAllText(tasks, File.ReadAllText(tasks).Replace("\"agencies\": [\"市数据局\"]", "\"agencies\": [\"某某局\"]"));
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var seed = ex as SeedValidationException ?? ex.InnerException as SeedValidationException;
        Assert.NotNull(seed);
        Assert.Contains("tasks.json", seed.Message);
        Assert.Contains("$.tasks[1].clauses[0].agencies[0]", seed.Message);
    }

    private static async Task<string> Snapshot(TaskTrackerDb db)
    {
        var measures = await db.Measures.OrderBy(m => m.Id).Select(m => m.Id + ":" + m.Code).ToListAsync();
        var clauses = await db.ClauseAgencies.CountAsync();
        var agencies = await db.Agencies.CountAsync();
        var hash = await db.Plans.OrderBy(p => p.Code).Select(p => p.SeedHash + p.SeededAtUtc).ToListAsync();
        return string.Join(",", measures) + $"|{clauses}|{agencies}|" + string.Join(",", hash);
    }
}
