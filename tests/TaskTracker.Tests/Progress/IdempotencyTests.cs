using System.Net;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Progress;

public class IdempotencyTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Fact]
    public async Task Retry_with_the_same_key_and_body_replays_and_creates_nothing()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var url = $"/api/targets/{await MeasureId("T11-2")}/reports";
        var key = Guid.NewGuid().ToString();
        var first = await PostJson(http, url, TargetBody(42000), key);
        var created = await first.ReadJson<ReportDto>();
        var before = await Counts();
        var retry = await PostJson(http, url, TargetBody(42000), key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(created.Id, (await retry.ReadJson<ReportDto>()).Id);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_422()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var url = $"/api/targets/{await MeasureId("T11-2")}/reports";
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, url, TargetBody(1000), key)).StatusCode);
        var before = await Counts();
        (await (await PostJson(http, url, TargetBody(2000), key)).ReadProblem(422)).AssertFieldError("Idempotency-Key");
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Key_still_in_flight_is_409_and_an_abandoned_one_is_taken_over()
    {
        var token = await App.TokenAsync(Role.Reporter, "comms-admin");
        var http = App.ClientWith(token);
        var url = $"/api/targets/{await MeasureId("T11-3")}/reports";
        var key = Guid.NewGuid().ToString();
        // Simulate a request from this token that claimed the key and is still running.
        var tokenId = await App.WithDb(db => db.Tokens.Where(t => t.Hash == Features.Access.TokenService.Hash(token)).Select(t => t.Id).SingleAsync());
        var body = System.Text.Json.JsonSerializer.Serialize(TargetBody(800));
        var first = await PostRaw(http, url, body, key); // learn the request hash the server computes
        var stored = await App.WithDb(db => db.IdempotencyRecords.SingleAsync(r => r.TokenId == tokenId && r.Key == key));
        await App.WithDb(db => db.IdempotencyRecords.Where(r => r.Id == stored.Id).ExecuteDeleteAsync());
        await App.WithDb(async db =>
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                TokenId = tokenId, Key = key, Route = url, RequestHash = stored.RequestHash, State = IdempotencyState.InFlight,
                CreatedAtUtc = App.Clock.GetUtcNow().UtcDateTime,
            });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var before = await Counts();
        (await (await PostRaw(http, url, body, key)).ReadProblem(409)).AssertFieldError("Idempotency-Key");
        Assert.Equal(before, await Counts());

        App.Clock.Advance(TimeSpan.FromMinutes(1)); // the claim's lease runs out: its request died before committing
        var retried = await PostRaw(http, url, body, key);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(before.Reports + 1, (await Counts()).Reports);
        var replay = await PostRaw(http, url, body, key);
        Assert.Equal((await retried.ReadJson<ReportDto>()).Id, (await replay.ReadJson<ReportDto>()).Id);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_report()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var url = $"/api/targets/{await MeasureId("T11-1")}/reports";
        var key = Guid.NewGuid().ToString();
        var before = await Counts();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostJson(http, url, TargetBody(5000), key)));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(before.Reports + 1, (await Counts()).Reports);
    }

    [Fact]
    public async Task A_rejected_request_frees_its_key()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var url = $"/api/targets/{await MeasureId("T11-1")}/reports";
        var key = Guid.NewGuid().ToString();
        await (await PostJson(http, url, new { value = -1, asOf = "2025-06-30" }, key)).ReadProblem(400);
        Assert.Equal(HttpStatusCode.Created, (await PostJson(http, url, TargetBody(3), key)).StatusCode);
    }

    [Fact]
    public async Task Malformed_key_is_400()
    {
        var http = await As(Role.Reporter, "comms-admin");
        var url = $"/api/targets/{await MeasureId("T11-1")}/reports";
        (await (await PostJson(http, url, TargetBody(3), new string('k', 256))).ReadProblem(400)).AssertFieldError("Idempotency-Key");
    }
}
