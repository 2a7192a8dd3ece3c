using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Hostile;

/// <summary>Spreadsheet uploads that are small on the wire and large once opened: refused early, nothing stored.</summary>
public class HostileArchiveTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Url = "/api/plans/guizhou-2025/reports/bulk";

    private static byte[] Workbook(IEnumerable<Dictionary<string, object?>> rows)
    {
        using var ms = new MemoryStream();
        MiniExcel.SaveAs(ms, rows, excelType: ExcelType.XLSX);
        return ms.ToArray();
    }

    private static Dictionary<string, object?> Good => new() { ["measure"] = "T02-1", ["value"] = 160, ["asOf"] = new DateTime(2025, 6, 30) };

    private async Task<HttpResponseMessage> Upload(byte[] file)
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        return await http.PostAsync(Url, new MultipartFormDataContent { { new ByteArrayContent(file), "file", "reports.xlsx" } });
    }

    [Fact]
    public async Task A_workbook_that_expands_past_the_limit_is_refused_with_413()
    {
        // A valid workbook plus one highly compressible part: about 100 KiB on the wire, 60 MiB inflated.
        using var ms = new MemoryStream();
        ms.Write(Workbook([Good]));
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var part = zip.CreateEntry("xl/media/padding.bin", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 60; i++) part.Write(zeros);
        }
        Assert.True(ms.Length < 1024 * 1024, $"the bomb is {ms.Length} bytes on the wire");
        var before = await Counts();
        var problem = await (await Upload(ms.ToArray())).ReadProblem(413);
        Assert.Contains("MiB", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Blank_rows_count_against_the_row_limit()
    {
        // One real row after 5,000 blank ones: the blank rows are work too.
        var rows = Enumerable.Range(0, 5000).Select(_ => new Dictionary<string, object?> { ["measure"] = null, ["value"] = null, ["asOf"] = null })
            .Append(Good).ToList();
        var before = await Counts();
        var problem = await (await Upload(Workbook(rows))).ReadProblem(400);
        problem.AssertFieldError("file");
        Assert.Contains("blank rows included", problem.GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Blank_csv_lines_count_against_the_row_limit()
    {
        var csv = "measure,value,asOf\n" + string.Concat(Enumerable.Repeat(",,\n", 5000)) + "T02-1,160,2025-06-30\n";
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var problem = await (await http.PostAsync(Url, new StringContent(csv, Encoding.UTF8, "text/csv"))).ReadProblem(400);
        problem.AssertFieldError("file");
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_workbook_with_thousands_of_parts_is_refused_with_413()
    {
        using var ms = new MemoryStream();
        ms.Write(Workbook([Good]));
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
            for (var i = 0; i < 300; i++) zip.CreateEntry($"xl/media/p{i}.bin");
        await (await Upload(ms.ToArray())).ReadProblem(413);
    }

    [Fact]
    public async Task A_normal_workbook_still_files()
    {
        var response = await Upload(Workbook([Good]));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
