using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MiniExcelLibs;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

public class BulkTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private const string Url = "/api/plans/guizhou-2025/reports/bulk";

    private static HttpContent Csv(string text, bool bom)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bom) bytes = [.. Encoding.UTF8.GetPreamble(), .. bytes];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Csv_upload_stores_every_row(bool bom)
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var csv = "measure,value,status,period,asOf,subUnit,narrative,evidence\n" +
                  "T02-1,150.5,,,2025-06-30,,上半年收入,https://example.gov.cn/a https://example.gov.cn/b\n" +
                  "M15-4,,已完成,2025-Q1,2025-03-31,,第一季度清单已发布,\n" +
                  "T03-1,45,,,2025-06-30,贵阳市,\"含逗号, 和\n换行的说明\",\n";
        var response = await http.PostAsync(Url, Csv(csv, bom));
        var result = await response.ReadJson<BulkResult>();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, result.Count);
        Assert.Equal([150.5m, (decimal?)null, 45m], result.Reports.Select(r => r.Value));
        Assert.Equal(MilestoneStatus.Done, result.Reports[1].Status);
        Assert.Equal(2, result.Reports[0].Evidence.Count);
        Assert.Equal("含逗号, 和\n换行的说明", result.Reports[2].Narrative);
        Assert.Equal((before.Reports + 3, before.Audit + 3), await Counts());
    }

    [Fact]
    public async Task Any_bad_row_rejects_the_whole_file_and_names_every_bad_row_and_column()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var csv = "measure,value,status,period,asOf\n" +
                  "T02-1,10,,,2025-06-30\n" +       // row 2: fine
                  "T02-1,-5,,,2025-06-30\n" +       // row 3: negative
                  "T11-1,10,,,2025-06-30\n" +       // row 4: another agency's target
                  "NOPE,1,,,2025-06-30\n" +         // row 5: unknown measure
                  "T02-1,abc,,,2025-13-01\n" +      // row 6: not a number, not a date
                  "M20-1,,finished,,2025-06-30\n";  // row 7: bad status
        var problem = await (await http.PostAsync(Url, Csv(csv, false))).ReadProblem(400);
        foreach (var field in new[] { "rows[3].value", "rows[4].measure", "rows[5].measure", "rows[6].value", "rows[6].asOf", "rows[7].status" })
            problem.AssertFieldError(field);
        Assert.False(problem.GetProperty("errors").TryGetProperty("rows[2].value", out _));
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Xlsx_upload_as_multipart_file()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        using var sheet = new MemoryStream();
        MiniExcel.SaveAs(sheet, new[]
        {
            new Dictionary<string, object?> { ["measure"] = "T02-1", ["value"] = 160, ["asOf"] = new DateTime(2025, 6, 30), ["narrative"] = "Excel 上报" },
            new Dictionary<string, object?> { ["measure"] = "M20-1", ["value"] = null, ["asOf"] = "2025-06-30", ["narrative"] = "进行中" },
        }, excelType: ExcelType.XLSX);
        // The second row lacks a status: the whole upload is refused.
        var form = new MultipartFormDataContent { { new ByteArrayContent(sheet.ToArray()), "file", "reports.xlsx" } };
        (await (await http.PostAsync(Url, form)).ReadProblem(400)).AssertFieldError("rows[3].status");

        using var good = new MemoryStream();
        MiniExcel.SaveAs(good, new[] { new Dictionary<string, object?> { ["measure"] = "T02-1", ["value"] = 160, ["asOf"] = new DateTime(2025, 6, 30) } }, excelType: ExcelType.XLSX);
        var ok = await http.PostAsync(Url, new MultipartFormDataContent { { new ByteArrayContent(good.ToArray()), "file", "reports.xlsx" } });
        var result = await ok.ReadJson<BulkResult>();
        Assert.Equal(160m, Assert.Single(result.Reports).Value);
        Assert.Equal(new DateOnly(2025, 6, 30), result.Reports[0].AsOf);
    }

    [Fact]
    public async Task Unreadable_files_and_unknown_columns_are_400()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        (await (await http.PostAsync(Url, Csv("measure,valeu\nT02-1,1\n", false))).ReadProblem(400)).AssertFieldError("file");
        (await (await http.PostAsync(Url, Csv("measure,value\n", false))).ReadProblem(400)).AssertFieldError("file");
        var junk = new ByteArrayContent([1, 2, 3, 4]);
        junk.Headers.ContentType = new MediaTypeHeaderValue(Files.XlsxType);
        (await (await http.PostAsync(Url, junk)).ReadProblem(400)).AssertFieldError("file");
        await (await http.PostAsync(Url, new StringContent("{}", Encoding.UTF8, "application/json"))).ReadProblem(415);
        (await (await http.PostAsync(Url, new MultipartFormDataContent { { new StringContent("x"), "other" } })).ReadProblem(400)).AssertFieldError("file");
    }

    [Fact]
    public async Task Templates_list_the_callers_measures()
    {
        var reporter = await As(Role.Reporter, "comms-admin");
        var csv = await reporter.GetAsync("/api/plans/guizhou-2025/reports/template.csv");
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("measure,value,status,period,asOf,subUnit,narrative,evidence", text);
        Assert.Contains("T11-1", text);
        Assert.DoesNotContain("T02-1", text);

        var xlsx = await (await As(Role.Viewer)).GetAsync("/api/plans/guizhou-2025/reports/template.xlsx");
        Assert.Equal(Files.XlsxType, xlsx.Content.Headers.ContentType!.MediaType);
        var rows = MiniExcel.Query(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()), useHeaderRow: true, excelType: ExcelType.XLSX).ToList();
        Assert.True(rows.Count > 100);
        // A filled-in template uploads as is (guidance columns are ignored).
        var filled = text.Replace("T11-1,,,,,", "T11-1,2000,,,2025-06-30,");
        var result = await (await reporter.PostAsync(Url, Csv(filled, true))).ReadJson<BulkResult>();
        Assert.Equal(2000m, Assert.Single(result.Reports).Value);
    }

    [Fact]
    public async Task Bulk_needs_a_reporter_token()
    {
        await (await App.CreateClient().PostAsync(Url, Csv("measure,value\nT02-1,1\n", false))).ReadProblem(401);
        await (await (await As(Role.Office)).PostAsync(Url, Csv("measure,value\nT02-1,1\n", false))).ReadProblem(403);
        await (await (await As(Role.Reporter, "bigdata-bureau")).PostAsync("/api/plans/nope/reports/bulk", Csv("measure,value,asOf\nT02-1,1,2025-06-30\n", false))).ReadProblem(404);
    }
}
