using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Claims = OpenIddict.Abstractions.OpenIddictConstants.Claims;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TaskTracker.Tests.SignIn;

/// <summary>A person the test provider knows: login name, password, display name and group memberships.</summary>
public sealed record ProviderUser(string UserName, string Password, string DisplayName, params string[] Groups);

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on a loopback socket: discovery, authorization endpoint with a login
/// page, token endpoint, signing keys. It speaks the real protocol over HTTP, so the service's sign-in is exercised as
/// it would be against the organisation's provider. Authorization code flow with PKCE required, public client.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "tasktracker";
    private readonly WebApplication _app;
    private readonly SqliteConnection _store;

    public string Issuer { get; }
    public IReadOnlyDictionary<string, ProviderUser> Users { get; }

    private TestIdentityProvider(WebApplication app, SqliteConnection store, string issuer, IReadOnlyDictionary<string, ProviderUser> users)
    {
        _app = app;
        _store = store;
        Issuer = issuer;
        Users = users;
    }

    public static async Task<TestIdentityProvider> StartAsync(string redirectUri, IEnumerable<ProviderUser> users)
    {
        var port = FreePort();
        var issuer = $"http://127.0.0.1:{port}/";
        var known = users.ToDictionary(u => u.UserName);
        var store = new SqliteConnection("Data Source=:memory:");
        await store.OpenAsync();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls(issuer);
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<ProviderDb>(o => { o.UseSqlite(store); o.UseOpenIddict(); });
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o => { o.LoginPath = "/login"; o.Cookie.Name = "idp_session"; });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDb>())
            .AddServer(o =>
            {
                o.SetIssuer(new Uri(issuer));
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, "groups");
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        var app = builder.Build();
        app.UseAuthentication();

        app.MapGet("/login", (string? returnUrl) => Results.Content(LoginPage(returnUrl ?? "/", null), "text/html; charset=utf-8"));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            if (!returnUrl.StartsWith('/')) returnUrl = "/";
            if (!known.TryGetValue(form["username"].ToString(), out var user) || user.Password != form["password"].ToString())
                return Results.Content(LoginPage(returnUrl, "Unknown user or wrong password."), "text/html; charset=utf-8", statusCode: 200);
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.UserName)], CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl);
        });
        app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            var login = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (!login.Succeeded || !known.TryGetValue(login.Principal!.Identity!.Name!, out var user))
                return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + http.Request.QueryString },
                    [CookieAuthenticationDefaults.AuthenticationScheme]);
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.AddClaim(new Claim(Claims.Subject, "user-" + user.UserName));
            identity.AddClaim(new Claim(Claims.Name, user.DisplayName));
            foreach (var g in user.Groups) identity.AddClaim(new Claim("groups", g));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            if (!request.IsAuthorizationCodeGrantType()) return Results.BadRequest();
            // The code carries the principal issued at the authorization endpoint (PKCE was checked by OpenIddict).
            var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var principal = code.Principal!;
            principal.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
            return Results.SignIn(principal, null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProviderDb>().Database.EnsureCreatedAsync();
            var apps = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            await apps.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId, ClientType = ClientTypes.Public, ConsentType = ConsentTypes.Implicit, DisplayName = "TaskTracker",
                RedirectUris = { new Uri(redirectUri) },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "groups",
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
        }
        await app.StartAsync();
        return new TestIdentityProvider(app, store, issuer, known);
    }

    private static string LoginPage(string returnUrl, string? error) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
        <body><h1>Organisation sign-in</h1>{(error is null ? "" : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}
        <form method="post" action="/login">
          <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}">
          <label for="username">User name</label> <input id="username" name="username" autocomplete="username">
          <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
          <button type="submit">Sign in</button>
        </form></body></html>
        """;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }
}

/// <summary>The provider's own store (applications, authorizations, tokens), in an in-memory SQLite database.</summary>
public sealed class ProviderDb(DbContextOptions<ProviderDb> options) : DbContext(options);
