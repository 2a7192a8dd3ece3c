using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;
using TaskTracker.Features.Access;
using TaskTracker.Features.Progress;

namespace TaskTracker.Features.Dashboards;

public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app)
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
                return Results.File(Csv(rows), "text/csv; charset=utf-8", $"{plan}-{table ?? "tasks"}-{d.AsOf:yyyy-MM-dd}.csv");
            })
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("ExportDashboardCsv")
            .WithSummary("The dashboard's task table (table=tasks) or measure table (table=measures) as CSV, UTF-8 with BOM so Excel shows Chinese.")
            .Produces(200, contentType: "text/csv").Produces(304).ProducesValidationProblem().ProducesProblem(404);

        g.MapGet("/plans/{plan}/dashboard.xlsx", async (string plan, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
            {
                var d = await m.Send(new GetPlanDashboardQuery(plan, asOf, knownAt), ct);
                using var ms = new MemoryStream();
                var sheets = new Dictionary<string, object> { ["tasks"] = Common.Security.FormulaGuard.Rows(TaskRows(d)), ["measures"] = Common.Security.FormulaGuard.Rows(MeasureRows(d)) };
                MiniExcel.SaveAs(ms, sheets, excelType: ExcelType.XLSX);
                return Results.File(ms.ToArray(), BulkFiles.XlsxType, $"{plan}-dashboard-{d.AsOf:yyyy-MM-dd}.xlsx");
            })
            .AddEndpointFilter<DashboardETagFilter>()
            .WithName("ExportDashboardXlsx").WithSummary("Both dashboard tables as an Excel workbook (sheets 'tasks' and 'measures').")
            .Produces(200, contentType: BulkFiles.XlsxType).Produces(304).ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    private static string Pct(double? x) => x is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) : "";

    private static List<Dictionary<string, object?>> TaskRows(PlanDashboard d) => d.Tasks.Select(t => new Dictionary<string, object?>
    {
        ["number"] = t.Number, ["section"] = t.Section, ["titleZh"] = t.TitleZh, ["titleEn"] = t.TitleEn,
        ["completionPct"] = Pct(t.Completion), ["expectedPct"] = Pct(t.Expected), ["status"] = Kebab(t.Status),
        ["leadAgencies"] = string.Join("、", t.LeadAgencies.Select(a => a.NameZh)),
        ["measures"] = t.Measures.Count, ["done"] = t.Counts.Done, ["overdue"] = t.Counts.Overdue, ["asOf"] = d.AsOf.ToString("yyyy-MM-dd"),
    }).ToList();

    private static List<Dictionary<string, object?>> MeasureRows(PlanDashboard d) =>
        d.Headline.Where(h => h.TaskNumber is null).Concat(d.Tasks.SelectMany(t => t.Measures)).Select(m => new Dictionary<string, object?>
        {
            ["code"] = m.Code, ["type"] = m.Type, ["task"] = m.TaskNumber, ["titleZh"] = m.TitleZh, ["titleEn"] = m.TitleEn,
            ["unit"] = m.Unit, ["target"] = m.TargetValue, ["baseline"] = m.Baseline, ["latestValue"] = m.LatestValue,
            ["latestStatus"] = m.LatestStatus is { } s ? Kebab(s) : null, ["latestAsOf"] = m.LatestAsOf?.ToString("yyyy-MM-dd"),
            ["completionPct"] = Pct(m.Completion), ["expectedPct"] = Pct(m.Expected), ["status"] = Kebab(m.Status),
            ["dueDate"] = m.DueDate.ToString("yyyy-MM-dd"), ["asOf"] = d.AsOf.ToString("yyyy-MM-dd"),
        }).ToList();

    public static string Kebab<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    private static byte[] Csv(List<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        using (var csv = CsvHelper.CsvWriter.Create(ms, new CsvHelper.CsvWriterOptions { WriteByteOrderMark = true }, true))
        {
            if (rows.Count > 0)
            {
                var header = rows[0].Keys.ToArray();
                csv.WriteRecord(header);
                foreach (var row in rows) csv.WriteRecord(Common.Security.FormulaGuard.Cells(header.Select(h => Convert.ToString(row[h], CultureInfo.InvariantCulture))));
            }
        }
        return ms.ToArray();
    }
}

/// <summary>Marks a cached read whose answer also depends on the plan's follow-up instructions (the oversight lists).</summary>
public sealed record DependsOnInstructions;

/// <summary>
/// Answers 304 before any figure is computed when the data behind a dashboard has not changed, and otherwise serves
/// the serialised response from <see cref="DashboardResponseCache"/> when it was computed for the same tag. The tag is
/// derived from the database (reports, reviews, seed; for the review lists also instructions), so it is the same on
/// every instance, and a cached response is only found while the database still has the stamp it was computed under.
/// </summary>
public sealed class DashboardETagFilter(DashboardCalculator calc, DashboardResponseCache cache,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var planCode = http.Request.RouteValues["plan"] as string;
        if (planCode is null) return await next(ctx);
        var plan = await calc.PlanAsync(planCode, http.RequestAborted);
        var withInstructions = http.GetEndpoint()?.Metadata.GetMetadata<DependsOnInstructions>() is not null;
        Task<string> Stamp() => withInstructions ? calc.OversightStampAsync(plan, http.RequestAborted) : calc.StampAsync(plan, http.RequestAborted);
        var stamp = await Stamp();
        // No asOf means today: the answer can change at midnight without any new report.
        var defaultAsOf = !http.Request.Query.ContainsKey("asOf");
        var today = defaultAsOf ? Today() : "";
        var key = $"{stamp}|{http.Request.Path}|{http.Request.QueryString}|{today}";
        var etag = $"\"d{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}\"";
        http.Response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == etag || v.Split(',').Any(x => x.Trim() == etag || x.Trim() == "*"))))
        {
            http.Response.Headers.ETag = etag;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        if (cache.TryGet(key, out var hit))
        {
            http.Response.Headers.ETag = etag;
            return hit.ToResult();
        }
        var result = await next(ctx);
        http.Response.Headers.ETag = etag;
        if (!cache.Enabled) return result;
        var entry = DashboardResponseCache.Capture(result, json.Value.SerializerOptions);
        if (entry is null) return result;
        // Keep it only if nothing moved while the figures were computed: a filing committed meanwhile, or midnight
        // passing for a default asOf, would otherwise file newer figures under the older key.
        if ((!defaultAsOf || Today() == today) && await Stamp() == stamp)
            cache.Set(key, entry);
        return entry.ToResult();
    }

    private string Today() => ChinaTime.Today(clock).ToString("yyyy-MM-dd");
}
