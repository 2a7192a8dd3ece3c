using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Access;

internal sealed record TokenInfo(int Id, string Name, Role Role, string? Agency, string Prefix, DateTime CreatedAtUtc,
    DateTime? ExpiresAtUtc, DateTime? RevokedAtUtc, bool Active);

internal sealed record CreatedToken(TokenInfo Info, string Token);

/// <summary>Issues, lists and revokes API tokens. The secret is returned once; only its SHA-256 is stored.</summary>
internal sealed class TokenService(TaskTrackerDb db, TimeProvider clock)
{
    private const string SecretPrefix = "tt_";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async Task<CreatedToken> CreateAsync(Role role, string? agencyCode, string? name, DateOnly? expires, int? actorTokenId, CancellationToken ct)
    {
        // PostgreSQL cannot take text with NUL in it (a 500 there); no control characters in a code or a name anyway.
        if (agencyCode?.Any(char.IsControl) == true) throw Invalid("agency", "agency must not contain control characters.");
        if (name?.Any(char.IsControl) == true) throw Invalid("name", "name must not contain control characters.");
        Agency? agency = null;
        if (role == Role.Reporter)
        {
            if (string.IsNullOrWhiteSpace(agencyCode))
                throw Invalid("agency", "a reporter token must be bound to an agency (--agency <code>).");
            agency = await db.Agencies.FirstOrDefaultAsync(a => a.Code == agencyCode, ct)
                     ?? throw Invalid("agency", $"unknown agency code '{agencyCode}'.");
            if (agency.IsGroup)
                throw Invalid("agency", $"'{agencyCode}' is a group; issue tokens to its member agencies.");
        }
        else if (!string.IsNullOrWhiteSpace(agencyCode))
        {
            throw Invalid("agency", "only reporter tokens are bound to an agency.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // The expiry is the end of the given day; 9999-12-31 has no next day, so it was an overflow (500) before this check.
        if (expires == DateOnly.MaxValue) throw Invalid("expires", "expiry must be before 9999-12-31.");
        DateTime? expiresAt = expires is { } d ? d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1) : null;
        if (expiresAt <= now) throw Invalid("expires", "expiry must be in the future.");
        if (name?.Length > 200) throw Invalid("name", "name must be at most 200 characters.");

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = string.IsNullOrWhiteSpace(name) ? $"{role.ToString().ToLowerInvariant()}{(agency is null ? "" : "@" + agency.Code)}" : name.Trim(),
            Role = role, AgencyId = agency?.Id, Prefix = secret[..10], Hash = Hash(secret),
            CreatedAtUtc = now, ExpiresAtUtc = expiresAt,
        };
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            AtUtc = now, TokenId = actorTokenId, Actor = actorTokenId is null ? "cli" : null, Action = "token.created",
            EntityType = "token", EntityId = token.Id.ToString(),
            Details = AuditJson.Serialize(new { role = role.ToString(), agency = agency?.Code, token.Name, token.Prefix, expiresAtUtc = expiresAt }),
        });
        await db.SaveChangesAsync(ct);
        return new CreatedToken(ToInfo(token, agency?.Code, now), secret);
    }

    public async Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Tokens.AsNoTracking().OrderBy(t => t.Id).Select(t => new { Token = t, Agency = t.Agency!.Code }).ToListAsync(ct);
        return rows.Select(r => ToInfo(r.Token, r.Agency, now)).ToList();
    }

    /// <summary>Revokes by id or by prefix. Revoking twice is harmless.</summary>
    public async Task<TokenInfo> RevokeAsync(string idOrPrefix, int? actorTokenId, CancellationToken ct)
    {
        var token = int.TryParse(idOrPrefix, out var id)
            ? await db.Tokens.Include(t => t.Agency).FirstOrDefaultAsync(t => t.Id == id, ct)
            : await db.Tokens.Include(t => t.Agency).FirstOrDefaultAsync(t => t.Prefix == idOrPrefix, ct);
        if (token is null) throw new NotFoundException("Token", idOrPrefix);
        var now = clock.GetUtcNow().UtcDateTime;
        if (token.RevokedAtUtc is null)
        {
            token.RevokedAtUtc = now;
            db.Audit.Add(new AuditEntry
            {
                AtUtc = now, TokenId = actorTokenId, Actor = actorTokenId is null ? "cli" : null, Action = "token.revoked",
                EntityType = "token", EntityId = token.Id.ToString(),
            });
            await db.SaveChangesAsync(ct);
        }
        return ToInfo(token, token.Agency?.Code, now);
    }

    private static TokenInfo ToInfo(ApiToken t, string? agency, DateTime now) => new(t.Id, t.Name, t.Role, agency, t.Prefix,
        t.CreatedAtUtc, t.ExpiresAtUtc, t.RevokedAtUtc, t.RevokedAtUtc is null && (t.ExpiresAtUtc is null || t.ExpiresAtUtc > now));

    private static FluentValidation.ValidationException Invalid(string field, string message) =>
        new([new FluentValidation.Results.ValidationFailure(field, message)]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
