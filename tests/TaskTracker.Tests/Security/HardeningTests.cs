using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Common.Security;
using TaskTracker.Domain;
using TaskTracker.Features.Access;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Security;

/// <summary>Headers on every response, no-store on secrets, masked webhook URLs, and admin tokens only from the command line.</summary>
public class HardeningTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Theory]
    [InlineData("/api/plans", null, 200)]
    [InlineData("/api/plans/nowhere", null, 404)]
    [InlineData("/api/tokens", null, 401)]
    [InlineData("/api/tokens", "viewer", 403)]
    [InlineData("/api/plans/guizhou-2025/tasks?section=abc", null, 400)]
    [InlineData("/health/live", null, 200)]
    [InlineData("/health/ready", null, 200)]
    [InlineData("/metrics", null, 200)]
    [InlineData("/swagger/v1/swagger.json", null, 200)]
    [InlineData("/", null, 200)]
    public async Task Every_response_carries_the_security_headers(string path, string? role, int status)
    {
        var http = role is null ? App.CreateClient() : await As(Enum.Parse<Role>(role, true));
        var response = await http.GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Answers_carrying_a_secret_are_never_stored_and_others_may_be()
    {
        var admin = await As(Role.Admin);
        var token = await PostJson(admin, "/api/tokens", new { role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        Assert.True(token.Headers.CacheControl?.NoStore, "token answer must be no-store");
        var hook = await PostJson(await As(Role.Office), "/api/webhooks", new { url = "https://hooks.example.gov.cn/tt" });
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        Assert.True(hook.Headers.CacheControl?.NoStore, "webhook answer (signing secret) must be no-store");
        Assert.False((await App.CreateClient().GetAsync("/api/plans/guizhou-2025/dashboard")).Headers.CacheControl?.NoStore ?? false);
    }

    [Fact]
    public async Task An_admin_token_cannot_mint_admin_tokens_and_the_command_line_can()
    {
        var admin = await As(Role.Admin);
        var before = await App.WithDb(db => db.Tokens.CountAsync());
        await (await PostJson(admin, "/api/tokens", new { role = "admin" })).ReadProblem(403);
        Assert.Equal(before, await App.WithDb(db => db.Tokens.CountAsync()));

        var output = new StringWriter();
        Assert.Equal(0, await TokenCommands.RunAsync(App.Services, ["tokens", "create", "--role", "admin", "--name", "ops"], output, new StringWriter()));
        var minted = output.ToString().Trim().Split('\n').Last().Trim();
        Assert.Equal(HttpStatusCode.OK, (await App.ClientWith(minted).GetAsync("/api/tokens")).StatusCode);
    }

    [Theory]
    [InlineData("https://oapi.dingtalk.com/robot/send?access_token=5f1e2d3c4b5a69788796a5b4c3d2e1f0", "5f1e2d3c4b5a69788796a5b4c3d2e1f0", "https://oapi.dingtalk.com/robot/send?access_token=***")]
    [InlineData("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", "693a91f6-7xxx", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***")]
    [InlineData("https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789", "0a1b2c3d-4e5f", "https://open.feishu.cn/open-apis/bot/v2/hook/***")]
    public async Task Webhook_urls_are_masked_in_lists_deliveries_and_audit(string url, string secret, string masked)
    {
        Assert.Equal(masked, UrlMask.Mask(url));
        var office = await As(Role.Office);
        var created = JsonDocument.Parse(await (await PostJson(office, "/api/webhooks", new { url })).Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.Created, (await PostJson(await As(Role.Reporter, "bigdata-bureau"),
            $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(2))).StatusCode);

        foreach (var path in new[] { "/api/webhooks", $"/api/webhooks/{id}", $"/api/webhooks/deliveries?subscriptionId={id}", "/api/audit?entityType=webhook" })
        {
            var body = await office.GetStringAsync(path);
            Assert.DoesNotContain(secret, body);
            Assert.Contains(JsonEncodedText.Encode(masked).ToString().Replace("\\u0026", "&"), body.Replace("\\u0026", "&"));
        }
        await (await office.DeleteAsync($"/api/webhooks/{id}")).ReadJson<JsonElement>();
        Assert.DoesNotContain(secret, await office.GetStringAsync("/api/audit?entityType=webhook&action=webhook.deactivated"));
    }
}

/// <summary>Every token expires: a default lifetime, and a longest one (settings).</summary>
public sealed class TokenLifetimeTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Access:DefaultTokenLifetimeDays"] = "90";
        _app.Settings["Access:MaxTokenLifetimeDays"] = "366";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_token_without_an_expiry_gets_the_default_and_none_may_outlive_the_maximum()
    {
        var admin = _app.ClientWith(await _app.TokenAsync(Role.Admin, expires: new DateOnly(2026, 6, 30)));
        var created = await (await admin.PostAsJsonAsync("/api/tokens", new { role = "viewer" })).ReadJson<CreatedToken>();
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime.AddDays(90), created.Info.ExpiresAtUtc);
        (await (await admin.PostAsJsonAsync("/api/tokens", new { role = "viewer", expires = "2026-12-31" })).ReadProblem(400)).AssertFieldError("expires");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/tokens", new { role = "viewer", expires = "2026-06-30" })).StatusCode);

        var viewer = _app.ClientWith(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/plans")).StatusCode);
        _app.Clock.Advance(TimeSpan.FromDays(91));
        await (await viewer.GetAsync("/api/plans")).ReadProblem(401);
    }
}
