using System.Net;
using System.Text;
using TaskTracker.Common.Security;
using TaskTracker.Domain;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Hostile;

/// <summary>Text a caller typed comes out of CSV and xlsx exports as text, never as a live formula.</summary>
public class HostileFormulaTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task An_instruction_text_formula_comes_out_of_the_overdue_csv_as_text()
    {
        var office = await As(Role.Office);
        const string formula = "=HYPERLINK(\"http://x\",\"y\")";
        Assert.Equal(HttpStatusCode.Created, (await PostJson(office, "/api/plans/guizhou-2025/instructions",
            new { taskNumber = 11, agency = "comms-admin", text = formula, replyBy = "2025-07-02" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostJson(office, "/api/plans/guizhou-2025/instructions",
            new { taskNumber = 11, agency = "comms-admin", text = "@SUM(1+1)*cmd|' /C calc'!A0", replyBy = "2025-07-02" })).StatusCode);

        var response = await office.GetAsync("/api/plans/guizhou-2025/overdue?asOf=2025-07-10&format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csv = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("'=HYPERLINK(", csv);
        Assert.Contains("'@SUM(1+1)", csv);
        // No cell starts with a formula character: every line split on commas outside quotes.
        foreach (var line in csv.Split('\n').Skip(1).Where(l => l.Length > 0))
        foreach (var cell in SplitCsv(line.TrimEnd('\r')))
            Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '@' or '\t' or '\r' || (cell.StartsWith('-') && !decimal.TryParse(cell, out _)), $"live cell: {cell}");
    }

    [Fact]
    public async Task An_instruction_text_formula_comes_out_of_the_bulletin_workbook_as_text()
    {
        var office = await As(Role.Office);
        const string formula = "=WEBSERVICE(\"http://x\")";
        Assert.Equal(HttpStatusCode.Created, (await PostJson(office, "/api/plans/guizhou-2025/instructions",
            new { taskNumber = 11, agency = "comms-admin", text = formula, replyBy = "2025-07-20" })).StatusCode);

        var response = await office.GetAsync("/api/plans/guizhou-2025/bulletin.xlsx?from=2025-06-01&to=2025-07-01");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sheets = Reach.BulletinReader.Xlsx(await response.Content.ReadAsByteArrayAsync());
        var open = sheets["未办结督办事项"];
        Assert.Contains(open, row => row.Contains("'" + formula));
        Assert.DoesNotContain(sheets.Values.SelectMany(rows => rows).SelectMany(row => row), cell => cell.Length > 0 && cell[0] is '=' or '+' or '@');
        // Numbers stay numbers: the ranking's places are typed cells, read back as written.
        Assert.Equal("1", sheets["单位考核排名"][1][0]);
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-1+1", "'-1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("5G基站", "5G基站")]
    [InlineData("", "")]
    public void Cells_that_start_like_a_formula_get_an_apostrophe(string value, string expected)
    {
        Assert.Equal(expected, FormulaGuard.Cell(value));
        var rows = FormulaGuard.Rows([new() { ["a"] = value, ["n"] = -3 }]);
        Assert.Equal((expected, (object?)(-3)), ((string)rows[0]["a"]!, rows[0]["n"]));
    }

    private static IEnumerable<string> SplitCsv(string line)
    {
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { yield return cell.ToString(); cell.Clear(); }
            else cell.Append(c);
        }
        yield return cell.ToString();
    }
}
