using Microsoft.Extensions.Options;
using TaskTracker.Domain;

namespace TaskTracker.Features.Access;

/// <summary>
/// Sign-in of people through the organisation's OpenID Connect provider. Off while <see cref="Authority"/> is empty:
/// people then use a personal token in the page, as machines do.
/// </summary>
internal sealed class SignInOptions
{
    public const string Section = "SignIn";

    /// <summary>The provider's issuer URL (its discovery document is read from here).</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    /// <summary>Only for a confidential client; the code flow always uses PKCE.</summary>
    public string? ClientSecret { get; set; }
    public string[] Scopes { get; set; } = ["openid", "profile"];
    /// <summary>Off only for a provider on loopback in tests and trials.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>Also read claims from the provider's userinfo endpoint (some put groups only there).</summary>
    public bool UseUserInfo { get; set; }
    /// <summary>The claim that carries the person's display name, audited with each action.</summary>
    public string NameClaim { get; set; } = "name";
    public string SubjectClaim { get; set; } = "sub";
    /// <summary>How long a session lasts without activity.</summary>
    public int SessionMinutes { get; set; } = 480;
    /// <summary>
    /// Which role and agency a person has, from the provider's claims or groups. The first rule that matches decides
    /// the role, and the first that matches and names an agency decides the agency. A person no rule gives a role is
    /// not let in; a reporter must also get an agency.
    /// </summary>
    public List<SignInMapping> Mappings { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

internal sealed class SignInMapping
{
    /// <summary>The claim type as the provider sends it, e.g. "groups", "roles", "department".</summary>
    public string Claim { get; set; } = "";
    public string Value { get; set; } = "";
    /// <summary>reporter, office, viewer or admin. Text, not the enum, so a misspelt role fails the start instead of the
    /// configuration binder silently dropping the whole rule.</summary>
    public string? Role { get; set; }
    internal Role? ParsedRole => Enum.TryParse<Role>(Role, true, out var r) && Enum.IsDefined(r) ? r : null;
    /// <summary>An agency code from the plan's catalogue (e.g. bigdata-bureau).</summary>
    public string? Agency { get; set; }
}

internal sealed class SignInOptionsValidator : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions o)
    {
        if (!o.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (!Uri.TryCreate(o.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            errors.Add("SignIn:Authority must be an absolute http(s) URL.");
        else if (authority.Scheme == "http" && o.RequireHttpsMetadata)
            errors.Add("SignIn:Authority is http but SignIn:RequireHttpsMetadata is true; use https (or turn it off for a loopback trial).");
        if (string.IsNullOrWhiteSpace(o.ClientId)) errors.Add("SignIn:ClientId is required.");
        if (!o.Scopes.Contains("openid")) errors.Add("SignIn:Scopes must include openid.");
        if (string.IsNullOrWhiteSpace(o.NameClaim)) errors.Add("SignIn:NameClaim is required.");
        if (string.IsNullOrWhiteSpace(o.SubjectClaim)) errors.Add("SignIn:SubjectClaim is required.");
        if (o.SessionMinutes is < 5 or > 7 * 24 * 60) errors.Add("SignIn:SessionMinutes must be between 5 and 10080.");
        if (o.Mappings.Count == 0) errors.Add("SignIn:Mappings must map at least one claim value to a role.");
        for (var i = 0; i < o.Mappings.Count; i++)
        {
            var m = o.Mappings[i];
            if (string.IsNullOrWhiteSpace(m.Claim)) errors.Add($"SignIn:Mappings:{i}:Claim is required.");
            if (string.IsNullOrWhiteSpace(m.Value)) errors.Add($"SignIn:Mappings:{i}:Value is required.");
            if (m.Role is null && string.IsNullOrWhiteSpace(m.Agency)) errors.Add($"SignIn:Mappings:{i} must give a Role, an Agency or both.");
            if (!string.IsNullOrWhiteSpace(m.Role) && m.ParsedRole is null)
                errors.Add($"SignIn:Mappings:{i}:Role '{m.Role}' is not a role (reporter, office, viewer or admin).");
        }
        if (o.Mappings.Count > 0 && o.Mappings.All(m => m.ParsedRole is null)) errors.Add("SignIn:Mappings gives no role to anyone.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
