using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;

namespace TaskTracker.Features.Dashboards;

internal static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api").WithTags("Dashboards").RequireAuthorization(Policies.Read);

        g.MapGet("/plans/{plan}/dashboard", async Task<Ok<PlanDashboard>> (string plan, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetPlanDashboardQuery(plan, asOf, knownAt), ct)))
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("GetPlanDashboard")
            .WithSummary("Completion and status of the plan, its sections, tasks and measures as of a date (default today, China time), " +
                         "from everything on record, or as the figures stood at the end of knownAt. Sends an ETag; If-None-Match answers 304 when nothing changed.")
            .Produces(304).ProducesValidationProblem().ProducesProblem(404);

        g.MapGet("/plans/{plan}/agencies/{code}/dashboard", async Task<Ok<AgencyDashboard>> (string plan, string code, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetAgencyDashboardQuery(plan, code, asOf, knownAt), ct)))
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("GetAgencyDashboard")
            .WithSummary("An agency's tasks: those it leads and, separately, those it co-operates on (directly or through a group).")
            .Produces(304).ProducesValidationProblem().ProducesProblem(404);

        g.MapGet("/targets/{targetId:int}/series", async Task<Ok<TargetSeriesDto>> (int targetId, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetTargetSeriesQuery(targetId, asOf, knownAt), ct)))
            .WithName("GetTargetSeries")
            .WithSummary("Reported values against the expected line (baseline to target) and the trend projection, for charts.")
            .ProducesValidationProblem().ProducesProblem(404);

        g.MapGet("/plans/{plan}/dashboard.csv", async (string plan, DateOnly? asOf, DateOnly? knownAt, string? table, ISender m, CancellationToken ct) =>
            {
                var d = await m.Send(new GetPlanDashboardQuery(plan, asOf, knownAt), ct);
                var rows = (table ?? "tasks") switch
                {
                    "tasks" => TaskRows(d),
                    "measures" => MeasureRows(d),
                    _ => throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("table", "table must be 'tasks' or 'measures'.")]),
                };
                return Results.File(Files.Csv(rows), "text/csv; charset=utf-8", $"{plan}-{table ?? "tasks"}-{d.AsOf:yyyy-MM-dd}.csv");
            })
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("ExportDashboardCsv")
            .WithSummary("The dashboard's task table (table=tasks) or measure table (table=measures) as CSV, UTF-8 with BOM so Excel shows Chinese.")
            .Produces(200, contentType: "text/csv").Produces(304).ProducesValidationProblem().ProducesProblem(404);

        g.MapGet("/plans/{plan}/dashboard.xlsx", async (string plan, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
            {
                var d = await m.Send(new GetPlanDashboardQuery(plan, asOf, knownAt), ct);
                using var ms = new MemoryStream();
                var sheets = new Dictionary<string, object> { ["tasks"] = TaskRows(d), ["measures"] = MeasureRows(d) };
                MiniExcel.SaveAs(ms, sheets, excelType: ExcelType.XLSX);
                return Results.File(ms.ToArray(), Files.XlsxType, $"{plan}-dashboard-{d.AsOf:yyyy-MM-dd}.xlsx");
            })
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("ExportDashboardXlsx").WithSummary("Both dashboard tables as an Excel workbook (sheets 'tasks' and 'measures').")
            .Produces(200, contentType: Files.XlsxType).Produces(304).ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    private static List<Dictionary<string, object?>> TaskRows(PlanDashboard d) => d.Tasks.Select(t => new Dictionary<string, object?>
    {
        ["number"] = t.Number, ["section"] = t.Section, ["titleZh"] = t.TitleZh, ["titleEn"] = t.TitleEn,
        ["completionPct"] = Files.Pct(t.Completion), ["expectedPct"] = Files.Pct(t.Expected), ["status"] = JsonNames.Kebab(t.Status),
        ["leadAgencies"] = string.Join("、", t.LeadAgencies.Select(a => a.NameZh)),
        ["measures"] = t.Measures.Count, ["done"] = t.Counts.Done, ["overdue"] = t.Counts.Overdue, ["asOf"] = d.AsOf.ToString("yyyy-MM-dd"),
    }).ToList();

    private static List<Dictionary<string, object?>> MeasureRows(PlanDashboard d) =>
        d.Headline.Where(h => h.TaskNumber is null).Concat(d.Tasks.SelectMany(t => t.Measures)).Select(m => new Dictionary<string, object?>
        {
            ["code"] = m.Code, ["type"] = m.Type, ["task"] = m.TaskNumber, ["titleZh"] = m.TitleZh, ["titleEn"] = m.TitleEn,
            ["unit"] = m.Unit, ["target"] = m.TargetValue, ["baseline"] = m.Baseline, ["latestValue"] = m.LatestValue,
            ["latestStatus"] = m.LatestStatus is { } s ? JsonNames.Kebab(s) : null, ["latestAsOf"] = m.LatestAsOf?.ToString("yyyy-MM-dd"),
            ["completionPct"] = Files.Pct(m.Completion), ["expectedPct"] = Files.Pct(m.Expected), ["status"] = JsonNames.Kebab(m.Status),
            ["dueDate"] = m.DueDate.ToString("yyyy-MM-dd"), ["asOf"] = d.AsOf.ToString("yyyy-MM-dd"),
        }).ToList();
}
