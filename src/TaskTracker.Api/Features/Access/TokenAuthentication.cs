using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;

namespace TaskTracker.Features.Access;

/// <summary>Bearer tokens issued by <see cref="TokenService"/>: looked up by hash, refused when revoked or expired.</summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TaskTrackerDb db, TimeProvider clock, IProblemDetailsService problems, ReferenceCache<string, CachedToken> tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Authorization must use the Bearer scheme.");
        var secret = header["Bearer ".Length..].Trim();
        if (secret.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed token.");

        var hash = TokenService.Hash(secret);
        // Cached by hash; a revocation through this process empties the cache (see CacheVersion), and expiry is checked here each time.
        var token = await tokens.GetOrLoadAsync(hash, ct => db.Tokens.AsNoTracking().Where(t => t.Hash == hash)
            .Select(t => new CachedToken(t.Id, t.Name, t.Role, t.AgencyId, t.Agency!.Code, t.ExpiresAtUtc, t.RevokedAtUtc))
            .FirstOrDefaultAsync(ct), Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("Unknown token.");
        if (token.RevokedAtUtc is not null) return AuthenticateResult.Fail("Token has been revoked.");
        if (token.ExpiresAtUtc <= clock.GetUtcNow().UtcDateTime) return AuthenticateResult.Fail("Token has expired.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, token.Name),
            new(Claims.TokenId, token.Id.ToString()),
            new(Claims.Role, token.Role.ToString()),
            new(ClaimTypes.Role, token.Role.ToString()),
        };
        if (token.AgencyId is { } agencyId)
        {
            claims.Add(new Claim(Claims.AgencyId, agencyId.ToString()));
            claims.Add(new Claim(Claims.AgencyCode, token.Agency ?? ""));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{failure}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Title = "Unauthorized", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
                Detail = failure ?? "This request needs an API token: Authorization: Bearer <token>.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirst(Claims.Role)?.Value ?? "none";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 403, Title = "Forbidden", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
                Detail = $"The role '{role.ToLowerInvariant()}' may not do this.",
            },
        });
    }
}

/// <summary>What authentication needs of a token row, cached by the token's hash.</summary>
internal sealed record CachedToken(int Id, string Name, Domain.Role Role, int? AgencyId, string? Agency, DateTime? ExpiresAtUtc, DateTime? RevokedAtUtc);

internal static class AccessSetup
{
    public static IServiceCollection AddTaskTrackerAccess(IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<AccessOptions>().Bind(config.GetSection(AccessOptions.Section)).ValidateOnStart();
        var anonymousReads = config.GetSection(AccessOptions.Section).GetValue<bool>(nameof(AccessOptions.AllowAnonymousReads));
        services.AddHttpContextAccessor();
        services.AddScoped<Caller>();
        services.AddScoped<TokenService>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p =>
            {
                // Anonymous reads still refuse a token that was sent but is bogus, expired or revoked: a dashboard
                // must learn its token is dead (401) rather than silently see what anonymous callers see.
                if (anonymousReads)
                    p.RequireAssertion(ctx => ctx.User.Identity?.IsAuthenticated == true
                        || ctx.Resource is not HttpContext http || !http.Request.Headers.ContainsKey("Authorization"));
                else p.RequireAuthenticatedUser();
            })
            .AddPolicy(Policies.Report, p => p.RequireRole(nameof(Domain.Role.Reporter)).RequireClaim(Claims.AgencyId))
            .AddPolicy(Policies.Office, p => p.RequireRole(nameof(Domain.Role.Office)))
            .AddPolicy(Policies.Admin, p => p.RequireRole(nameof(Domain.Role.Admin)))
            .AddPolicy(Policies.OfficeOrAdmin, p => p.RequireRole(nameof(Domain.Role.Office), nameof(Domain.Role.Admin)));
        return services;
    }
}

internal sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Let callers without a token read plans and dashboards. On for a local trial, off by default.</summary>
    public bool AllowAnonymousReads { get; set; }
}
