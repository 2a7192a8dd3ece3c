using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Common;
using TaskTracker.Common.Security;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Access;

/// <summary>
/// People sign in through OpenID Connect (authorization code + PKCE) and then hold a cookie session; machines and
/// people without a provider keep bearer tokens. Cookie-authenticated writes must carry an antiforgery token in
/// <see cref="CsrfHeader"/>; bearer requests cannot be forged by another site and need none.
/// </summary>
internal static class SignInSetup
{
    public const string SessionScheme = "tt-session";
    public const string OidcScheme = "oidc";
    public const string SelectorScheme = "session-or-bearer";
    public const string SessionCookie = "tt_session";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddTaskTrackerSignIn(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();
        services.AddOptions<SignInOptions>().Bind(config.GetSection(SignInOptions.Section)).ValidateOnStart();
        services.AddScoped<PersonDirectory>();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "tt_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        var settings = config.GetSection(SignInOptions.Section).Get<SignInOptions>() ?? new SignInOptions();

        // The bearer scheme stays the one that answers challenges and refusals (problem+json, never a redirect).
        services.Configure<AuthenticationOptions>(o => o.DefaultScheme = SelectorScheme);
        var auth = services.AddAuthentication().AddPolicyScheme(SelectorScheme, "Session cookie or bearer token", o =>
        {
            o.ForwardDefaultSelector = http =>
                !http.Request.Headers.ContainsKey("Authorization") && settings.Enabled && http.Request.Cookies.ContainsKey(SessionCookie)
                    ? SessionScheme : TokenAuthenticationHandler.SchemeName;
            o.ForwardChallenge = TokenAuthenticationHandler.SchemeName;
            o.ForwardForbid = TokenAuthenticationHandler.SchemeName;
        });
        if (!settings.Enabled) return services;

        auth.AddCookie(SessionScheme, o =>
        {
            // Cookie expiry is judged by the browser against the wall clock, so these handlers keep the system clock.
            o.TimeProvider = WallClock.System;
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax; // the provider's redirect back is a top-level navigation
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(settings.SessionMinutes);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = 401; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = 403; return Task.CompletedTask; };
            // A person whose row was revoked (tokens revoke) loses the session at the next request, not at its expiry.
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var id = int.TryParse(ctx.Principal?.FindFirst(Claims.TokenId)?.Value, out var v) ? v : 0;
                var db = ctx.HttpContext.RequestServices.GetRequiredService<TaskTrackerDb>();
                if (!await db.Tokens.AnyAsync(t => t.Id == id && t.Subject != null && t.RevokedAtUtc == null, ctx.HttpContext.RequestAborted))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(SessionScheme);
                }
            };
        });
        auth.AddOpenIdConnect(OidcScheme, o =>
        {
            o.TimeProvider = WallClock.System; // the correlation and nonce cookies expire in the browser's time
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = "code";
            o.ResponseMode = "query"; // a top-level GET back, so Lax cookies (correlation, nonce) travel with it
            o.UsePkce = true;
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.GetClaimsFromUserInfoEndpoint = settings.UseUserInfo;
            o.MapInboundClaims = false; // keep the provider's claim names, which the mappings use
            o.SaveTokens = false;
            o.SignInScheme = SessionScheme;
            o.CallbackPath = "/signin-oidc";
            o.Scope.Clear();
            foreach (var s in settings.Scopes) o.Scope.Add(s);
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnTicketReceived = async ctx =>
            {
                var people = ctx.HttpContext.RequestServices.GetRequiredService<PersonDirectory>();
                var outcome = await people.SignInAsync(ctx.Principal!, ctx.HttpContext.RequestAborted);
                if (outcome.Principal is null)
                {
                    ctx.Response.Redirect("/?signin-error=" + Uri.EscapeDataString(outcome.Refusal!));
                    ctx.HandleResponse();
                    return;
                }
                ctx.Principal = outcome.Principal;
            };
            o.Events.OnRemoteFailure = ctx =>
            {
                ctx.Response.Redirect("/?signin-error=" + Uri.EscapeDataString("The identity provider's answer was refused: " + ctx.Failure?.Message));
                ctx.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>
    /// Refuses a cookie-authenticated unsafe request without a valid antiforgery token (another site can make the
    /// browser send the cookie, but cannot read the token).
    /// </summary>
    public static IApplicationBuilder UseCsrfProtection(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
            && http.User.Identity is { IsAuthenticated: true, AuthenticationType: SessionScheme })
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = 403, Title = "Missing or invalid CSRF token", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
                        Detail = $"A signed-in page must send the token from GET /api/session in the {CsrfHeader} header with every change.",
                        Extensions = { ["errors"] = new Dictionary<string, string[]> { [CsrfHeader] = ["missing or invalid."] } },
                    },
                });
                return;
            }
        }
        await next(http);
    });
}

/// <summary>Who the page is talking to, and how it may sign in.</summary>
internal sealed record SessionDto(bool Authenticated, string? Name, string? Role, string? Agency, string? Via, bool SignInAvailable,
    string? SignInUrl, string? CsrfToken, string? CsrfHeader);

internal static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/session", Session).WithTags("Access").WithName("GetSession").AllowAnonymous()
            .WithSummary("Who the caller is (name, role, agency; by session cookie or bearer token), whether a person can sign in " +
                         "through the identity provider, and for a cookie session the CSRF token its changes must send.");
        app.MapGet("/signin", SignIn).WithTags("Access").WithName("SignIn").AllowAnonymous()
            .WithSummary("Start signing a person in through the identity provider (a browser navigation); back to returnUrl, a path on this site.");
        app.MapPost("/signout", async Task<NoContent> (HttpContext http, IOptions<SignInOptions> options) =>
            {
                // Without a provider there is no session to end (a bearer token is ended by revoking it).
                if (options.Value.Enabled) await http.SignOutAsync(SignInSetup.SessionScheme);
                return TypedResults.NoContent();
            })
            .WithTags("Access").WithName("SignOut").RequireAuthorization().WithSummary("End the person's session (cookie sessions send the CSRF token).");
        return app;
    }

    private static Ok<SessionDto> Session(HttpContext http, Caller caller, IOptions<SignInOptions> options, IAntiforgery antiforgery)
    {
        var enabled = options.Value.Enabled;
        var user = http.User;
        var via = user.Identity?.AuthenticationType switch
        {
            SignInSetup.SessionScheme => "session",
            TokenAuthenticationHandler.SchemeName => "token",
            _ => null,
        };
        string? csrf = null;
        if (via == "session")
        {
            csrf = antiforgery.GetAndStoreTokens(http).RequestToken;
            http.Response.Headers.CacheControl = "no-store";
        }
        return TypedResults.Ok(new SessionDto(via is not null, caller.Name, caller.Role?.ToLowerInvariant(), caller.AgencyCode, via,
            enabled, enabled ? "/signin" : null, csrf, csrf is null ? null : SignInSetup.CsrfHeader));
    }

    private static Results<ChallengeHttpResult, ProblemHttpResult> SignIn(string? returnUrl, IOptions<SignInOptions> options)
    {
        if (!options.Value.Enabled)
            return TypedResults.Problem(statusCode: 404, title: "Sign-in is not configured",
                detail: "No identity provider is configured (SignIn:Authority); sign in with a personal token instead.");
        // Only a path on this site: an open redirect would let a link send a person anywhere after signing in.
        var target = returnUrl is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//") && !r.StartsWith("/\\") ? r : "/";
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = target }, [SignInSetup.OidcScheme]);
    }
}

internal sealed record SignInOutcome(ClaimsPrincipal? Principal, string? Refusal);

/// <summary>
/// Turns the provider's identity into this service's caller: role and agency from the configured mappings, and a row
/// in the token table (no usable secret) that carries the person's id for audit entries, idempotency keys and revocation.
/// </summary>
internal sealed class PersonDirectory(TaskTrackerDb db, IOptions<SignInOptions> options, WriteStep write, ILogger<PersonDirectory> logger)
{
    public async Task<SignInOutcome> SignInAsync(ClaimsPrincipal external, CancellationToken ct)
    {
        var o = options.Value;
        var sub = external.FindFirst(o.SubjectClaim);
        if (sub is null || string.IsNullOrWhiteSpace(sub.Value)) return Refuse($"the provider sent no '{o.SubjectClaim}' claim.");
        var subject = $"{sub.Issuer}|{sub.Value}";
        if (subject.Length > 300) return Refuse("the provider's subject is too long.");
        var name = external.FindFirst(o.NameClaim)?.Value is { Length: > 0 } n ? n.Trim() : sub.Value;
        if (name.Length > 200) name = name[..200];

        bool Has(SignInMapping m) => external.Claims.Any(c => c.Type == m.Claim && c.Value == m.Value);
        var role = o.Mappings.FirstOrDefault(m => m.ParsedRole is not null && Has(m))?.ParsedRole;
        if (role is null) return Refuse($"{name} has no role in TaskTracker (no SignIn:Mappings rule matches).");
        Agency? agency = null;
        if (role == Role.Reporter)
        {
            var code = o.Mappings.FirstOrDefault(m => !string.IsNullOrWhiteSpace(m.Agency) && Has(m))?.Agency;
            if (code is null) return Refuse($"{name} is a reporter but no SignIn:Mappings rule gives an agency.");
            agency = await db.Agencies.FirstOrDefaultAsync(a => a.Code == code, ct);
            if (agency is null || agency.IsGroup) return Refuse($"SignIn:Mappings names agency '{code}', which is not an agency of the catalogue.");
        }

        // Through WriteStep like every change (no plan: no revision). The same person's first sign-in on two tabs or
        // instances at once: the unique subject lets one row in, and the other's whole step fails (on PostgreSQL the
        // transaction is aborted by then), so it runs once more and finds that row.
        SignedIn? person;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                person = await write.RunAsync(null, w => RecordAsync(w, subject, name, role.Value, agency, ct), ct);
                break;
            }
            catch (DbUpdateException e) when (attempt == 1 && UniqueViolation.Is(e))
            {
                logger.LogDebug(e, "First sign-in of {Subject} raced another; reading the row it wrote", subject);
                db.ChangeTracker.Clear();
            }
        }
        if (person is null) return Refuse($"{name}'s access was revoked.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name),
            new(ClaimTypes.NameIdentifier, subject),
            new(Claims.TokenId, person.Id.ToString()),
            new(Claims.Role, role.Value.ToString()),
            new(ClaimTypes.Role, role.Value.ToString()),
        };
        if (agency is not null)
        {
            claims.Add(new Claim(Claims.AgencyId, agency.Id.ToString()));
            claims.Add(new Claim(Claims.AgencyCode, agency.Code));
        }
        return new SignInOutcome(new ClaimsPrincipal(new ClaimsIdentity(claims, SignInSetup.SessionScheme, ClaimTypes.Name, ClaimTypes.Role)), null);

        SignInOutcome Refuse(string why)
        {
            logger.LogWarning("Sign-in refused: {Reason}", why);
            return new SignInOutcome(null, why);
        }
    }

    private sealed record SignedIn(int Id);

    /// <summary>Creates or updates the person's row and audits the sign-in; null when the person was revoked.</summary>
    private async Task<SignedIn?> RecordAsync(WriteScope w, string subject, string name, Role role, Agency? agency, CancellationToken ct)
    {
        var person = await db.Tokens.FirstOrDefaultAsync(t => t.Subject == subject, ct);
        if (person?.RevokedAtUtc is not null) return null;
        var isNew = person is null;
        if (person is null)
        {
            var hash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)); // matches no secret anyone holds
            person = new ApiToken { Name = name, Prefix = "person", Hash = hash, CreatedAtUtc = w.Now, Subject = subject };
            db.Tokens.Add(person);
        }
        person.Name = name;
        person.Role = role;
        person.AgencyId = agency?.Id;
        await db.SaveChangesAsync(ct); // for a new person's id, which the audit entry names
        // Written directly, not by WriteScope.Audit: the caller is who is being established, not yet on the request.
        db.Audit.Add(new AuditEntry
        {
            AtUtc = w.Now, TokenId = person.Id, Actor = name, AgencyId = agency?.Id, Action = isNew ? "person.first-sign-in" : "person.signed-in",
            EntityType = "token", EntityId = person.Id.ToString(),
            Details = AuditJson.Serialize(new { subject, role = role.ToString(), agency = agency?.Code }),
        });
        return new SignedIn(person.Id);
    }
}
