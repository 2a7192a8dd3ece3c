using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.SignIn;

/// <summary>Sign-in settings are checked when the service starts; without a provider, people use personal tokens.</summary>
public class SignInSettingsTests
{
    private static Exception StartWith(params (string Key, string Value)[] settings)
    {
        var app = new TaskTrackerApp();
        foreach (var (k, v) in settings) app.Settings[k] = v;
        try
        {
            return Assert.ThrowsAny<Exception>(() => app.Server);
        }
        finally
        {
            app.Dispose();
        }
    }

    [Fact]
    public void A_mapping_to_an_unknown_role_stops_the_service_at_start()
    {
        var e = StartWith(("SignIn:Authority", "https://id.example.gov.cn/"), ("SignIn:ClientId", "tt"),
            ("SignIn:Mappings:0:Claim", "groups"), ("SignIn:Mappings:0:Value", "x"), ("SignIn:Mappings:0:Role", "boss"));
        Assert.Contains("SignIn:Mappings:0:Role 'boss' is not a role", e.ToString());
    }

    [Fact]
    public void A_provider_without_client_id_or_mappings_stops_the_service_at_start()
    {
        var e = StartWith(("SignIn:Authority", "https://id.example.gov.cn/"));
        Assert.Contains("SignIn:ClientId is required", e.ToString());
        Assert.Contains("SignIn:Mappings must map at least one", e.ToString());
        var http = StartWith(("SignIn:Authority", "http://id.example.gov.cn/"), ("SignIn:ClientId", "tt"),
            ("SignIn:Mappings:0:Claim", "groups"), ("SignIn:Mappings:0:Value", "x"), ("SignIn:Mappings:0:Role", "office"));
        Assert.Contains("RequireHttpsMetadata", http.ToString());
    }

    [Fact]
    public async Task Without_a_provider_the_session_says_so_and_a_token_still_signs_a_person_in()
    {
        await using var app = new TaskTrackerApp();
        var anonymous = await app.CreateClient().GetAsync("/api/session");
        var session = await anonymous.ReadJson<Features.Access.SessionDto>();
        Assert.False(session.Authenticated);
        Assert.False(session.SignInAvailable);
        await (await app.CreateClient().GetAsync("/signin")).ReadProblem(404);

        var token = await app.TokenAsync(Domain.Role.Reporter, "bigdata-bureau");
        var withToken = await (await app.ClientWith(token).GetAsync("/api/session")).ReadJson<Features.Access.SessionDto>();
        Assert.True(withToken.Authenticated);
        Assert.Equal("token", withToken.Via);
        Assert.Equal("bigdata-bureau", withToken.Agency);
        Assert.Null(withToken.CsrfToken); // bearer requests need none
    }
}
