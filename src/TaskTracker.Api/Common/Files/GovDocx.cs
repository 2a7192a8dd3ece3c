using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace TaskTracker.Common;

/// <summary>
/// The house's .docx building blocks, laid out like a Chinese government document (GB/T 9704 in spirit): A4 with the
/// standard margins and a 22-line grid, 方正小标宋简体 titles, 仿宋_GB2312 body (三号), 黑体 and 楷体_GB2312 headings,
/// tables with a 黑体 header row. Fonts are named for East Asian text (w:eastAsia) as well, so Word and WPS pick them.
/// What a document says stays with its module.
/// </summary>
internal static class GovDocx
{
    public const string Song = "方正小标宋简体";
    public const string FangSong = "仿宋_GB2312";
    public const string Hei = "黑体";
    public const string Kai = "楷体_GB2312";
    public const string Red = "C00000";

    /// <summary>A document whose body <paramref name="content"/> fills, with the house styles and an A4 page.</summary>
    public static byte[] Write(Action<Body> content)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            AddStyles(main);
            var body = new Body();
            content(body);
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

    /// <summary>Text in one font and size (half-points: 32 is 三号, 16 pt).</summary>
    public static Run Run(string text, string font, int halfPoints, string? color = null, bool bold = false)
    {
        var props = new RunProperties(Fonts(font));
        if (bold) props.Append(new Bold());
        if (color is not null) props.Append(new Color { Val = color });
        props.Append(new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) },
            new FontSizeComplexScript { Val = halfPoints.ToString(CultureInfo.InvariantCulture) });
        return new Run(props, new DocumentFormat.OpenXml.Wordprocessing.Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    public static Paragraph Para(Run run, JustificationValues align, int after = 0, int before = 0, bool redRule = false) =>
        Para([run], align, after, before, redRule);

    /// <summary>A paragraph of runs, aligned, with spacing in twentieths of a point; <paramref name="redRule"/> draws the red rule under a masthead.</summary>
    public static Paragraph Para(Run[] runs, JustificationValues align, int after = 0, int before = 0, bool redRule = false)
    {
        var pp = new ParagraphProperties();
        if (redRule) pp.Append(new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 18, Color = Red, Space = 6 }));
        pp.Append(new SpacingBetweenLines { Before = before.ToString(CultureInfo.InvariantCulture), After = after.ToString(CultureInfo.InvariantCulture) });
        pp.Append(new Justification { Val = align });
        var p = new Paragraph(pp);
        p.Append(runs);
        return p;
    }

    /// <summary>Body text: 仿宋_GB2312 三号 (16 pt), first line indented two characters.</summary>
    public static Paragraph BodyText(string text) =>
        new(new ParagraphProperties(new Indentation { FirstLineChars = 200, FirstLine = "640" }, new Justification { Val = JustificationValues.Both }),
            Run(text, FangSong, 32));

    /// <summary>A first-level heading (一、…): 黑体, kept with what follows.</summary>
    public static Paragraph Heading(string text) =>
        new(new ParagraphProperties(new KeepNext(), new Indentation { FirstLineChars = 200, FirstLine = "640" }), Run(text, Hei, 32));

    /// <summary>A second-level heading (（一）…): 楷体_GB2312, kept with what follows.</summary>
    public static Paragraph SubHeading(string text) =>
        new(new ParagraphProperties(new KeepNext(), new Indentation { FirstLineChars = 200, FirstLine = "640" }), Run(text, Kai, 32));

    /// <summary>A table in 仿宋 四号 (14 pt) with a 黑体 header row repeated on every page; the caption is its title.</summary>
    public static Table Table(string title, string[] header, IReadOnlyList<string[]> rows)
    {
        var table = new Table(new TableProperties(new TableStyle { Val = "TableGrid" }, new TableWidth { Type = TableWidthUnitValues.Pct, Width = "5000" },
            new TableJustification { Val = TableRowAlignmentValues.Center }, new TableCaption { Val = title }));
        TableCell Cell(string text, bool isHeader) => new(
            new TableCellProperties(new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }),
            new Paragraph(new ParagraphProperties(new SpacingBetweenLines { Line = "400", LineRule = LineSpacingRuleValues.Exact },
                new Justification { Val = JustificationValues.Center }), Run(text, isHeader ? Hei : FangSong, 28)));
        table.Append(new TableRow([new TableRowProperties(new TableHeader()), .. header.Select(h => Cell(h, true))]));
        foreach (var row in rows) table.Append(new TableRow(row.Select(v => Cell(v, false))));
        return table;
    }
}
