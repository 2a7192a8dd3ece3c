using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using FluentValidation.Results;
using Mediator;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Progress;

/// <summary>One spreadsheet row as text; <see cref="Row"/> is its row number in the sheet (the header is row 1).</summary>
internal sealed record BulkRow(int Row, string? Measure, string? Value, string? Status, string? Period, string? AsOf,
    string? SubUnit, string? Narrative, string? Evidence);

internal sealed record BulkResult(int Count, IReadOnlyList<ReportDto> Reports);

internal sealed record BulkFileReportsCommand(string Plan, IReadOnlyList<BulkRow> Rows) : ICommand<BulkResult>;

/// <summary>
/// Files many reports at once for agencies that keep figures in spreadsheets. Every row is checked with the same
/// rules and authorisation as a single filing; all are stored in one transaction, or none and every bad cell is named.
/// </summary>
internal sealed class BulkFileReportsHandler(TaskTrackerDb db, MeasureContext measures, Caller caller, TimeProvider clock, WriteStep write)
    : ICommandHandler<BulkFileReportsCommand, BulkResult>
{
    public const int MaxRows = 5000;
    private static readonly ReportRules Rules = new();

    public async ValueTask<BulkResult> Handle(BulkFileReportsCommand cmd, CancellationToken ct)
    {
        var plan = await db.Plans.AsNoTracking().Where(p => p.Code == cmd.Plan).Select(p => new { p.Id }).FirstOrDefaultAsync(ct)
                   ?? throw new NotFoundException("Plan", cmd.Plan);
        var failures = new List<ValidationFailure>();
        void Fail(int row, string column, string message) => failures.Add(new ValidationFailure($"rows[{row}].{column}", message));
        if (cmd.Rows.Count == 0) failures.Add(new ValidationFailure("file", "the file has no data rows."));
        if (cmd.Rows.Count > MaxRows) failures.Add(new ValidationFailure("file", $"at most {MaxRows} rows per upload; split the file."));
        if (failures.Count > 0) throw new FluentValidation.ValidationException(failures);

        var codes = cmd.Rows.Select(r => r.Measure?.Trim()).Where(c => !string.IsNullOrEmpty(c)).Distinct().ToList();
        var ids = await db.Measures.AsNoTracking().Where(m => m.PlanId == plan.Id && codes.Contains(m.Code))
            .Select(m => new { m.Code, m.Id }).ToDictionaryAsync(m => m.Code, m => m.Id, ct);
        var infos = new Dictionary<int, MeasureInfo>();
        foreach (var id in ids.Values) infos[id] = (await measures.LoadAsync(id, ct))!;

        var today = ChinaTime.Today(clock);
        var accepted = new List<(BulkRow Row, MeasureInfo Measure, ReportInput Input)>();
        foreach (var row in cmd.Rows)
        {
            var code = row.Measure?.Trim();
            if (string.IsNullOrEmpty(code)) { Fail(row.Row, "measure", "measure code is required (e.g. T02-1 or M20-1)."); continue; }
            if (!ids.TryGetValue(code, out var measureId)) { Fail(row.Row, "measure", $"no measure '{code}' in plan {cmd.Plan}."); continue; }
            var m = infos[measureId];
            if (caller.AgencyId is not { } agency || !m.ResponsibleAgencyIds.Contains(agency))
            {
                Fail(row.Row, "measure", $"agency '{caller.AgencyCode}' is not responsible for {code}.");
                continue;
            }
            if (!m.Active) { Fail(row.Row, "measure", $"{code} is no longer part of the plan."); continue; }

            var before = failures.Count;
            decimal? value = null;
            if (!string.IsNullOrWhiteSpace(row.Value))
            {
                if (decimal.TryParse(row.Value.Trim().Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) value = v;
                else Fail(row.Row, "value", $"'{row.Value}' is not a number.");
            }
            MilestoneStatus? status = null;
            if (!string.IsNullOrWhiteSpace(row.Status))
            {
                status = ParseStatus(row.Status);
                if (status is null) Fail(row.Row, "status", $"'{row.Status}' is not a status: not-started, in-progress or done (未开始, 进行中, 已完成).");
            }
            DateOnly? asOf = null;
            if (!string.IsNullOrWhiteSpace(row.AsOf))
            {
                if (DateOnly.TryParseExact(row.AsOf.Trim(), ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) asOf = d;
                else Fail(row.Row, "asOf", $"'{row.AsOf}' is not a date (YYYY-MM-DD).");
            }
            var evidence = string.IsNullOrWhiteSpace(row.Evidence)
                ? null
                : row.Evidence.Split([' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
            if (failures.Count > before) continue;

            var input = new ReportInput(m, today, value, status, Blank(row.Period), asOf, Blank(row.SubUnit), Blank(row.Narrative), evidence, null, null);
            foreach (var f in Rules.Validate(input).Errors) Fail(row.Row, f.PropertyName.Split('[')[0], f.ErrorMessage);
            if (failures.Count == before) accepted.Add((row, m, input));
        }
        if (failures.Count > 0) throw new FluentValidation.ValidationException(failures);

        return await write.RunAsync(plan.Id, async w =>
        {
            var reports = accepted.Select(a => new ProgressReport
            {
                PlanId = a.Measure.PlanId, MeasureId = a.Measure.Id, AgencyId = caller.AgencyId!.Value, TokenId = caller.TokenId,
                Value = a.Input.Value, Status = a.Input.Status, Period = a.Input.Period, SubUnit = a.Input.SubUnit?.Trim(),
                AsOf = a.Input.AsOf!.Value, Narrative = a.Input.Narrative, Evidence = a.Input.Evidence?.ToList() ?? [], FiledAtUtc = w.Now,
            }).ToList();
            db.Reports.AddRange(reports);
            await db.SaveChangesAsync(ct); // ids for the audit entries and the response
            var batch = Guid.NewGuid().ToString("N")[..12];
            for (var i = 0; i < reports.Count; i++)
            {
                var r = reports[i];
                w.Audit("report.filed", "report", r.Id.ToString(),
                    new { measure = accepted[i].Measure.Code, value = r.Value, status = r.Status?.ToString(), r.Period, asOf = r.AsOf, subUnit = r.SubUnit, bulk = batch, row = accepted[i].Row.Row });
            }
            var idList = reports.Select(r => r.Id).ToList();
            var dtos = await db.Reports.AsNoTracking().Where(r => idList.Contains(r.Id)).OrderBy(r => r.Id).ToDtos(db.Reports).ToListAsync(ct);
            foreach (var dto in dtos) w.Publish(EventTypes.ReportFiled, dto, caller.AgencyId);
            var result = new BulkResult(dtos.Count, dtos);
            w.Respond(StatusCodes.Status201Created, result, null);
            w.Count(() => TaskTrackerMetrics.ReportsFiled.Add(result.Count, new KeyValuePair<string, object?>("plan", cmd.Plan)));
            return result;
        }, ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static MilestoneStatus? ParseStatus(string s) => s.Trim().ToLowerInvariant() switch
    {
        "not-started" or "not_started" or "notstarted" or "未开始" => MilestoneStatus.NotStarted,
        "in-progress" or "in_progress" or "inprogress" or "进行中" => MilestoneStatus.InProgress,
        "done" or "已完成" or "完成" => MilestoneStatus.Done,
        _ => null,
    };
}

/// <summary>Reads CSV (UTF-8, with or without BOM) and .xlsx uploads into rows, and writes the templates.</summary>
internal static class BulkFiles
{
    public static readonly string[] Columns = ["measure", "value", "status", "period", "asOf", "subUnit", "narrative", "evidence"];
    /// <summary>Columns the template adds as guidance; ignored on upload.</summary>
    public static readonly string[] Guidance = ["title", "unit", "dueDate", "task"];

    public static IReadOnlyList<BulkRow> ReadCsv(Stream stream)
    {
        var options = new CsvReaderOptions
        {
            HasHeader = true, SkipEmptyLines = true, DetectSeparatorHint = true, Encoding = new UTF8Encoding(false),
            FieldCountMismatch = CsvFieldCountHandling.Allow, MalformedData = CsvMalformedDataHandling.Throw,
            NormalizeHeaderName = h => h.Trim(),
        };
        var rows = new List<BulkRow>();
        try
        {
            using var csv = CsvReader.Create(stream, options, false);
            var checkedHeader = false;
            while (csv.Read())
            {
                if (!checkedHeader) { CheckHeader(csv.Headers.ToArray()); checkedHeader = true; }
                string? Get(string column)
                {
                    if (!csv.TryGetFieldIndex(column, out var i))
                    {
                        var match = csv.Headers.Select((h, idx) => (h, idx)).FirstOrDefault(x => string.Equals(x.h, column, StringComparison.OrdinalIgnoreCase));
                        if (match.h is null) return null;
                        i = match.idx;
                    }
                    return i < csv.FieldCount ? csv.GetString(i) : null;
                }
                // Row numbers as a spreadsheet shows them: the header is row 1.
                var row = new BulkRow((int)csv.RowNumber + 1, Get("measure"), Get("value"), Get("status"), Get("period"), Get("asOf"), Get("subUnit"), Get("narrative"), Get("evidence"));
                if (!IsBlank(row)) rows.Add(row);
                if (rows.Count > BulkFileReportsHandler.MaxRows) break;
            }
            if (!checkedHeader && csv.Headers.Count > 0) CheckHeader(csv.Headers.ToArray());
            if (csv.Headers.Count == 0) throw FileError("the CSV file is empty.");
        }
        catch (CsvFormatException e)
        {
            throw FileError("the CSV file is malformed: " + e.Message);
        }
        return rows;
    }

    public static IReadOnlyList<BulkRow> ReadXlsx(Stream stream)
    {
        var rows = new List<BulkRow>();
        string[]? header = null;
        var rowNumber = 1;
        try
        {
            foreach (IDictionary<string, object?> raw in MiniExcel.Query(stream, useHeaderRow: true, excelType: ExcelType.XLSX))
            {
                header ??= raw.Keys.Select(k => k.Trim()).ToArray();
                if (rowNumber == 1) CheckHeader(header);
                rowNumber++;
                var cells = raw.ToDictionary(kv => kv.Key.Trim(), kv => kv.Value, StringComparer.OrdinalIgnoreCase);
                string? Get(string column) => cells.TryGetValue(column, out var v) ? Cell(v) : null;
                var row = new BulkRow(rowNumber, Get("measure"), Get("value"), Get("status"), Get("period"), Get("asOf"), Get("subUnit"), Get("narrative"), Get("evidence"));
                if (!IsBlank(row)) rows.Add(row);
                if (rows.Count > BulkFileReportsHandler.MaxRows) break;
            }
        }
        catch (Exception e) when (e is not FluentValidation.ValidationException)
        {
            throw FileError("the file is not a readable .xlsx workbook.");
        }
        if (header is null) throw FileError("the workbook has no header row.");
        return rows;
    }

    private static string? Cell(object? v) => v switch
    {
        null => null,
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        decimal x => x.ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    /// <summary>A row with nothing reported (such as an untouched template line naming only its measure) is skipped.</summary>
    private static bool IsBlank(BulkRow r) => new[] { r.Value, r.Status, r.Period, r.AsOf, r.SubUnit, r.Narrative, r.Evidence }.All(string.IsNullOrWhiteSpace);

    private static void CheckHeader(string[] header)
    {
        var unknown = header.Where(h => !Columns.Concat(Guidance).Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0) throw FileError($"unknown column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected {string.Join(", ", Columns)}.");
        if (!header.Contains("measure", StringComparer.OrdinalIgnoreCase)) throw FileError("the header row must include a 'measure' column.");
    }

    private static FluentValidation.ValidationException FileError(string message) => new([new ValidationFailure("file", message)]);

    public static List<Dictionary<string, object?>> TemplateRows(IEnumerable<(string Code, string Title, string? Unit, DateOnly Due, int? Task)> measures) =>
        measures.Select(m => new Dictionary<string, object?>
        {
            ["measure"] = m.Code, ["value"] = null, ["status"] = null, ["period"] = null, ["asOf"] = null, ["subUnit"] = null,
            ["narrative"] = null, ["evidence"] = null, ["title"] = m.Title, ["unit"] = m.Unit, ["dueDate"] = m.Due.ToString("yyyy-MM-dd"), ["task"] = m.Task,
        }).ToList();

    /// <summary>UTF-8 with BOM so Excel shows Chinese correctly.</summary>
    public static byte[] WriteCsv(List<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        using (var csv = CsvWriter.Create(ms, new CsvWriterOptions { WriteByteOrderMark = true }, true))
        {
            string[] header = [.. Columns, .. Guidance];
            csv.WriteRecord(header);
            foreach (var row in rows) csv.WriteRecord(header.Select(h => row[h]?.ToString() ?? "").ToArray());
        }
        return ms.ToArray();
    }

    public static byte[] WriteXlsx(List<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        object data = rows.Count > 0 ? rows : new[] { Columns.Concat(Guidance).ToDictionary(h => h, _ => (object?)null) };
        MiniExcel.SaveAs(ms, data, excelType: ExcelType.XLSX);
        return ms.ToArray();
    }
}
