using System.ComponentModel.DataAnnotations;

namespace TaskTracker.Standing;

/// <summary>Warning thresholds in the spirit of 督查督办: yellow before a deadline, red once it has passed.</summary>
internal sealed class OversightOptions
{
    public const string Section = "Oversight";

    /// <summary>Yellow warning: not done and due within this many days.</summary>
    [Range(0, 365)] public int DueSoonDays { get; set; } = 30;

    /// <summary>At risk: completion this far (fraction) behind the expected progress.</summary>
    [Range(0.0, 1.0)] public double AtRiskGap { get; set; } = 0.10;

    /// <summary>Off track: completion this far (fraction) behind the expected progress.</summary>
    [Range(0.0, 1.0)] public double OffTrackGap { get; set; } = 0.25;

    /// <summary>An "about" (左右) target counts as done within this fraction of its value.</summary>
    [Range(0.0, 0.5)] public double AboutTolerance { get; set; } = 0.05;

    /// <summary>Upcoming reporting deadlines shown in an agency's inbox this many days ahead.</summary>
    [Range(0, 365)] public int InboxLookaheadDays { get; set; } = 14;

    /// <summary>Growth-rate targets: at risk when the year-to-date rate is more than this many rate points below the target rate.</summary>
    [Range(0.0, 100.0)] public double GrowthAtRiskPoints { get; set; } = 2;

    /// <summary>Growth-rate targets: off track when more than this many rate points below the target rate.</summary>
    [Range(0.0, 100.0)] public double GrowthOffTrackPoints { get; set; } = 5;

    public StatusThresholds Thresholds => new(AtRiskGap, OffTrackGap, AboutTolerance, GrowthAtRiskPoints, GrowthOffTrackPoints);
}
