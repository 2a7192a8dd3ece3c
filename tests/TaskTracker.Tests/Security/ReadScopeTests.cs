using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Security;

/// <summary>
/// The README's read policy, route by route: report details, review comments, instruction threads and inboxes only for
/// the office and the agencies concerned; plan data and figures for every reader.
/// </summary>
public class ReadScopeTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    public enum Who { Anonymous, Viewer, Responsible, Stranger, Office, Admin, Addressed }

    private async Task<HttpClient> Client(Who who) => who switch
    {
        Who.Anonymous => App.ClientWith(null),
        Who.Viewer => await As(Role.Viewer),
        Who.Responsible => await As(Role.Reporter, "bigdata-bureau"),
        Who.Stranger => await As(Role.Reporter, "sports-bureau"),
        Who.Addressed => await As(Role.Reporter, "comms-admin"),
        Who.Office => await As(Role.Office),
        Who.Admin => await As(Role.Admin),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (long Report, int Target, int Milestone, int Instruction)? _data;

    /// <summary>A bigdata-bureau report returned with a comment, a milestone it reports on, and an instruction to comms-admin.</summary>
    private async Task<(long Report, int Target, int Milestone, int Instruction)> Data()
    {
        await Gate.WaitAsync();
        try
        {
            if (_data is { } d) return d;
            var reporter = await As(Role.Reporter, "bigdata-bureau");
            var target = await MeasureId("T03-1");
            var report = await (await PostJson(reporter, $"/api/targets/{target}/reports", TargetBody(10))).ReadJson<ReportDto>();
            var office = await As(Role.Office);
            var review = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
            { Content = JsonContent.Create(new { decision = "return", comment = "内部意见：数据口径存疑" }) };
            review.Headers.TryAddWithoutValidation("If-Match", report.ETag);
            Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(review)).StatusCode);

            var (bigdata, sports) = await App.WithDb(async db => (
                await db.Agencies.Where(a => a.Code == "bigdata-bureau").Select(a => a.Id).SingleAsync(),
                await db.Agencies.Where(a => a.Code == "sports-bureau").Select(a => a.Id).SingleAsync()));
            var milestone = await App.WithDb(db => db.Milestones
                .Where(m => m.Plan.Code == "guizhou-2025" && m.ClauseId != null
                            && db.ClauseAgencies.Any(a => a.ClauseId == m.ClauseId && a.AgencyId == bigdata)
                            && !db.ClauseAgencies.Any(a => a.ClauseId == m.ClauseId && a.AgencyId == sports))
                .OrderBy(m => m.Id).Select(m => m.Id).FirstAsync());

            var issued = await PostJson(office, "/api/plans/guizhou-2025/instructions",
                new { taskNumber = 11, agency = "comms-admin", text = "请说明5G基站建设进度", replyBy = "2025-09-30" });
            var instruction = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
            _data = (report.Id, target, milestone, instruction);
            return _data.Value;
        }
        finally { Gate.Release(); }
    }

    public static TheoryData<string, Who, int> Policy()
    {
        var data = new TheoryData<string, Who, int>();
        var routes = new Dictionary<string, Dictionary<Who, int>>
        {
            // report details: the office and the agencies responsible for the measure
            ["report"] = new() { [Who.Responsible] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            ["target-reports"] = new() { [Who.Responsible] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            ["milestone-reports"] = new() { [Who.Responsible] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            // instruction threads: the office and the addressed agency
            ["instruction"] = new() { [Who.Addressed] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            ["inbox"] = new() { [Who.Addressed] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            // instruction lists: everyone with an agency or the office; filtered for agencies (checked below)
            ["instructions"] = new() { [Who.Addressed] = 200, [Who.Responsible] = 200, [Who.Stranger] = 200, [Who.Office] = 200, [Who.Admin] = 200 },
            // plan data and figures: every reader (anonymous too, as this fixture is configured)
            ["plan"] = Enum.GetValues<Who>().ToDictionary(w => w, _ => 200),
            ["dashboard"] = Enum.GetValues<Who>().ToDictionary(w => w, _ => 200),
            ["series"] = Enum.GetValues<Who>().ToDictionary(w => w, _ => 200),
            ["target"] = Enum.GetValues<Who>().ToDictionary(w => w, _ => 200),
            ["overdue"] = Enum.GetValues<Who>().ToDictionary(w => w, _ => 200),
        };
        foreach (var (route, allowed) in routes)
        foreach (var who in Enum.GetValues<Who>())
            data.Add(route, who, allowed.TryGetValue(who, out var s) ? s : who == Who.Anonymous ? 401 : 403);
        return data;
    }

    [Theory]
    [MemberData(nameof(Policy))]
    public async Task Each_reader_against_each_read_route(string route, Who who, int expected)
    {
        var d = await Data();
        var url = route switch
        {
            "report" => $"/api/reports/{d.Report}",
            "target-reports" => $"/api/targets/{d.Target}/reports",
            "milestone-reports" => $"/api/milestones/{d.Milestone}/reports",
            "instruction" => $"/api/instructions/{d.Instruction}",
            "inbox" => "/api/agencies/comms-admin/inbox",
            "instructions" => "/api/plans/guizhou-2025/instructions",
            "plan" => "/api/plans/guizhou-2025",
            "dashboard" => "/api/plans/guizhou-2025/dashboard",
            "series" => $"/api/targets/{d.Target}/series",
            "target" => $"/api/targets/{d.Target}",
            "overdue" => "/api/plans/guizhou-2025/overdue",
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
        var response = await (await Client(who)).GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{route} as {who}: expected {expected}, got {(int)response.StatusCode}: {body}");
        if (expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("内部意见", body);
            Assert.DoesNotContain("5G基站", body);
        }
    }

    [Fact]
    public async Task A_returned_reports_comment_reaches_only_the_office_and_the_responsible_agency()
    {
        var d = await Data();
        foreach (var who in new[] { Who.Responsible, Who.Office })
            Assert.Contains("内部意见", await (await Client(who)).GetStringAsync($"/api/targets/{d.Target}/reports"));
        foreach (var who in new[] { Who.Stranger, Who.Viewer, Who.Anonymous })
            Assert.DoesNotContain("内部意见", await (await (await Client(who)).GetAsync($"/api/targets/{d.Target}/reports")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_agency_lists_only_the_instructions_addressed_to_it()
    {
        var d = await Data();
        var ids = async (Who who) => JsonDocument.Parse(await (await Client(who)).GetStringAsync("/api/plans/guizhou-2025/instructions"))
            .RootElement.EnumerateArray().Select(i => (i.GetProperty("id").GetInt32(), i.GetProperty("agency").GetProperty("code").GetString())).ToList();
        Assert.Contains((d.Instruction, "comms-admin"), await ids(Who.Office));
        Assert.Contains((d.Instruction, "comms-admin"), await ids(Who.Addressed));
        Assert.All(await ids(Who.Addressed), i => Assert.Equal("comms-admin", i.Item2));
        Assert.DoesNotContain(await ids(Who.Responsible), i => i.Item2 != "bigdata-bureau");
        Assert.Empty(await ids(Who.Stranger));
    }
}
