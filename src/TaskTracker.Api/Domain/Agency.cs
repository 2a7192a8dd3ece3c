namespace TaskTracker.Domain;

internal sealed class Agency
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string NameZh { get; set; }
    public string? ShortNameZh { get; set; }
    public required string NameEn { get; set; }
    public required string Kind { get; set; }
    public List<string> Aliases { get; set; } = [];
    public List<AgencyGroupMember> Members { get; set; } = [];
    public List<AgencyGroupMember> MemberOf { get; set; } = [];

    public bool IsGroup => Kind == AgencyKinds.Group;
}

internal sealed class AgencyGroupMember
{
    public int GroupId { get; set; }
    public Agency Group { get; set; } = null!;
    public int MemberId { get; set; }
    public Agency Member { get; set; } = null!;
}

internal static class AgencyKinds
{
    public const string Group = "group";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "provincial-department", "provincial-party-organ", "central-branch", "public-institution",
        "city-government", "prefecture-government", "new-area-committee", "state-owned-enterprise",
        "telecom-operator", "coordinating-office", Group,
    };
}
