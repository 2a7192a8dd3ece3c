using System.Net;
using System.Net.Http.Json;
using System.Text;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Operations;

public class OperationsTests(TaskTrackerApp app) : IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Liveness_and_readiness_answer()
    {
        var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_id_is_returned_and_a_callers_id_is_kept()
    {
        var http = app.CreateClient();
        var plain = await http.GetAsync("/api/plans");
        Assert.False(string.IsNullOrEmpty(plain.Headers.GetValues("X-Request-Id").Single()));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/plans") { Headers = { { "X-Request-Id", "dash-42" } } };
        Assert.Equal("dash-42", (await http.SendAsync(request)).Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Metrics_are_exposed_in_prometheus_format()
    {
        var reporter = app.ClientWith(await app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var id = await app.WithDb(db => Task.FromResult(db.Measures.Single(m => m.Code == "T03-1" && m.Plan.Code == "guizhou-2025").Id));
        Assert.Equal(HttpStatusCode.Created, (await reporter.PostAsJsonAsync($"/api/targets/{id}/reports", new { value = 3, asOf = "2025-06-30" })).StatusCode);
        await app.CreateClient().GetAsync("/api/plans/guizhou-2025/dashboard");
        var text = await app.CreateClient().GetStringAsync("/metrics");
        Assert.Contains("tasktracker_reports_filed", text);
        Assert.Contains("tasktracker_measures_overdue", text);
        Assert.Contains("http_server_request_duration", text);
    }

    [Fact]
    public async Task Oversized_body_is_413_problem()
    {
        var reporter = app.ClientWith(await app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var big = new StringContent("{\"value\":1,\"asOf\":\"2025-06-30\",\"narrative\":\"" + new string('x', 1_100_000) + "\"}", Encoding.UTF8, "application/json");
        await (await reporter.PostAsync("/api/targets/1/reports", big)).ReadProblem(413);
    }
}

public class RateLimitTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync()
    {
        _app.Settings["Operations:RateLimitPermits"] = "5";
        _app.Settings["Operations:RateLimitWindowSeconds"] = "60";
        return _app.InitializeAsync();
    }
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Each_token_gets_its_own_budget_and_429_carries_retry_after()
    {
        var a = _app.ClientWith(await _app.TokenAsync(Role.Viewer));
        var b = _app.ClientWith(await _app.TokenAsync(Role.Viewer));
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/api/plans")).StatusCode);
        var limited = await a.GetAsync("/api/plans");
        await limited.ReadProblem(429);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/api/plans")).StatusCode);
        await (await a.GetAsync("/health/live")).ReadProblem(429); // every route counts against the caller's budget
    }
}

public class CorsAndSwaggerTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync()
    {
        _app.Settings["Operations:CorsOrigins:0"] = "https://dashboard.example.gov.cn";
        _app.Settings["Operations:SwaggerEnabled"] = "false";
        return _app.InitializeAsync();
    }
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Only_allowed_origins_get_cors_headers_and_swagger_can_be_off()
    {
        var http = _app.CreateClient();
        var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/plans") { Headers = { { "Origin", "https://dashboard.example.gov.cn" } } };
        Assert.Equal("https://dashboard.example.gov.cn", (await http.SendAsync(allowed)).Headers.GetValues("Access-Control-Allow-Origin").Single());
        var other = new HttpRequestMessage(HttpMethod.Get, "/api/plans") { Headers = { { "Origin", "https://evil.example" } } };
        Assert.False((await http.SendAsync(other)).Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }
}
