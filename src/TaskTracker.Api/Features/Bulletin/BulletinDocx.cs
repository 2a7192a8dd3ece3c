using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Text = DocumentFormat.OpenXml.Wordprocessing.Text;


namespace TaskTracker.Features.Bulletin;

/// <summary>
/// The 督查通报 as a Word document laid out like a Chinese government notice (GB/T 9704 in spirit): A4, red masthead
/// with the issuing office over a red rule, 方正小标宋简体 title, 仿宋_GB2312 body (三号), 黑体 headings, tables, the
/// office and date at the end. Fonts are named for East Asian text (w:eastAsia) as well, so Word and WPS pick them.
/// </summary>
internal static class BulletinDocx
{
    private const string Song = "方正小标宋简体";
    private const string FangSong = "仿宋_GB2312";
    private const string Hei = "黑体";
    private const string Kai = "楷体_GB2312";
    private const string Red = "C00000";

    public static byte[] Write(BulletinContent c, string number)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            AddStyles(main);
            var body = new Body();
            // Masthead: red, large, centred; then the issue line and a red rule.
            body.Append(Para(Run("督 查 通 报", Song, 88, color: Red), JustificationValues.Center, after: 120));
            body.Append(Para(Run(number, FangSong, 32), JustificationValues.Center, after: 0));
            body.Append(Para([Run(BulletinContent.IssuingOffice, FangSong, 32), Run("\u3000\u3000", FangSong, 32), Run(BulletinContent.Date(c.To), FangSong, 32)],
                JustificationValues.Center, after: 240, redRule: true));
            body.Append(Para(Run($"关于《{c.Plan.TitleZh}》落实情况的督查通报", Song, 44), JustificationValues.Center, after: 240, before: 240));
            body.Append(Para(Run("各有关单位：", FangSong, 32), JustificationValues.Left));
            body.Append(Body($"根据督查工作安排，现将{BulletinContent.Date(c.From)}后至{BulletinContent.Date(c.To)}《{c.Plan.TitleZh}》落实情况通报如下。"));

            var tables = c.Tables();
            body.Append(Heading("一、总体进展"));
            body.Append(Body(c.Overview()));
            body.Append(Table(tables[0]));
            body.Append(Heading("二、分领域进展"));
            body.Append(Table(tables[1]));
            body.Append(Heading("三、单位考核排名"));
            body.Append(Body($"按照按时报送率、完成进度、逾期事项、督办按时回复率加权计分（权重分别为{c.Assessment.Weights.OnTimeFiling:0.##}、{c.Assessment.Weights.Completion:0.##}、" +
                             $"{c.Assessment.Weights.Overdue:0.##}、{c.Assessment.Weights.InstructionReplies:0.##}），各牵头单位得分及排名如下。"));
            body.Append(Table(tables[2]));
            body.Append(Heading("四、新增逾期、本期完成和销号事项"));
            body.Append(SubHeading("（一）新增逾期事项"));
            body.Append(tables[3].Rows.Count == 0 ? Body("本期无新增逾期事项。") : Table(tables[3]));
            body.Append(SubHeading("（二）本期完成事项"));
            body.Append(tables[4].Rows.Count == 0 ? Body("本期无新完成事项。") : Table(tables[4]));
            body.Append(SubHeading("（三）本期销号事项"));
            body.Append(tables[6].Rows.Count == 0 ? Body("本期无销号事项。") : Table(tables[6]));
            body.Append(Heading("五、未办结督办事项"));
            body.Append(tables[5].Rows.Count == 0 ? Body("截至通报日，督办事项均已办结。") : Table(tables[5]));
            body.Append(Body("请各有关单位对照通报问题，逐项抓好整改落实，逾期事项请于5个工作日内报送整改情况。"));
            body.Append(Para(Run(BulletinContent.IssuingOffice, FangSong, 32), JustificationValues.Right, before: 480));
            body.Append(Para(Run(BulletinContent.Date(c.To), FangSong, 32), JustificationValues.Right));
            body.Append(new SectionProperties(
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 2098, Bottom = 1984, Left = 1588U, Right = 1474U, Header = 851U, Footer = 992U },
                new DocGrid { Type = DocGridValues.Lines, LinePitch = 579 }));
            main.Document = new Document(body);
            main.Document.Save();
        }
        return ms.ToArray();
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(Fonts(FangSong), new FontSize { Val = "32" }, new FontSizeComplexScript { Val = "32" },
                    new Languages { Val = "en-US", EastAsia = "zh-CN" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { Line = "560", LineRule = LineSpacingRuleValues.Exact }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            new Style(new StyleName { Val = "Table Grid" }, new StyleTableProperties(new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4 }, new BottomBorder { Val = BorderValues.Single, Size = 4 },
                new LeftBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 })))
            { Type = StyleValues.Table, StyleId = "TableGrid" });
        styles.Styles.Save();
    }

    private static RunFonts Fonts(string name) => new() { Ascii = name, HighAnsi = name, EastAsia = name, ComplexScript = name, Hint = FontTypeHintValues.EastAsia };

    private static Run Run(string text, string font, int halfPoints, string? color = null, bool bold = false)
    {
        var props = new RunProperties(Fonts(font));
        if (bold) props.Append(new Bold());
        if (color is not null) props.Append(new Color { Val = color });
        props.Append(new FontSize { Val = halfPoints.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new FontSizeComplexScript { Val = halfPoints.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new Run(props, new Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    private static Paragraph Para(Run run, JustificationValues align, int after = 0, int before = 0, bool redRule = false) =>
        Para([run], align, after, before, redRule);

    private static Paragraph Para(Run[] runs, JustificationValues align, int after = 0, int before = 0, bool redRule = false)
    {
        var pp = new ParagraphProperties();
        if (redRule) pp.Append(new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 18, Color = Red, Space = 6 }));
        pp.Append(new SpacingBetweenLines { Before = before.ToString(System.Globalization.CultureInfo.InvariantCulture), After = after.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        pp.Append(new Justification { Val = align });
        var p = new Paragraph(pp);
        p.Append(runs);
        return p;
    }

    /// <summary>Body text: 仿宋_GB2312 三号 (16 pt), first line indented two characters.</summary>
    private static Paragraph Body(string text) =>
        new(new ParagraphProperties(new Indentation { FirstLineChars = 200, FirstLine = "640" }, new Justification { Val = JustificationValues.Both }),
            Run(text, FangSong, 32));

    private static Paragraph Heading(string text) =>
        new(new ParagraphProperties(new KeepNext(), new Indentation { FirstLineChars = 200, FirstLine = "640" }), Run(text, Hei, 32));

    private static Paragraph SubHeading(string text) =>
        new(new ParagraphProperties(new KeepNext(), new Indentation { FirstLineChars = 200, FirstLine = "640" }), Run(text, Kai, 32));

    /// <summary>A table in 仿宋 四号 (14 pt) with a bold 黑体 header row; the caption is its title.</summary>
    private static Table Table((string Title, string[] Header, IReadOnlyList<string[]> Rows) t)
    {
        var table = new Table(new TableProperties(new TableStyle { Val = "TableGrid" }, new TableWidth { Type = TableWidthUnitValues.Pct, Width = "5000" },
            new TableJustification { Val = TableRowAlignmentValues.Center }, new TableCaption { Val = t.Title }));
        TableCell Cell(string text, bool header) => new(
            new TableCellProperties(new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }),
            new Paragraph(new ParagraphProperties(new SpacingBetweenLines { Line = "400", LineRule = LineSpacingRuleValues.Exact },
                new Justification { Val = JustificationValues.Center }), Run(text, header ? Hei : FangSong, 28)));
        table.Append(new TableRow([new TableRowProperties(new TableHeader()), .. t.Header.Select(h => Cell(h, true))]));
        foreach (var row in t.Rows) table.Append(new TableRow(row.Select(v => Cell(v, false))));
        return table;
    }
}
