using System.Text.RegularExpressions;

namespace TaskTracker.Common.Security;

/// <summary>Token lifetimes (section <c>Access</c>): every token expires, by default after <see cref="DefaultTokenLifetimeDays"/>.</summary>
internal sealed class TokenLifetimeOptions
{
    public const string Section = "Access";
    [System.ComponentModel.DataAnnotations.Range(1, 36500)] public int DefaultTokenLifetimeDays { get; set; } = 90;
    [System.ComponentModel.DataAnnotations.Range(1, 36500)] public int MaxTokenLifetimeDays { get; set; } = 366;
}

/// <summary>Marks an endpoint whose answer carries a secret shown once (a token, a signing secret): never stored by caches.</summary>
internal sealed record CarriesSecret;

/// <summary>
/// Webhook URLs often carry an access token (DingTalk <c>?access_token=</c>, WeCom <c>?key=</c>, Feishu and Slack in
/// the path). Lists and the audit trail show them masked: every query value, any user info, and any long opaque
/// path segment become <c>***</c>; scheme, host, port and the readable path stay so people can tell receivers apart.
/// </summary>
internal static partial class UrlMask
{
    public const string Hidden = "***";

    public static string Mask(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return Hidden;
        var path = string.Join('/', uri.AbsolutePath.Split('/').Select(s => Opaque().IsMatch(s) ? Hidden : s));
        var query = uri.Query.Length <= 1 ? "" : "?" + string.Join('&', uri.Query[1..].Split('&').Select(p =>
        {
            var eq = p.IndexOf('=');
            return eq < 0 ? Hidden : p[..(eq + 1)] + Hidden;
        }));
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var user = string.IsNullOrEmpty(uri.UserInfo) ? "" : Hidden + "@";
        return $"{uri.Scheme}://{user}{uri.Host}{port}{path}{query}";
    }

    /// <summary>A segment that looks like a key: 16 or more characters, with digits, of the kind tokens are made of.</summary>
    [GeneratedRegex("^(?=.*[0-9])[A-Za-z0-9_~.%-]{16,}$")]
    private static partial Regex Opaque();
}
