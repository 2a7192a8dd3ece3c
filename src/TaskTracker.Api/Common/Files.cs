using System.Globalization;

namespace TaskTracker.Common;

/// <summary>CSV and xlsx as every export writes them: UTF-8 with BOM so Excel shows Chinese.</summary>
internal static class Files
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Bulk uploads may be larger than other request bodies.</summary>
    public const long MaxUploadBytes = 10 * 1024 * 1024;

    public static string Pct(double? x) => x is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) : "";

    /// <summary>Rows of named cells as CSV; the first row's keys are the header.</summary>
    public static byte[] Csv(List<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        using (var csv = CsvHelper.CsvWriter.Create(ms, new CsvHelper.CsvWriterOptions { WriteByteOrderMark = true }, true))
        {
            if (rows.Count > 0)
            {
                var header = rows[0].Keys.ToArray();
                csv.WriteRecord(header);
                foreach (var row in rows) csv.WriteRecord(header.Select(h => Convert.ToString(row[h], CultureInfo.InvariantCulture) ?? "").ToArray());
            }
        }
        return ms.ToArray();
    }

    /// <summary>A header and rows of text cells as CSV.</summary>
    public static byte[] Csv(string[] header, IEnumerable<string[]> rows)
    {
        using var ms = new MemoryStream();
        using (var csv = CsvHelper.CsvWriter.Create(ms, new CsvHelper.CsvWriterOptions { WriteByteOrderMark = true }, true))
        {
            csv.WriteRecord(header);
            foreach (var row in rows) csv.WriteRecord(row);
        }
        return ms.ToArray();
    }
}
