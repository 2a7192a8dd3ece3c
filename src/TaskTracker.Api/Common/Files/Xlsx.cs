using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace TaskTracker.Common;

/// <summary>
/// The house's xlsx writer for sheets of text rows: a bold header row, fonts named for Chinese text (仿宋_GB2312, 黑体
/// header), numbers typed as numbers so the sheet sorts and sums, every other cell as written, with text a spreadsheet
/// would run as a formula kept as text (<see cref="Security.FormulaGuard"/>).
/// </summary>
internal static class Xlsx
{
    /// <summary>One sheet: its name (at most 31 characters, Excel's limit), the header row and the rows.</summary>
    internal sealed record Sheet(string Name, string[] Header, IReadOnlyList<string[]> Rows);

    public static byte[] Write(IEnumerable<Sheet> sheets)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var styles = wb.AddNewPart<WorkbookStylesPart>();
            // 0: normal, 1: bold header. Fonts named for East Asian text too.
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "仿宋_GB2312" }),
                    new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "黑体" })),
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
                new Borders(new Border()),
                new CellFormats(new CellFormat { FontId = 0 }, new CellFormat { FontId = 1, ApplyFont = true }));
            var list = wb.Workbook.AppendChild(new Sheets());
            uint id = 1;
            foreach (var sheet in sheets) AddSheet(wb, list, id++, sheet);
            wb.Workbook.Save();
        }
        return ms.ToArray();
    }

    private static void AddSheet(WorkbookPart wb, Sheets sheets, uint id, Sheet sheet)
    {
        var part = wb.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        data.Append(Row(1, sheet.Header, 1));
        uint r = 2;
        foreach (var row in sheet.Rows) data.Append(Row(r++, row, 0));
        part.Worksheet = new Worksheet(new Columns(new Column { Min = 1, Max = (uint)Math.Max(1, sheet.Header.Length), Width = 18, CustomWidth = true }), data);
        part.Worksheet.Save();
        sheets.Append(new DocumentFormat.OpenXml.Spreadsheet.Sheet { Id = wb.GetIdOfPart(part), SheetId = id, Name = sheet.Name });
    }

    private static Row Row(uint index, string[] values, uint style)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < values.Length; i++)
        {
            var reference = $"{Column(i)}{index}";
            // Numbers stay numbers so the sheet can be sorted and summed; percentages and text stay as written.
            row.Append(decimal.TryParse(values[i], NumberStyles.Number, CultureInfo.InvariantCulture, out _) && style == 0
                ? new Cell { CellReference = reference, DataType = CellValues.Number, CellValue = new CellValue(values[i]), StyleIndex = style }
                : new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(Security.FormulaGuard.Cell(values[i]))), StyleIndex = style });
        }
        return row;
    }

    /// <summary>A, B, … Z, AA, AB, …</summary>
    private static string Column(int i) => i < 26 ? ((char)('A' + i)).ToString() : Column(i / 26 - 1) + (char)('A' + i % 26);
}
