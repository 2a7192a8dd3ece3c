using System.Net;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Hostile;

/// <summary>The rate limit is keyed on the authenticated token (any spelling of its header) and covers every route.</summary>
public sealed class HostileHeaderVariantTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Operations:RateLimitPermits"] = "5";
        _app.Settings["Security:TrustedProxies:0"] = "10.0.0.5";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpClient http, string path, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Respelling_the_authorization_header_does_not_buy_a_fresh_budget()
    {
        var token = await _app.TokenAsync(Role.Viewer);
        var http = _app.CreateClient();
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await Send(http, "/api/plans", $"Bearer {token}")).StatusCode);
        foreach (var variant in new[] { $"Bearer {token}", $"bearer {token}", $"BEARER {token}", $"Bearer  {token}", $"Bearer {token} " })
            await (await Send(http, "/api/plans", variant)).ReadProblem(429);
        // Another token has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await Send(http, "/api/plans", $"Bearer {await _app.TokenAsync(Role.Viewer)}")).StatusCode);
    }

    [Fact]
    public async Task Health_metrics_and_swagger_count_against_the_budget_too()
    {
        var token = await _app.TokenAsync(Role.Viewer);
        var http = _app.ClientWith(token);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        foreach (var path in new[] { "/health/live", "/health/ready", "/metrics", "/swagger/v1/swagger.json", "/swagger/index.html", "/" })
        {
            var r = await http.GetAsync(path);
            await r.ReadProblem(429);
            Assert.True(r.Headers.Contains("Retry-After"), path);
        }
    }

    private Task<HttpContextResult> FromAddress(string remote, string forwardedFor) => _app.Server.SendAsync(c =>
    {
        c.Request.Method = "GET";
        c.Request.Path = "/health/live";
        c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        c.Request.Headers["X-Forwarded-For"] = forwardedFor;
    }).ContinueWith(t => new HttpContextResult(t.Result.Response.StatusCode));

    private sealed record HttpContextResult(int Status);

    [Fact]
    public async Task Anonymous_callers_are_keyed_by_address_and_forwarded_headers_count_only_from_trusted_proxies()
    {
        // An untrusted peer cannot spread its requests over made-up client addresses.
        for (var i = 0; i < 5; i++) Assert.Equal(200, (await FromAddress("192.0.2.7", $"198.51.100.{i}")).Status);
        Assert.Equal(429, (await FromAddress("192.0.2.7", "198.51.100.99")).Status);
        // Behind the trusted proxy, each forwarded client has its own budget.
        for (var i = 0; i < 5; i++) Assert.Equal(200, (await FromAddress("10.0.0.5", "203.0.113.1")).Status);
        Assert.Equal(429, (await FromAddress("10.0.0.5", "203.0.113.1")).Status);
        Assert.Equal(200, (await FromAddress("10.0.0.5", "203.0.113.2")).Status);
    }
}

/// <summary>A Production start: /metrics needs a token and Swagger is off unless the settings say otherwise.</summary>
public sealed class HostileProductionEdgeTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["environment"] = "Production";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Metrics_needs_a_token_and_swagger_is_off()
    {
        var anonymous = _app.CreateClient();
        var r = await anonymous.GetAsync("/metrics");
        await r.ReadProblem(401);
        Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
        await (await _app.ClientWith("tt_bogus").GetAsync("/metrics")).ReadProblem(401);
        var scraped = await _app.ClientWith(await _app.TokenAsync(Role.Viewer)).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        await (await anonymous.GetAsync("/swagger/v1/swagger.json")).ReadProblem(404);
        await (await anonymous.GetAsync("/swagger/index.html")).ReadProblem(404);
        await (await _app.ClientWith(await _app.TokenAsync(Role.Admin)).GetAsync("/swagger/v1/swagger.json")).ReadProblem(404);
    }
}

/// <summary>Swagger behind a token, metrics off, by setting.</summary>
public sealed class HostileEdgeSettingsTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Security:Swagger"] = "token";
        _app.Settings["Security:Metrics"] = "off";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Settings_say_which()
    {
        await (await _app.CreateClient().GetAsync("/swagger/v1/swagger.json")).ReadProblem(401);
        Assert.Equal(HttpStatusCode.OK, (await _app.ClientWith(await _app.TokenAsync(Role.Viewer)).GetAsync("/swagger/v1/swagger.json")).StatusCode);
        await (await _app.ClientWith(await _app.TokenAsync(Role.Admin)).GetAsync("/metrics")).ReadProblem(404);
    }
}
