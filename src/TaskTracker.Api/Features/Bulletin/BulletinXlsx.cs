using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Text = DocumentFormat.OpenXml.Spreadsheet.Text;


namespace TaskTracker.Features.Bulletin;

/// <summary>The bulletin's tables as a workbook, one sheet per table, in the same order and with the same text.</summary>
internal static class BulletinXlsx
{
    public static byte[] Write(BulletinContent c)
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
            var sheets = wb.Workbook.AppendChild(new Sheets());
            uint id = 1;
            var meta = new[] { new[] { "督查通报", $"《{c.Plan.TitleZh}》" }, ["发文单位", BulletinContent.IssuingOffice],
                ["统计期间", $"{c.From:yyyy-MM-dd} 后至 {c.To:yyyy-MM-dd}"], ["概述", c.Overview()] };
            AddSheet(wb, sheets, id++, "通报", ["项目", "内容"], meta);
            foreach (var (title, header, rows) in c.Tables()) AddSheet(wb, sheets, id++, title, header, rows);
            wb.Workbook.Save();
        }
        return ms.ToArray();
    }

    private static void AddSheet(WorkbookPart wb, Sheets sheets, uint id, string name, string[] header, IReadOnlyList<string[]> rows)
    {
        var part = wb.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        data.Append(Row(1, header, 1));
        uint r = 2;
        foreach (var row in rows) data.Append(Row(r++, row, 0));
        part.Worksheet = new Worksheet(new Columns(new Column { Min = 1, Max = (uint)header.Length, Width = 18, CustomWidth = true }), data);
        part.Worksheet.Save();
        sheets.Append(new Sheet { Id = wb.GetIdOfPart(part), SheetId = id, Name = name });
    }

    private static Row Row(uint index, string[] values, uint style)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < values.Length; i++)
        {
            var reference = $"{(char)('A' + i)}{index}";
            // Numbers stay numbers so the sheet can be sorted and summed; percentages and text stay as written.
            row.Append(decimal.TryParse(values[i], System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _) && style == 0
                ? new Cell { CellReference = reference, DataType = CellValues.Number, CellValue = new CellValue(values[i]), StyleIndex = style }
                : new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(values[i])), StyleIndex = style });
        }
        return row;
    }
}
