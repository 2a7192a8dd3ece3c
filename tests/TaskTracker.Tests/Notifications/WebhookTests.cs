using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Plans;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Notifications;

/// <summary>
/// Webhooks end to end over real HTTP: registration through the API, events from real filings, delivery by the real
/// dispatcher to a real local receiver, with signatures checked, retries on the fake clock, failure and redrive.
/// </summary>
public class WebhookTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync()
    {
        _app.Settings["Notifications:BackoffBase"] = "00:01:00";
        _app.Settings["Notifications:BackoffCap"] = "00:03:00";
        _app.Settings["Notifications:MaxAttempts"] = "4";
        _app.Settings["Outbound:AllowedNetworks:0"] = "127.0.0.1/32"; // the receiver is on loopback, which is refused by default
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await ((IAsyncLifetime)_app).DisposeAsync();
    }

    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    private async Task<WebhookCreatedDto> Register(params string[] types)
    {
        var office = await As(Role.Office);
        var response = await office.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, eventTypes = types, description = "督查室接收端" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJson<WebhookCreatedDto>();
    }

    private async Task<long> FileReport(decimal value = 120)
    {
        var reporter = await As(Role.Reporter, "bigdata-bureau");
        var id = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T02-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
        var response = await reporter.PostAsJsonAsync($"/api/targets/{id}/reports", new { value, asOf = "2025-06-30" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
    }

    private Task<WebhookDelivery> Delivery(long id) => _app.WithDb(db => db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == id));

    [Fact]
    public async Task A_filed_report_reaches_the_receiver_signed_with_the_secret()
    {
        var hook = await Register(EventTypes.ReportFiled);
        Assert.Equal(64, hook.Secret.Length);
        var reportId = await FileReport();

        Assert.Equal(1, await _app.Services.DrainAsync());
        var r = Assert.Single(_receiver.Requests);
        Assert.Equal(EventTypes.ReportFiled, r.Event);
        Assert.StartsWith("application/json", r.ContentType);
        Assert.True(WebhookReceiver.SignatureValid(r, hook.Secret), "signature must verify with the secret shown at registration");
        Assert.False(WebhookReceiver.SignatureValid(r with { Body = r.Body + " " }, hook.Secret));
        Assert.Equal(_app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(), r.Timestamp);

        var body = JsonDocument.Parse(r.Body).RootElement;
        Assert.Equal("report.filed", body.GetProperty("type").GetString());
        Assert.True(body.GetProperty("eventId").GetInt64() > 0);
        Assert.Equal(reportId, body.GetProperty("data").GetProperty("id").GetInt64());
        Assert.Equal("bigdata-bureau", body.GetProperty("data").GetProperty("agency").GetProperty("code").GetString());

        var d = await Delivery(r.DeliveryId);
        Assert.Equal(DeliveryState.Delivered, d.State);
        Assert.Equal(1, d.Attempts);
        Assert.Equal(200, d.LastStatusCode);
        Assert.Null(d.LeaseOwner);
        Assert.Equal(0, await _app.Services.DrainAsync()); // nothing is sent twice
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task A_receiver_failing_twice_gets_the_event_after_backoff()
    {
        await Register();
        _receiver.Respond = r => r.Number <= 2 ? 500 : 200;
        await FileReport();

        Assert.Equal(1, await _app.Services.DrainAsync());
        var id = _receiver.Requests.Single().DeliveryId;
        var d = await Delivery(id);
        Assert.Equal((DeliveryState.Pending, 1, 500), (d.State, d.Attempts, d.LastStatusCode));
        Assert.Contains("500", d.LastError);
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime.AddMinutes(1), d.NextAttemptAtUtc);

        Assert.Equal(0, await _app.Services.DrainAsync()); // not due before the backoff has passed
        _app.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await _app.Services.DrainAsync());
        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _app.Services.DrainAsync());
        d = await Delivery(id);
        Assert.Equal((DeliveryState.Pending, 2), (d.State, d.Attempts));
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime.AddMinutes(2), d.NextAttemptAtUtc); // doubled

        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await _app.Services.DrainAsync());
        d = await Delivery(id);
        Assert.Equal((DeliveryState.Delivered, 3, 200), (d.State, d.Attempts, d.LastStatusCode));
        Assert.Null(d.LastError);
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.All(_receiver.Requests, r => Assert.Equal(id, r.DeliveryId)); // same delivery id: receivers can dedupe
    }

    [Fact]
    public async Task An_always_failing_receiver_ends_failed_visible_and_redrive_delivers_it()
    {
        var hook = await Register(EventTypes.ReportFiled);
        _receiver.Respond = _ => 503;
        await FileReport();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(1, await _app.Services.DrainAsync());
            _app.Clock.Advance(TimeSpan.FromMinutes(3)); // the cap
        }
        Assert.Equal(0, await _app.Services.DrainAsync());
        Assert.Equal(4, _receiver.Requests.Count);

        var office = await As(Role.Office);
        var failed = await (await office.GetAsync($"/api/webhooks/deliveries?state=failed&subscriptionId={hook.Id}")).ReadJson<Paged<DeliveryDto>>();
        var d = Assert.Single(failed.Items);
        Assert.Equal((DeliveryState.Failed, 4, 503), (d.State, d.Attempts, d.LastStatusCode));
        Assert.Equal("HTTP 503", d.LastError); // the receiver's body is never echoed
        Assert.Null(d.NextAttemptAtUtc);
        Assert.Equal(EventTypes.ReportFiled, d.EventType);
        Assert.Empty((await (await office.GetAsync("/api/webhooks/deliveries?state=pending")).ReadJson<Paged<DeliveryDto>>()).Items);

        _receiver.Respond = _ => 204;
        var redriven = await (await office.PostAsync($"/api/webhooks/deliveries/{d.Id}/redrive", null)).ReadJson<DeliveryDto>();
        Assert.Equal((DeliveryState.Pending, 0), (redriven.State, redriven.Attempts));
        await (await office.PostAsync($"/api/webhooks/deliveries/{d.Id}/redrive", null)).ReadProblem(409);
        Assert.Equal(1, await _app.Services.DrainAsync());
        var delivered = await (await office.GetAsync("/api/webhooks/deliveries?state=delivered")).ReadJson<Paged<DeliveryDto>>();
        Assert.Equal((d.Id, 1, 204), (delivered.Items.Single().Id, delivered.Items.Single().Attempts, delivered.Items.Single().LastStatusCode));

        var audit = await (await office.GetAsync($"/api/audit?entityType=webhook-delivery&entityId={d.Id}")).ReadJson<Paged<AuditDto>>();
        Assert.Equal("webhook.delivery.redriven", Assert.Single(audit.Items).Action);
        await (await office.PostAsync("/api/webhooks/deliveries/999999/redrive", null)).ReadProblem(404);
    }

    [Fact]
    public async Task Unreachable_receiver_and_redirects_count_as_failures()
    {
        await Register();
        _receiver.Respond = _ => 302;
        await FileReport();
        Assert.Equal(1, await _app.Services.DrainAsync());
        var d = await Delivery(_receiver.Requests.Single().DeliveryId);
        Assert.Equal((DeliveryState.Pending, 302), (d.State, d.LastStatusCode));
        Assert.Contains("redirects are not followed", d.LastError);

        await _receiver.DisposeAsync(); // nobody listening any more
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _app.Services.DrainAsync());
        d = await Delivery(d.Id);
        Assert.Equal((DeliveryState.Pending, 2), (d.State, d.Attempts));
        Assert.Null(d.LastStatusCode);
        Assert.Equal("connection failed", d.LastError); // no "Connection refused (127.0.0.1:port)" to map ports with
    }

    [Fact]
    public async Task Only_office_and_admin_manage_webhooks_and_bad_input_names_the_field()
    {
        var body = new { url = _receiver.Url, eventTypes = Array.Empty<string>() };
        await (await _app.CreateClient().PostAsJsonAsync("/api/webhooks", body)).ReadProblem(401);
        await (await _app.CreateClient().GetAsync("/api/webhooks")).ReadProblem(401);
        foreach (var (role, agency) in new[] { (Role.Reporter, "bigdata-bureau"), (Role.Viewer, (string?)null) })
        {
            var http = await As(role, agency);
            await (await http.PostAsJsonAsync("/api/webhooks", body)).ReadProblem(403);
            await (await http.GetAsync("/api/webhooks/deliveries")).ReadProblem(403);
            await (await http.DeleteAsync("/api/webhooks/1")).ReadProblem(403);
        }

        var admin = await As(Role.Admin);
        (await (await admin.PostAsJsonAsync("/api/webhooks", new { url = "ftp://example.org/hook" })).ReadProblem(400)).AssertFieldError("url");
        (await (await admin.PostAsJsonAsync("/api/webhooks", new { url = "/relative" })).ReadProblem(400)).AssertFieldError("url");
        (await (await admin.PostAsJsonAsync("/api/webhooks", new { eventTypes = new[] { "report.filed" } })).ReadProblem(400)).AssertFieldError("url");
        var unknown = await (await admin.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, eventTypes = new[] { "report.filed", "report.deleted" } })).ReadProblem(400);
        unknown.AssertFieldError("eventTypes");
        Assert.Contains("report.deleted", unknown.GetProperty("errors").GetProperty("eventTypes")[0].GetString());
        (await (await admin.GetAsync("/api/webhooks/deliveries?state=lost")).ReadProblem(400)).AssertFieldError("state");
        Assert.Equal(0, await _app.WithDb(db => db.WebhookSubscriptions.CountAsync()));

        var created = await admin.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, eventTypes = new[] { "instruction.overdue", "measure.overdue" }, description = "大屏" });
        var hook = await created.ReadJson<WebhookCreatedDto>();
        Assert.Equal($"/api/webhooks/{hook.Id}", created.Headers.Location!.OriginalString);
        var listed = await (await admin.GetAsync("/api/webhooks")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(hook.Secret, listed);
        Assert.DoesNotContain("secret", listed, StringComparison.OrdinalIgnoreCase);
        var audit = await _app.WithDb(db => db.Audit.AsNoTracking().Where(a => a.EntityType == "webhook").ToListAsync());
        Assert.Equal("webhook.created", Assert.Single(audit).Action);
        Assert.DoesNotContain(hook.Secret, audit[0].Details);

        // A report.filed event does not go to a subscription for overdue events only.
        await FileReport();
        Assert.Equal(0, await _app.WithDb(db => db.WebhookDeliveries.CountAsync()));

        var office = await As(Role.Office);
        var gone = await (await office.DeleteAsync($"/api/webhooks/{hook.Id}")).ReadJson<WebhookDto>();
        Assert.False(gone.Active);
        var all = await (await office.GetAsync("/api/webhooks")).ReadJson<List<WebhookDto>>();
        Assert.False(Assert.Single(all).Active); // kept as history
        await (await office.DeleteAsync("/api/webhooks/424242")).ReadProblem(404);
        Assert.Contains(await _app.WithDb(db => db.Audit.AsNoTracking().Where(a => a.EntityType == "webhook").Select(a => a.Action).ToListAsync()),
            a => a == "webhook.deactivated");
    }

    [Fact]
    public async Task Deactivating_a_webhook_stops_its_pending_deliveries()
    {
        var hook = await Register();
        await FileReport();
        var office = await As(Role.Office);
        await (await office.DeleteAsync($"/api/webhooks/{hook.Id}")).ReadJson<WebhookDto>();
        Assert.Equal(0, await _app.Services.DrainAsync());
        Assert.Empty(_receiver.Requests);
        var d = await _app.WithDb(db => db.WebhookDeliveries.AsNoTracking().SingleAsync());
        Assert.Equal((DeliveryState.Failed, "webhook deactivated"), (d.State, d.LastError));
        await (await office.PostAsync($"/api/webhooks/deliveries/{d.Id}/redrive", null)).ReadProblem(409);
        await FileReport(121); // no new deliveries for an inactive webhook
        Assert.Equal(1, await _app.WithDb(db => db.WebhookDeliveries.CountAsync()));
    }
}

/// <summary>Settings are checked at start-up with messages naming the setting, and the API is in the OpenAPI document.</summary>
public class NotificationSetupTests
{
    [Theory]
    [InlineData("Notifications:LeaseDuration", "00:00:15", "Notifications:LeaseDuration must be more than twice Notifications:Timeout")]
    [InlineData("Notifications:BackoffCap", "00:00:01", "Notifications:BackoffCap must be at least Notifications:BackoffBase")]
    [InlineData("Notifications:MaxAttempts", "0", "MaxAttempts")]
    [InlineData("Notifications:PollInterval", "00:00:00", "Notifications:PollInterval must be between")]
    public async Task Bad_settings_stop_the_service_at_start_with_a_clear_message(string key, string value, string message)
    {
        await using var app = new TaskTrackerApp();
        app.Settings[key] = value;
        var e = Assert.ThrowsAny<Exception>(() => app.Server);
        Assert.Contains(message, e.ToString());
    }

    [Fact]
    public async Task The_webhook_api_is_in_the_openapi_document()
    {
        await using var app = new TaskTrackerApp();
        var doc = await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json");
        foreach (var path in new[] { "\"/api/webhooks\"", "\"/api/webhooks/{id}\"", "\"/api/webhooks/deliveries\"", "\"/api/webhooks/deliveries/{id}/redrive\"" })
            Assert.Contains(path, doc);
        Assert.Contains("WebhookCreatedDto", doc);
        Assert.Contains("DeliveryDto", doc);
    }
}
