using System.Security.Claims;

namespace TaskTracker.Common;

internal static class Policies
{
    public const string Read = "read";
    public const string Report = "report";
    public const string Office = "office";
    public const string Admin = "admin";
    public const string OfficeOrAdmin = "office-or-admin";
}

internal static class Claims
{
    public const string TokenId = "tt:token";
    public const string Role = "tt:role";
    public const string AgencyId = "tt:agency-id";
    public const string AgencyCode = "tt:agency";
}

/// <summary>The caller as the handlers see it.</summary>
internal sealed class Caller(IHttpContextAccessor http)
{
    private ClaimsPrincipal User => http.HttpContext?.User ?? new ClaimsPrincipal();
    public int? TokenId => int.TryParse(User.FindFirst(Claims.TokenId)?.Value, out var id) ? id : null;
    public int? AgencyId => int.TryParse(User.FindFirst(Claims.AgencyId)?.Value, out var id) ? id : null;
    public string? AgencyCode => User.FindFirst(Claims.AgencyCode)?.Value;
    public string? Role => User.FindFirst(Claims.Role)?.Value;
    public string? Name => User.Identity?.Name;
    public bool IsOffice => Role == nameof(Domain.Role.Office);

    /// <summary>The caller as the domain records it.</summary>
    public Actor Actor => new(TokenId, Name, AgencyId);

    /// <summary>An audit entry for a change this caller makes: who, which token, which agency, when, what.</summary>
    public Domain.AuditEntry Audit(DateTime nowUtc, string action, string entityType, string entityId, object? details) => new()
    {
        AtUtc = nowUtc, TokenId = TokenId, Actor = Name, AgencyId = AgencyId, Action = action,
        EntityType = entityType, EntityId = entityId, Details = details is null ? null : AuditJson.Serialize(details),
    };
}
