using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TaskTracker.Common;

/// <summary>Application metrics, exported with the ASP.NET Core ones at /metrics in Prometheus format.</summary>
internal static class TaskTrackerMetrics
{
    public const string MeterName = "TaskTracker";
    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<string, int> OverdueByPlan = new();

    public static readonly Counter<long> ReportsFiled = Meter.CreateCounter<long>("tasktracker.reports.filed", description: "Progress reports filed (including corrections)");
    public static readonly Counter<long> ReportsReviewed = Meter.CreateCounter<long>("tasktracker.reports.reviewed", description: "Reviews recorded by the office");
    public static readonly Counter<long> InstructionsIssued = Meter.CreateCounter<long>("tasktracker.instructions.issued", description: "Follow-up instructions issued");

    static TaskTrackerMetrics() =>
        Meter.CreateObservableGauge("tasktracker.measures.overdue",
            () => OverdueByPlan.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("plan", p.Key))),
            description: "Overdue measures per plan as of today (updated whenever today's dashboard is computed)");

    public static void SetOverdue(string plan, int count) => OverdueByPlan[plan] = count;
}
