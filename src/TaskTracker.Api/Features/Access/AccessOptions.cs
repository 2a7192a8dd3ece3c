namespace TaskTracker.Features.Access;

public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Let callers without a token read plans and dashboards. On for a local trial, off by default.</summary>
    public bool AllowAnonymousReads { get; set; }
}

public static class Policies
{
    public const string Read = "read";
    public const string Report = "report";
    public const string Office = "office";
    public const string Admin = "admin";
    public const string OfficeOrAdmin = "office-or-admin";
}

public static class Claims
{
    public const string TokenId = "tt:token";
    public const string Role = "tt:role";
    public const string AgencyId = "tt:agency-id";
    public const string AgencyCode = "tt:agency";
}
