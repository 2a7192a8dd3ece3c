using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

internal static class BulkEndpoints
{

    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plans/{plan}/reports").WithTags("Progress");

        g.MapPost("/bulk", async Task<Created<BulkResult>> (string plan, HttpRequest request, ISender m, CancellationToken ct) =>
            {
                var rows = await ReadUploadAsync(request, ct);
                var result = await m.Send(new BulkFileReportsCommand(plan, rows), ct);
                return TypedResults.Created($"/api/plans/{plan}/reports", result);
            })
            .WithName("BulkFileReports")
            .WithSummary("File many reports from a CSV (UTF-8, BOM optional) or .xlsx file: multipart field 'file', or the file as the body " +
                         "(Content-Type text/csv or the xlsx type). Columns: measure, value, status, period, asOf, subUnit, narrative, evidence. " +
                         "All rows are stored in one transaction, or none and every bad row and column is listed (rows[N] is the sheet row).")
            .Accepts<IFormFile>("multipart/form-data", "text/csv", Files.XlsxType)
            .RequireAuthorization(Policies.Report).WithIdempotency()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Files.MaxUploadBytes))
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415);

        g.MapGet("/template.csv", async (string plan, TaskTrackerDb db, Caller caller, MeasureContext measures, CancellationToken ct) =>
                Results.File(BulkFiles.WriteCsv(await TemplateRowsAsync(plan, db, caller, measures, ct)), "text/csv; charset=utf-8", $"{plan}-reports.csv"))
            .WithName("BulkTemplateCsv").WithSummary("A CSV template listing the measures the caller may report on (all, for non-reporters).")
            .RequireAuthorization(Policies.Read).Produces(200, contentType: "text/csv").ProducesProblem(404);
        g.MapGet("/template.xlsx", async (string plan, TaskTrackerDb db, Caller caller, MeasureContext measures, CancellationToken ct) =>
                Results.File(BulkFiles.WriteXlsx(await TemplateRowsAsync(plan, db, caller, measures, ct)), Files.XlsxType, $"{plan}-reports.xlsx"))
            .WithName("BulkTemplateXlsx").WithSummary("The same template as an Excel workbook.")
            .RequireAuthorization(Policies.Read).Produces(200, contentType: Files.XlsxType).ProducesProblem(404);
        return app;
    }

    private static async Task<IReadOnlyList<BulkRow>> ReadUploadAsync(HttpRequest request, CancellationToken ct)
    {
        Stream stream;
        string kind;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
            {
                // A missing boundary or a cut-off multipart body is the client's mistake: 400 naming the field, not a 500.
                throw new FluentValidation.ValidationException(
                    [new FluentValidation.Results.ValidationFailure("file", "the multipart/form-data body could not be read: " + e.Message)]);
            }
            var file = form.Files.GetFile("file") ?? throw new FluentValidation.ValidationException(
                [new FluentValidation.Results.ValidationFailure("file", "attach the spreadsheet as the multipart field 'file'.")]);
            kind = file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || file.ContentType == Files.XlsxType ? "xlsx" : "csv";
            stream = new MemoryStream();
            await file.CopyToAsync(stream, ct);
        }
        else
        {
            kind = request.ContentType?.StartsWith(Files.XlsxType, StringComparison.OrdinalIgnoreCase) == true ? "xlsx" : "csv";
            if (kind == "csv" && request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
                throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("file",
                    "send multipart/form-data with a 'file' field, or the file itself as text/csv or " + Files.XlsxType + ".")]);
            stream = new MemoryStream();
            await request.Body.CopyToAsync(stream, ct);
        }
        stream.Position = 0;
        return kind == "xlsx" ? BulkFiles.ReadXlsx(stream) : BulkFiles.ReadCsv(stream);
    }

    private static async Task<List<Dictionary<string, object?>>> TemplateRowsAsync(string plan, TaskTrackerDb db, Caller caller, MeasureContext measures, CancellationToken ct)
    {
        var planId = await db.Plans.Where(p => p.Code == plan).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Plan", plan);
        var all = await db.Measures.AsNoTracking().Where(m => m.PlanId == planId && m.Active).Include(m => m.Task)
            .OrderBy(m => m.Task == null ? 0 : m.Task.Number).ThenBy(m => m.Ordinal).ToListAsync(ct);
        var rows = new List<(string, string, string?, DateOnly, int?)>();
        foreach (var m in all)
        {
            if (caller.AgencyId is { } agency && !(await measures.LoadAsync(m.Id, ct))!.ResponsibleAgencyIds.Contains(agency)) continue;
            rows.Add(m switch
            {
                Target t => (t.Code, t.MetricZh, t.Unit, t.DueDate, t.Task?.Number),
                Milestone s => (s.Code, s.TitleZh, null, s.DueDate, s.Task?.Number),
                _ => throw new InvalidOperationException(),
            });
        }
        return BulkFiles.TemplateRows(rows);
    }
}
