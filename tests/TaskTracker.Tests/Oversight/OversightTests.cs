using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Oversight;

/// <summary>
/// The review lists on the small demo plan (2026, quarterly reporting with 5 grace days), with the clock driven
/// across due dates, reporting deadlines and reply-by dates. Each test gets a fresh service.
/// </summary>
public class OversightTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    private const string Plan = "/api/plans/demo-2026";

    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private void At(int year, int month, int day) => _app.Clock.SetUtcNow(new DateTimeOffset(year, month, day, 2, 0, 0, TimeSpan.Zero));

    private async Task<OversightList> List(string list, string query) =>
        await (await _app.CreateClient().GetAsync($"{Plan}/{list}?{query}")).ReadJson<OversightList>();

    private Task<int> Id(string code) => _app.WithDb(db => db.Measures.Where(m => m.Code == code && m.Plan.Code == "demo-2026").Select(m => m.Id).SingleAsync());

    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    [Fact]
    public async Task Missing_reports_appear_only_after_the_cadence_deadline_and_clear_when_filed()
    {
        At(2026, 4, 5);
        Assert.Empty((await List("missing-reports", "")).Items); // Q1 ends 03-31, grace until 04-05
        At(2026, 4, 6);
        var missing = await List("missing-reports", "");
        Assert.Equal(["H1", "M03-1", "T02-1"], missing.Items.Select(i => i.Code).Order());
        Assert.All(missing.Items, i => { Assert.Equal(["2026-Q1"], i.MissingPeriods!); Assert.Equal(1, i.DaysOverdue); Assert.Equal("orange", i.Severity); });

        var bureau = await As(Role.Reporter, "demo-bureau");
        var filed = await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 150, asOf = "2026-03-31" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        Assert.DoesNotContain("T02-1", (await List("missing-reports", "")).Items.Select(i => i.Code));

        At(2026, 7, 20); // Q1 still missing for H1 (now more than a quarter late: red), Q2 missing for all but T02-1's Q1 only
        var later = await List("missing-reports", "");
        var h1 = later.Items.Single(i => i.Code == "H1");
        Assert.Equal(["2026-Q1", "2026-Q2"], h1.MissingPeriods!);
        Assert.Equal("red", h1.Severity);
        Assert.Equal(["2026-Q2"], later.Items.Single(i => i.Code == "T02-1").MissingPeriods!);
    }

    [Fact]
    public async Task Overdue_lists_measures_and_tasks_with_numbers_days_and_agencies_worst_first()
    {
        At(2026, 4, 2); // the quarterly milestone's Q1 instance (due 03-31) is not done
        var early = await List("overdue", "");
        Assert.Equal(["M03-1"], early.Items.Where(i => i.Kind == "measure").Select(i => i.Code));
        var task3 = early.Items.Single(i => i.Kind == "task");
        Assert.Equal(3, task3.TaskNumber);
        Assert.Equal(2, task3.DaysOverdue);
        Assert.Equal(["demo-west"], task3.LeadAgencies.Select(a => a.Code));
        Assert.Equal(["demo-bureau"], task3.CooperatingAgencies.Select(a => a.Code));

        var bureau = await As(Role.Reporter, "demo-bureau");
        await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 180, asOf = "2026-03-31" });

        At(2027, 1, 10);
        var late = await List("overdue", "asOf=2027-01-10");
        Assert.All(late.Items, i => Assert.Equal("red", i.Severity));
        Assert.Equal(["H1", "M03-1", "T02-1"], late.Items.Where(i => i.Kind == "measure").Select(i => i.Code).Order());
        Assert.Equal([1, 2, 3], late.Items.Where(i => i.Kind == "task").Select(i => i.TaskNumber!.Value).Order());
        var t021 = late.Items.Single(i => i.Code == "T02-1");
        Assert.Equal(10, t021.DaysOverdue);
        Assert.Equal(180m, t021.LastReport!.Value);
        Assert.Equal(0.4, t021.LastReport.Completion!.Value, 4); // (180 − 100) / (300 − 100)
        Assert.True(late.Items.Zip(late.Items.Skip(1)).All(p => p.First.DaysOverdue >= p.Second.DaysOverdue));
        // The same date seen from the API default (today) gives the same list.
        Assert.Equal(late.Total, (await List("overdue", "")).Total);
    }

    [Fact]
    public async Task At_risk_warns_yellow_before_the_deadline_and_orange_when_far_behind()
    {
        At(2026, 10, 1);
        var bureau = await As(Role.Reporter, "demo-bureau");
        await bureau.PostAsJsonAsync($"/api/targets/{await Id("T02-1")}/reports", new { value = 120, asOf = "2026-09-30" });
        var atRisk = await List("at-risk", "");
        var t = atRisk.Items.Single(i => i.Code == "T02-1");
        Assert.Equal("orange", t.Severity); // 10% done against ~75% expected
        Assert.Equal(MeasureStatus.OffTrack, t.Status);
        Assert.DoesNotContain(atRisk.Items, i => i.Code == "H1"); // nothing reported yet and not due soon: no warning yet

        At(2026, 12, 10); // 21 days before the due date: everything not done is yellow at least
        var soon = await List("at-risk", "");
        Assert.Equal("yellow", soon.Items.Single(i => i.Code == "H1").Severity);
        Assert.Equal(-21, soon.Items.Single(i => i.Code == "H1").DaysOverdue);
        Assert.Empty((await List("at-risk", "severity=red")).Items);
    }

    [Fact]
    public async Task Filters_by_agency_role_section_and_severity()
    {
        At(2027, 1, 10);
        var west = await List("overdue", "agency=demo-west");
        Assert.Contains(west.Items, i => i.Code == "M03-1");          // leads it
        Assert.Contains(west.Items, i => i.Code == "H1");             // co-operates through 各区人民政府
        var westLead = await List("overdue", "agency=demo-west&role=lead");
        Assert.All(westLead.Items, i => Assert.Equal(3, i.TaskNumber));
        var section2 = await List("overdue", "section=2");
        Assert.All(section2.Items, i => Assert.Equal(2, i.Section));
        Assert.NotEmpty(section2.Items);
        (await (await _app.CreateClient().GetAsync($"{Plan}/overdue?severity=purple")).ReadProblem(400)).AssertFieldError("severity");
        (await (await _app.CreateClient().GetAsync($"{Plan}/overdue?agency=nobody")).ReadProblem(400)).AssertFieldError("agency");
        (await (await _app.CreateClient().GetAsync($"{Plan}/overdue?role=lead")).ReadProblem(400)).AssertFieldError("role");
        (await (await _app.CreateClient().GetAsync($"{Plan}/overdue?format=pdf")).ReadProblem(400)).AssertFieldError("format");
        await (await _app.CreateClient().GetAsync("/api/plans/nope/overdue")).ReadProblem(404);
    }

    [Fact]
    public async Task Lists_export_as_csv_and_roll_up_per_agency()
    {
        At(2027, 1, 10);
        var bytes = await (await _app.CreateClient().GetAsync($"{Plan}/overdue?format=csv")).Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).TrimEnd().Split('\n');
        Assert.StartsWith("severity,kind,task,section,code", lines[0]);
        Assert.Equal((await List("overdue", "")).Total + 1, lines.Length);

        var rollup = await (await _app.CreateClient().GetAsync($"{Plan}/oversight/agencies")).ReadJson<AgencySlippageList>();
        var bureau = rollup.Agencies.Single(a => a.Agency.Code == "demo-bureau");
        Assert.Equal(2, bureau.OverdueLead);        // H1 and T02-1
        Assert.Equal(1, bureau.OverdueCooperating); // M03-1
        var east = rollup.Agencies.Single(a => a.Agency.Code == "demo-east");
        Assert.Equal(0, east.OverdueLead);
        Assert.Equal(1, east.OverdueCooperating);   // H1 through the group
        Assert.Equal("demo-bureau", rollup.Agencies[0].Agency.Code);
    }
}
