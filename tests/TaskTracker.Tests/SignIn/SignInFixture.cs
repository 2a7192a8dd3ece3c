using TaskTracker.Tests.Browser;

namespace TaskTracker.Tests.SignIn;

/// <summary>
/// The service on a real socket with sign-in through a real OpenID Connect provider (OpenIddict on another loopback
/// port), role and agency mapped from the provider's groups by configuration, and no anonymous reads.
/// </summary>
public class SignInPageFixture : PageFixture
{
    public TestIdentityProvider Provider { get; private set; } = null!;

    public static readonly ProviderUser Reporter = new("wang", "pw-wang-1", "王五", "tt-reporters", "dept-bigdata");
    public static readonly ProviderUser Office = new("li", "pw-li-1", "李四", "tt-office");
    /// <summary>Revoked by a test; no other test uses this person.</summary>
    public static readonly ProviderUser Leaver = new("sun", "pw-sun-1", "孙七", "tt-office");
    public static readonly ProviderUser Stranger = new("zhao", "pw-zhao-1", "赵六", "visitors");

    public override async Task InitializeAsync()
    {
        Provider = await TestIdentityProvider.StartAsync(BaseUrl + "/signin-oidc", [Reporter, Office, Leaver, Stranger]);
        Settings["Access:AllowAnonymousReads"] = "false";
        Settings["SignIn:Authority"] = Provider.Issuer;
        Settings["SignIn:ClientId"] = TestIdentityProvider.ClientId;
        Settings["SignIn:RequireHttpsMetadata"] = "false";
        Settings["SignIn:Scopes:0"] = "openid";
        Settings["SignIn:Scopes:1"] = "profile";
        Settings["SignIn:Scopes:2"] = "groups";
        // Nothing about people is in the code: the office group, the reporters' group, and which department is which agency.
        Settings["SignIn:Mappings:0:Claim"] = "groups";
        Settings["SignIn:Mappings:0:Value"] = "tt-office";
        Settings["SignIn:Mappings:0:Role"] = "office";
        Settings["SignIn:Mappings:1:Claim"] = "groups";
        Settings["SignIn:Mappings:1:Value"] = "tt-reporters";
        Settings["SignIn:Mappings:1:Role"] = "reporter";
        Settings["SignIn:Mappings:2:Claim"] = "groups";
        Settings["SignIn:Mappings:2:Value"] = "dept-bigdata";
        Settings["SignIn:Mappings:2:Agency"] = "bigdata-bureau";
        await base.InitializeAsync();
        // Warm both ends once over real HTTP (discovery, keys, the service's first challenge), so a slow first
        // compilation on a busy machine is not paid inside a browser step.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };
        (await http.GetAsync(Provider.Issuer + ".well-known/openid-configuration")).EnsureSuccessStatusCode();
        (await http.GetAsync(Provider.Issuer + ".well-known/jwks")).EnsureSuccessStatusCode();
        var challenge = await http.GetAsync(BaseUrl + "/signin");
        if ((int)challenge.StatusCode != 302) throw new InvalidOperationException($"/signin answered {(int)challenge.StatusCode}, not a redirect to the provider");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
    }
}
