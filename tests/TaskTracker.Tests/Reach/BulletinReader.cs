using System.Diagnostics;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace TaskTracker.Tests.Reach;

/// <summary>Reads the bulletin back: the .docx's text, tables (by caption) and fonts; the .xlsx's sheets; a LibreOffice rendering.</summary>
public static class BulletinReader
{
    public sealed record DocxContent(string Text, Dictionary<string, List<string[]>> Tables, HashSet<string> EastAsiaFonts);

    public static DocxContent Docx(byte[] bytes)
    {
        using var doc = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var body = doc.MainDocumentPart!.Document!.Body!;
        var tables = body.Elements<W.Table>().ToDictionary(
            t => t.GetFirstChild<W.TableProperties>()!.GetFirstChild<W.TableCaption>()!.Val!.Value!,
            t => t.Elements<W.TableRow>().Select(r => r.Elements<W.TableCell>().Select(c => c.InnerText).ToArray()).ToList());
        var fonts = doc.MainDocumentPart.Document.Descendants<W.RunFonts>().Select(f => f.EastAsia?.Value)
            .Concat(doc.MainDocumentPart.StyleDefinitionsPart!.Styles!.Descendants<W.RunFonts>().Select(f => f.EastAsia?.Value))
            .Where(f => f is not null).Select(f => f!).ToHashSet();
        var text = string.Join("\n", body.Elements<W.Paragraph>().Select(p => p.InnerText));
        return new DocxContent(text, tables, fonts);
    }

    public static Dictionary<string, List<string[]>> Xlsx(byte[] bytes)
    {
        using var doc = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var wb = doc.WorkbookPart!;
        var result = new Dictionary<string, List<string[]>>();
        foreach (var sheet in wb.Workbook!.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)wb.GetPartById(sheet.Id!.Value!);
            result[sheet.Name!.Value!] = part.Worksheet!.Descendants<Row>()
                .Select(r => r.Elements<Cell>().Select(c => c.DataType?.Value == CellValues.InlineString ? c.InlineString!.InnerText : c.CellValue!.Text).ToArray())
                .ToList();
        }
        return result;
    }

    public sealed record Rendered(string Pdf, string Png, string Text);

    /// <summary>
    /// Converts the .docx with LibreOffice (soffice --headless --convert-to pdf) and its first page to PNG with pdftoppm,
    /// into TestResults/bulletin/ where they stay as artifacts to look at.
    /// </summary>
    public static async Task<Rendered> RenderAsync(byte[] docx, string name)
    {
        var root = Environment.GetEnvironmentVariable("TEST_RESULTS_DIR") is { Length: > 0 } r ? r : Path.Combine(AppContext.BaseDirectory, "TestResults");
        var provider = Environment.GetEnvironmentVariable("TASKTRACKER_TEST_PROVIDER") is { Length: > 0 } p ? p : "sqlite";
        var dir = Path.Combine(root, "bulletin");
        Directory.CreateDirectory(dir);
        var stem = $"{name}-{provider}";
        var file = Path.Combine(dir, stem + ".docx");
        await File.WriteAllBytesAsync(file, docx);
        var profile = Infrastructure.TestPaths.NewTempDir("lo-profile");
        try
        {
            await RunAsync("soffice", ["-env:UserInstallation=" + new Uri(profile).AbsoluteUri, "--headless", "--convert-to", "pdf", "--outdir", dir, file]);
        }
        finally
        {
            Infrastructure.TestPaths.TryDelete(profile);
        }
        var pdf = Path.Combine(dir, stem + ".pdf");
        Assert.True(File.Exists(pdf), $"LibreOffice wrote no {pdf}");
        await RunAsync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf, Path.Combine(dir, stem)]);
        var text = await RunAsync("pdftotext", ["-layout", pdf, "-"]);
        return new Rendered(pdf, Path.Combine(dir, stem + ".png"), text);
    }

    private static async Task<string> RunAsync(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
