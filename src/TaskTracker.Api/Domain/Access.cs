namespace TaskTracker.Domain;

internal enum Role { Reporter, Office, Viewer, Admin }

/// <summary>An API token. Only a SHA-256 hash of the secret is stored; the secret is shown once at creation.</summary>
internal sealed class ApiToken
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public Role Role { get; set; }
    public int? AgencyId { get; set; }
    public Agency? Agency { get; set; }
    /// <summary>First characters of the token, shown in listings so people can tell tokens apart.</summary>
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? ExpiresAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
    /// <summary>For a person signed in through OpenID Connect: the provider's subject ("iss|sub"). Such a row has no usable
    /// secret; it carries the person's role and agency for audit, idempotency and revocation.</summary>
    public string? Subject { get; set; }
}

internal enum IdempotencyState { InFlight, Completed }

/// <summary>
/// An Idempotency-Key seen from one token. Completed in the same transaction as the write it guards,
/// so a retry after a crash either finds the stored response or finds nothing was written.
/// </summary>
internal sealed class IdempotencyRecord
{
    public long Id { get; set; }
    public int TokenId { get; set; }
    public required string Key { get; set; }
    public required string Route { get; set; }
    public required string RequestHash { get; set; }
    public IdempotencyState State { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public string? ResponseLocation { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? CompletedAtUtc { get; set; }
}

/// <summary>Who did what, when and with which token. Append-only.</summary>
internal sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    public int? TokenId { get; set; }
    public string? Actor { get; set; }
    public int? AgencyId { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    /// <summary>JSON describing what changed.</summary>
    public string? Details { get; set; }
}
