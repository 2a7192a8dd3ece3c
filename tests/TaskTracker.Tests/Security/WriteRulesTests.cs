using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Access;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Security;

/// <summary>Idempotency-Key on every POST that creates something; reviews follow their documented transitions.</summary>
public class WriteRulesTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    private static async Task<(HttpResponseMessage First, HttpResponseMessage Second)> Twice(HttpClient http, string url, object body, string key) =>
        (await PostJson(http, url, body, key), await PostJson(http, url, body, key));

    private static int Id(string json) => JsonDocument.Parse(json).RootElement.TryGetProperty("id", out var id)
        ? id.GetInt32() : JsonDocument.Parse(json).RootElement.GetProperty("info").GetProperty("id").GetInt32();

    [Fact]
    public async Task Issuing_an_instruction_twice_with_one_key_issues_it_once()
    {
        var office = await As(Role.Office);
        var before = await App.WithDb(db => db.Instructions.CountAsync());
        var (first, second) = await Twice(office, "/api/plans/guizhou-2025/instructions",
            new { taskNumber = 11, agency = "comms-admin", text = "请报送进度", replyBy = "2025-09-30" }, "instr-1");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(Id(await first.Content.ReadAsStringAsync()), Id(await second.Content.ReadAsStringAsync()));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(before + 1, await App.WithDb(db => db.Instructions.CountAsync()));
        // The same key with another body is refused.
        await (await PostJson(office, "/api/plans/guizhou-2025/instructions",
            new { taskNumber = 11, agency = "comms-admin", text = "另一条", replyBy = "2025-09-30" }, "instr-1")).ReadProblem(422);

        // A reply is a write too: one thread entry for two sends.
        var id = Id(await first.Content.ReadAsStringAsync());
        var comms = await As(Role.Reporter, "comms-admin");
        var (r1, r2) = await Twice(comms, $"/api/instructions/{id}/replies", new { text = "已整改" }, "reply-1");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (r1.StatusCode, r2.StatusCode));
        Assert.Equal(1, await App.WithDb(db => db.InstructionEntries.CountAsync(e => e.InstructionId == id && e.Kind == InstructionEntryKind.Reply)));
        var (d1, d2) = await Twice(office, $"/api/instructions/{id}/decisions", new { action = "close" }, "close-1");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (d1.StatusCode, d2.StatusCode));
    }

    [Fact]
    public async Task Registering_a_webhook_twice_with_one_key_registers_it_once()
    {
        var office = await As(Role.Office);
        var before = await App.WithDb(db => db.WebhookSubscriptions.CountAsync());
        var (first, second) = await Twice(office, "/api/webhooks", new { url = "https://hooks.example.gov.cn/a" }, "hook-1");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal(Id(await first.Content.ReadAsStringAsync()), Id(await second.Content.ReadAsStringAsync()));
        Assert.Equal(before + 1, await App.WithDb(db => db.WebhookSubscriptions.CountAsync()));
    }

    [Fact]
    public async Task Creating_a_token_twice_with_one_key_creates_it_once_and_never_stores_its_secret()
    {
        var admin = await As(Role.Admin);
        var before = await App.WithDb(db => db.Tokens.CountAsync());
        var (first, second) = await Twice(admin, "/api/tokens", new { role = "viewer", name = "大屏" }, "token-1");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        var secret = (await first.ReadJson<CreatedToken>()).Token;
        var replay = await second.ReadJson<CreatedToken>();
        Assert.Equal(Id(await first.Content.ReadAsStringAsync()), replay.Info.Id);
        Assert.Equal(TokenEndpoints.ReplayedSecret, replay.Token);
        Assert.Equal(before + 1, await App.WithDb(db => db.Tokens.CountAsync()));
        Assert.False(await App.WithDb(db => db.IdempotencyRecords.AnyAsync(r => r.ResponseBody!.Contains(secret))));
    }

    [Fact]
    public async Task Uploading_a_plan_draft_twice_with_one_key_makes_one_draft()
    {
        var office = await As(Role.Office);
        var body = new { code = "idem-2026", text = "贵州省样例县2026年工作要点\n\n一、政务服务\n\n（一）建设政务服务平台。建成县级政务服务平台。（责任单位：省大数据局）\n" };
        var (first, second) = await Twice(office, "/api/plan-drafts", body, "draft-1");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await App.WithDb(db => db.Audit.CountAsync(a => a.Action == "plan-draft.uploaded" && a.EntityId == "idem-2026")));
        // Without the key, the same upload meets its own draft.
        await (await PostJson(office, "/api/plan-drafts", body)).ReadProblem(409);
    }

    private async Task<ReportDto> Review(ReportDto report, string decision, int expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review")
        { Content = JsonContent.Create(new { decision, comment = "意见" }) };
        request.Headers.TryAddWithoutValidation("If-Match", report.ETag);
        var response = await (await As(Role.Office)).SendAsync(request);
        if (expected != 200) { await response.ReadProblem(expected); return report; }
        return await response.ReadJson<ReportDto>();
    }

    [Fact]
    public async Task A_review_is_final_and_a_correction_is_reviewed_in_its_own_right()
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var report = await (await PostJson(reporter, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(8))).ReadJson<ReportDto>();
        var accepted = await Review(report, "accept", 200);
        await Review(accepted, "return", 409);   // no flipping, even with the current ETag
        await Review(accepted, "accept", 409);
        var returned = await Review(await (await PostJson(reporter, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(9))).ReadJson<ReportDto>(), "return", 200);
        await Review(returned, "accept", 409);
        var correction = await (await PostJson(reporter, $"/api/reports/{returned.Id}/corrections", new { value = 10, asOf = "2025-06-30", reason = "补正" })).ReadJson<ReportDto>();
        await Review(correction, "accept", 200);
        Assert.Equal(1, await App.WithDb(db => db.Audit.CountAsync(a => a.EntityId == accepted.Id.ToString() && a.Action == "report.reviewed")));
    }
}

/// <summary>
/// A correction committed between the review's check and its save. The test commits one, from another connection, at
/// the first moment a window could exist: after a superseded-check query run outside any transaction, or (PostgreSQL,
/// where BEGIN takes no lock) when the review's transaction starts. The review must then refuse (409). Where no such
/// moment exists (SQLite: the check is the conditional UPDATE under the write lock taken at BEGIN), there is no window
/// and the review goes through.
/// </summary>
public sealed class ReviewRaceTests : IAsyncLifetime
{
    private sealed class RaceApp : TaskTrackerApp
    {
        public readonly CorrectionInTheWindow Interceptor = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s =>
            {
                s.ConfigureDbContext<Data.SqliteTaskTrackerDb>(o => o.AddInterceptors(Interceptor));
                s.ConfigureDbContext<Data.PostgresTaskTrackerDb>(o => o.AddInterceptors(Interceptor));
            });
        }
    }

    public sealed class CorrectionInTheWindow : IDbCommandInterceptor, IDbTransactionInterceptor
    {
        private int _armed;
        public bool Fired { get; private set; }
        public Func<Task>? OnWindow { get; set; }
        public void Arm() => Volatile.Write(ref _armed, 1);

        private async Task FireAsync()
        {
            if (Interlocked.Exchange(ref _armed, 0) != 1 || OnWindow is not { } window) return;
            Fired = true;
            await window();
        }

        public async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            // A superseded-check: SupersedesId in a WHERE clause (a plain load of the report only selects the column).
            var where = command.CommandText.IndexOf("WHERE", StringComparison.Ordinal);
            if (command.Transaction is null && where >= 0 && command.CommandText.IndexOf("SupersedesId", where, StringComparison.Ordinal) >= 0)
                await FireAsync();
            return result;
        }

        public async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
            CancellationToken cancellationToken = default)
        {
            // On SQLite BEGIN takes the write lock: from here on the review holds it, and reads after its commit are no window.
            if (connection is Npgsql.NpgsqlConnection) await FireAsync();
            else Volatile.Write(ref _armed, 0);
            return result;
        }
    }

    private readonly RaceApp _app = new();
    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_correction_committed_during_the_review_leaves_no_review_on_the_replaced_report()
    {
        var reporter = _app.ClientWith(await _app.TokenAsync(Role.Reporter, "bigdata-bureau"));
        var target = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T03-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var report = await (await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 3, asOf = "2025-06-30" })).ReadJson<ReportDto>();
        _app.Interceptor.OnWindow = async () =>
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>();
            var original = await db.Reports.AsNoTracking().SingleAsync(r => r.Id == report.Id);
            db.Reports.Add(new ProgressReport
            {
                PlanId = original.PlanId, MeasureId = original.MeasureId, AgencyId = original.AgencyId, Value = 4, AsOf = original.AsOf,
                FiledAtUtc = original.FiledAtUtc, SupersedesId = original.Id, CorrectionReason = "race",
            });
            await db.SaveChangesAsync();
        };
        _app.Interceptor.Arm();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{report.Id}/review") { Content = JsonContent.Create(new { decision = "accept" }) };
        request.Headers.TryAddWithoutValidation("If-Match", report.ETag);
        var response = await _app.ClientWith(await _app.TokenAsync(Role.Office)).SendAsync(request);

        if (!_app.Interceptor.Fired)
        {
            // No window: the review's check and save were one statement under the write lock.
            Assert.False(_app.IsPostgres, "on PostgreSQL the review's transaction start must have let the correction in");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return;
        }
        await response.ReadProblem(409);
        var stored = await _app.WithDb(db => db.Reports.AsNoTracking().SingleAsync(r => r.Id == report.Id));
        Assert.Equal((ReviewStatus.Submitted, 1), (stored.ReviewStatus, stored.Version));
        Assert.True(await _app.WithDb(db => db.Reports.AnyAsync(r => r.SupersedesId == report.Id)));
        Assert.False(await _app.WithDb(db => db.Audit.AnyAsync(a => a.EntityId == report.Id.ToString() && a.Action == "report.reviewed")));
    }
}
