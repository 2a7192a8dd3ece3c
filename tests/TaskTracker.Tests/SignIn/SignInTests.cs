using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using TaskTracker.Tests.Browser;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.SignIn;

/// <summary>People sign in through the provider's login page in Chromium; their changes need the CSRF token and are audited under their name.</summary>
public class SignInTests(SignInPageFixture app) : IClassFixture<SignInPageFixture>
{
    /// <summary>From the page's sign-in link through the provider's login page and back, as a person does it.</summary>
    public static async Task<IPage> SignInAsync(SignInPageFixture app, ProviderUser user, string path = "/")
    {
        var page = await app.OpenAsync(path);
        await page.GetByTestId("sign-in").ClickAsync();
        await page.GetByLabel("User name").FillAsync(user.UserName);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(app.BaseUrl + "/**", new() { Timeout = 90_000 }); // the code exchange runs on a shared, busy machine
        await Assertions.Expect(page.GetByTestId("session-user")).ToContainTextAsync(user.DisplayName, new() { Timeout = 20_000 });
        await PageFixture.Rendered(page);
        return page;
    }

    private static async Task<JsonElement> Json(IAPIResponse response) => JsonDocument.Parse(await response.TextAsync()).RootElement;

    [Fact]
    public async Task A_reporter_signs_in_through_the_provider_and_files_under_their_own_name_with_the_csrf_token()
    {
        var page = await SignInAsync(app, SignInPageFixture.Reporter);
        await Assertions.Expect(page.GetByTestId("session-user")).ToContainTextAsync("bigdata-bureau");
        // The dashboard now loads with the session alone: no token was typed.
        await Assertions.Expect(page.GetByTestId("plan-title")).Not.ToBeEmptyAsync();
        await page.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("signin-reporter"), FullPage = true });

        var api = page.Context.APIRequest; // shares the browser's cookies, as the page's own fetch calls do
        var session = await Json(await api.GetAsync(app.BaseUrl + "/api/session"));
        Assert.Equal("session", session.GetProperty("via").GetString());
        Assert.Equal("reporter", session.GetProperty("role").GetString());
        var csrf = session.GetProperty("csrfToken").GetString()!;
        var targetId = await app.WithDb(db => db.Measures.Where(m => m.Code == "T02-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var body = new { value = 77.5, asOf = "2025-06-30", narrative = "页面填报" };

        // Without the token a cookie-authenticated change is refused: another site could have made the browser send it.
        var forged = await api.PostAsync($"{app.BaseUrl}/api/targets/{targetId}/reports", new() { DataObject = body });
        Assert.Equal(403, forged.Status);
        Assert.True((await Json(forged)).GetProperty("errors").TryGetProperty("X-CSRF-TOKEN", out _));

        var filed = await api.PostAsync($"{app.BaseUrl}/api/targets/{targetId}/reports", new()
        {
            DataObject = body, Headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = csrf, ["Idempotency-Key"] = "signin-test-1" },
        });
        Assert.Equal(201, filed.Status);
        var reportId = (await Json(filed)).GetProperty("id").GetInt64();
        var audit = await app.WithDb(db => db.Audit.SingleAsync(a => a.EntityType == "report" && a.EntityId == reportId.ToString()));
        Assert.Equal("王五", audit.Actor);
        var person = await app.WithDb(db => db.Tokens.SingleAsync(t => t.Id == audit.TokenId));
        Assert.EndsWith("|user-wang", person.Subject);
        Assert.Equal(Domain.Role.Reporter, person.Role);
        // A retried submit with the same key files nothing new.
        var retried = await api.PostAsync($"{app.BaseUrl}/api/targets/{targetId}/reports", new()
        {
            DataObject = body, Headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = csrf, ["Idempotency-Key"] = "signin-test-1" },
        });
        Assert.Equal(201, retried.Status);
        Assert.Equal("true", retried.Headers["idempotent-replayed"]);
        Assert.Equal(1, await app.WithDb(db => db.Reports.CountAsync(r => r.TokenId == person.Id)));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_office_signs_in_with_the_office_role_and_signing_out_ends_the_session()
    {
        var page = await SignInAsync(app, SignInPageFixture.Office);
        var api = page.Context.APIRequest;
        var session = await Json(await api.GetAsync(app.BaseUrl + "/api/session"));
        Assert.Equal("office", session.GetProperty("role").GetString());
        Assert.Equal(200, (await api.GetAsync(app.BaseUrl + "/api/audit")).Status); // an office-only route

        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        Assert.False((await Json(await api.GetAsync(app.BaseUrl + "/api/session"))).GetProperty("authenticated").GetBoolean());
        Assert.Equal(401, (await api.GetAsync(app.BaseUrl + "/api/audit")).Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_person_no_mapping_gives_a_role_is_not_let_in()
    {
        var page = await app.OpenAsync("/");
        await page.GetByTestId("sign-in").ClickAsync();
        await page.GetByLabel("User name").FillAsync(SignInPageFixture.Stranger.UserName);
        await page.GetByLabel("Password").FillAsync(SignInPageFixture.Stranger.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signin-error")).ToContainTextAsync("赵六 has no role");
        Assert.False((await Json(await page.Context.APIRequest.GetAsync(app.BaseUrl + "/api/session"))).GetProperty("authenticated").GetBoolean());
        await page.ScreenshotAsync(new() { Path = PageFixture.ScreenshotPath("signin-refused"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_revoked_person_loses_the_session_at_the_next_request()
    {
        var page = await SignInAsync(app, SignInPageFixture.Leaver);
        var api = page.Context.APIRequest;
        Assert.Equal(200, (await api.GetAsync(app.BaseUrl + "/api/audit")).Status);
        var id = await app.WithDb(db => db.Tokens.Where(t => t.Subject!.EndsWith("|user-sun")).Select(t => t.Id).SingleAsync());
        using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(app.Services))
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Features.Access.TokenService>(scope.ServiceProvider).RevokeAsync(id.ToString(), null, default);
        Assert.Equal(401, (await api.GetAsync(app.BaseUrl + "/api/audit")).Status);
        // And signing in again is refused while the row stays revoked.
        await page.GotoAsync(app.BaseUrl + "/signin");
        await Assertions.Expect(page.GetByTestId("signin-error")).ToContainTextAsync("revoked");
        await page.Context.CloseAsync();
    }
}
