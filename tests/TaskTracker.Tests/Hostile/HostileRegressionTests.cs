using System.Net;
using System.Text;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Hostile;

/// <summary>Focused regression tests for the defects the hostile-input suite found (each was a 500).</summary>
public class HostileRegressionTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private static HttpRequestMessage Post(string url, string body, string contentType)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        r.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return r;
    }

    [Theory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=")]
    public async Task A_JSON_body_in_an_unknown_charset_is_415_and_writes_nothing(string contentType)
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var response = await http.SendAsync(Post($"/api/targets/{await MeasureId("T02-1")}/reports", """{"value": 1, "asOf": "2025-06-30"}""", contentType));
        (await response.ReadProblem(415)).AssertFieldError("Content-Type");
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_quoted_charset_is_read_like_the_unquoted_one()
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var response = await http.SendAsync(Post($"/api/targets/{await MeasureId("T02-1")}/reports", """{"value": 2, "asOf": "2025-06-30"}""", "application/json; charset=\"utf-8\""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task An_If_Match_naming_an_id_too_large_for_a_long_is_412()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var report = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(3))).ReadJson<ReportDto>();
        var office = await As(Role.Office);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { decision = "accept" }),
            Headers = { { "If-Match", "\"r99999999999999999999999-v1\"" } },
        };
        await (await office.SendAsync(request)).ReadProblem(412);
    }

    [Theory]
    [InlineData("multipart/form-data", "--x\r\n\r\n")]
    [InlineData("multipart/form-data; boundary=zzz", "garbage without boundaries")]
    [InlineData("multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nmeasure")]
    public async Task An_unreadable_multipart_upload_is_400_naming_the_file(string contentType, string body)
    {
        var http = await As(Role.Reporter, "bigdata-bureau");
        var before = await Counts();
        var response = await http.SendAsync(Post("/api/plans/guizhou-2025/reports/bulk", body, contentType));
        (await response.ReadProblem(400)).AssertFieldError("file");
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_token_expiring_on_the_last_representable_day_is_400_naming_expires()
    {
        var admin = await As(Role.Admin);
        var response = await PostJson(admin, "/api/tokens", new { role = "viewer", expires = "9999-12-31" });
        (await response.ReadProblem(400)).AssertFieldError("expires");
    }
}

/// <summary>NUL characters that reached PostgreSQL (which refuses them in text) were 500s there.</summary>
public class NulCharacterTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Theory]
    [InlineData("/api/plans/guizhou-2025/tasks?q=a%00b", "q")]
    [InlineData("/api/plans/guizhou-2025/tasks?agency=%00", "agency")]
    [InlineData("/api/plans/guizhou-2025/overdue?agency=a%00b", "agency")]
    [InlineData("/api/audit?entityType=%00", "entityType")]
    public async Task A_NUL_in_a_query_value_is_400_naming_the_parameter(string url, string field)
    {
        var office = await As(Role.Office);
        (await (await office.GetAsync(url)).ReadProblem(400)).AssertFieldError(field);
    }

    [Theory]
    [InlineData("measureCode")]
    [InlineData("agency")]
    public async Task A_NUL_in_an_instruction_code_is_400_naming_the_field(string field)
    {
        var office = await As(Role.Office);
        var body = new Dictionary<string, object> { ["measureCode"] = "T02-1", ["agency"] = "bigdata-bureau", ["text"] = "请说明", ["replyBy"] = "2025-09-30" };
        body[field] = "a\0b";
        var before = await App.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Instructions));
        (await (await PostJson(office, "/api/plans/guizhou-2025/instructions", body)).ReadProblem(400)).AssertFieldError(field);
        Assert.Equal(before, await App.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Instructions)));
    }

    [Theory]
    [InlineData("agency")]
    [InlineData("name")]
    public async Task A_NUL_in_a_token_request_is_400_naming_the_field(string field)
    {
        var admin = await As(Role.Admin);
        var body = new Dictionary<string, object> { ["role"] = "reporter", ["agency"] = "bigdata-bureau", ["name"] = "x" };
        body[field] = "a\0b";
        (await (await PostJson(admin, "/api/tokens", body)).ReadProblem(400)).AssertFieldError(field);
    }
}

/// <summary>A page number times the page size overflowed int into a negative OFFSET.</summary>
public class PagingOverflowTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Theory]
    [InlineData("/api/plans/guizhou-2025/tasks?page=2147483647&pageSize=200")]
    [InlineData("/api/plans/guizhou-2025/tasks?page=1000000000")]
    [InlineData("/api/audit?page=2147483647&pageSize=500")]
    public async Task A_page_far_past_the_end_is_empty(string url)
    {
        var office = await As(Role.Office);
        var response = await office.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_deliveries_page_far_past_the_end_is_empty()
    {
        // One pending delivery, so an offset wrapped to a negative number (read as 0 by SQLite) would show it.
        var office = await As(Role.Office);
        var hook = await PostJson(office, "/api/webhooks", new { url = "https://hooks.example.gov.cn/hook", eventTypes = new[] { "report.filed" } });
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        Assert.Equal(HttpStatusCode.Created, (await PostJson(reporter, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(3))).StatusCode);

        var response = await office.GetAsync("/api/webhooks/deliveries?page=2147483647&pageSize=500");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        var page = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.True(page.GetProperty("total").GetInt32() >= 1);
        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
    }
}
