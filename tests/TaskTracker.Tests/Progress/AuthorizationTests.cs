using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Access;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

/// <summary>Every write route against every kind of caller.</summary>
public class AuthorizationTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    public enum Caller { None, Bogus, Expired, Revoked, Viewer, Reporter, OtherReporter, Office, Admin }

    private async Task<HttpClient> ClientFor(Caller caller)
    {
        switch (caller)
        {
            case Caller.None: return App.ClientWith(null);
            case Caller.Bogus: return App.ClientWith("tt_not-a-real-token");
            case Caller.Expired:
            {
                var token = await App.TokenAsync(Role.Reporter, "bigdata-bureau", expires: new DateOnly(2025, 7, 10));
                await App.WithDb(db => db.Tokens.Where(t => t.Hash == TokenService.Hash(token))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAtUtc, new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc))));
                return App.ClientWith(token);
            }
            case Caller.Revoked:
            {
                var token = await App.TokenAsync(Role.Admin);
                var id = await App.WithDb(db => db.Tokens.Where(t => t.Hash == TokenService.Hash(token)).Select(t => t.Id).SingleAsync());
                await App.WithDb(async db => { await new TokenService(db, App.Clock).RevokeAsync(id.ToString(), null, default); return 0; });
                return App.ClientWith(token);
            }
            case Caller.Viewer: return await As(Role.Viewer);
            case Caller.Reporter: return await As(Role.Reporter, "bigdata-bureau");
            case Caller.OtherReporter: return await As(Role.Reporter, "sports-bureau");
            case Caller.Office: return await As(Role.Office);
            case Caller.Admin: return await As(Role.Admin);
            default: throw new ArgumentOutOfRangeException(nameof(caller));
        }
    }

    private async Task<long> ExistingReport()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        return (await (await PostJson(reporter, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(10))).ReadJson<ReportDto>()).Id;
    }

    public static TheoryData<string, Caller, int> Matrix()
    {
        var data = new TheoryData<string, Caller, int>();
        var routes = new Dictionary<string, Dictionary<Caller, int>>
        {
            ["file-target"] = new() { [Caller.Reporter] = 201, [Caller.OtherReporter] = 403 },
            ["file-milestone"] = new() { [Caller.Reporter] = 201, [Caller.OtherReporter] = 403 },
            ["correct"] = new() { [Caller.Reporter] = 201, [Caller.OtherReporter] = 403 },
            ["review"] = new() { [Caller.Office] = 200 },
            ["create-token"] = new() { [Caller.Admin] = 201 },
            ["list-tokens"] = new() { [Caller.Admin] = 200 },
            ["revoke-token"] = new() { [Caller.Admin] = 200 },
            ["audit"] = new() { [Caller.Office] = 200, [Caller.Admin] = 200 },
        };
        foreach (var (route, allowed) in routes)
        foreach (var caller in Enum.GetValues<Caller>())
        {
            var expected = allowed.TryGetValue(caller, out var s) ? s
                : caller is Caller.None or Caller.Bogus or Caller.Expired or Caller.Revoked ? 401 : 403;
            data.Add(route, caller, expected);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_against_each_write_route(string route, Caller caller, int expected)
    {
        var reportId = route is "correct" or "review" ? await ExistingReport() : 0;
        var etag = reportId == 0 ? null : ReportETag.For(reportId, 1);
        var http = await ClientFor(caller);
        var before = await Counts();
        var response = route switch
        {
            "file-target" => await PostJson(http, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(12)),
            "file-milestone" => await PostJson(http, $"/api/milestones/{await MeasureId("M20-1")}/reports", new { status = "in-progress", asOf = "2025-06-30" }),
            "correct" => await PostJson(http, $"/api/reports/{reportId}/corrections", new { value = 11, asOf = "2025-06-30", reason = "更正" }),
            "review" => await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{reportId}/review")
            {
                Content = JsonContent.Create(new { decision = "accept" }), Headers = { { "If-Match", etag } },
            }),
            "create-token" => await PostJson(http, "/api/tokens", new { role = "viewer", name = "dashboard" }),
            "list-tokens" => await http.GetAsync("/api/tokens"),
            "revoke-token" => await http.DeleteAsync($"/api/tokens/{await App.WithDb(db => db.Tokens.OrderBy(t => t.Id).Select(t => t.Id).FirstAsync())}"),
            "audit" => await http.GetAsync("/api/audit"),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == (int)response.StatusCode, $"{route} as {caller}: expected {expected}, got {(int)response.StatusCode} {body}");
        if (expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(before, await Counts());
        }
        if (expected == 401) Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Token_secret_is_stored_only_as_a_hash()
    {
        var token = await App.TokenAsync(Role.Viewer);
        var stored = await App.WithDb(db => db.Tokens.Select(t => t.Hash + t.Prefix + t.Name).ToListAsync());
        Assert.DoesNotContain(stored, s => s.Contains(token));
        Assert.Equal(64, TokenService.Hash(token).Length);
    }

    [Fact]
    public async Task Reporter_token_must_name_a_real_non_group_agency()
    {
        var admin = await As(Role.Admin);
        (await (await PostJson(admin, "/api/tokens", new { role = "reporter" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await PostJson(admin, "/api/tokens", new { role = "reporter", agency = "prefecture-governments" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await PostJson(admin, "/api/tokens", new { role = "reporter", agency = "nowhere" })).ReadProblem(400)).AssertFieldError("agency");
        (await (await PostJson(admin, "/api/tokens", new { role = "office", agency = "guiyang" })).ReadProblem(400)).AssertFieldError("agency");
        var created = await (await PostJson(admin, "/api/tokens", new { role = "reporter", agency = "guiyang", expires = "2025-12-31" })).ReadJson<CreatedToken>();
        Assert.StartsWith("tt_", created.Token);
        Assert.Equal("guiyang", created.Info.Agency);
    }

    [Fact]
    public async Task Token_command_prints_the_token_alone_on_its_last_line_and_it_works()
    {
        var output = new StringWriter();
        var rc = await TokenCommands.RunAsync(App.Services, ["tokens", "create", "--role", "reporter", "--agency", "bigdata-bureau", "--name", "张三"], output, new StringWriter());
        Assert.Equal(0, rc);
        var token = output.ToString().TrimEnd().Split('\n').Last().Trim();
        Assert.StartsWith("tt_", token);
        var http = App.ClientWith(token);
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(1))).StatusCode);

        var list = new StringWriter();
        Assert.Equal(0, await TokenCommands.RunAsync(App.Services, ["tokens", "list"], list, new StringWriter()));
        Assert.Contains("张三", list.ToString());
        var id = list.ToString().Split('\n').Single(l => l.Contains("张三")).Split('\t')[0];
        Assert.Equal(0, await TokenCommands.RunAsync(App.Services, ["tokens", "revoke", id], new StringWriter(), new StringWriter()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostJson(http, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(1))).StatusCode);

        var error = new StringWriter();
        Assert.Equal(2, await TokenCommands.RunAsync(App.Services, ["tokens", "create", "--role", "boss"], new StringWriter(), error));
        Assert.Contains("--role", error.ToString());
    }

    [Fact]
    public async Task Audit_is_readable_by_the_office_with_who_and_which_token()
    {
        await ExistingReport();
        var office = await As(Role.Office);
        var page = await (await office.GetAsync("/api/audit?entityType=report&action=report.filed")).ReadJson<Common.Paged<Features.Audit.AuditDto>>();
        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, a => { Assert.NotNull(a.TokenId); Assert.NotNull(a.Agency); Assert.NotNull(a.Actor); });
        Assert.Contains(page.Items, a => a.Agency == "bigdata-bureau" && a.Details!.Contains("\"measure\":\"T03-1\""));
    }

    [Theory]
    [InlineData(Caller.Bogus)]
    [InlineData(Caller.Expired)]
    [InlineData(Caller.Revoked)]
    public async Task A_dead_token_on_a_read_is_401_even_when_anonymous_reads_are_on(Caller caller)
    {
        var http = await ClientFor(caller);
        foreach (var path in new[] { "/api/plans", "/api/plans/guizhou-2025/dashboard" })
        {
            var response = await http.GetAsync(path);
            await response.ReadProblem(401);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }
        // The same read without any token stays open, as configured.
        Assert.Equal(HttpStatusCode.OK, (await App.ClientWith(null).GetAsync("/api/plans")).StatusCode);
    }
}

public class AnonymousReadsOffTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync()
    {
        _app.Settings["Access:AllowAnonymousReads"] = "false";
        return _app.InitializeAsync();
    }
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Reads_need_a_token_when_anonymous_reads_are_off()
    {
        await (await _app.CreateClient().GetAsync("/api/plans")).ReadProblem(401);
        var viewer = _app.ClientWith(await _app.TokenAsync(Role.Viewer));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/plans")).StatusCode);
    }
}
