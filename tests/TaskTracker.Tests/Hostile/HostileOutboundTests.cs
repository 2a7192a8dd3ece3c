using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Plans;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Notifications;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Hostile;

/// <summary>
/// Outbound requests on a default configuration (no allowlist): only public destinations, checked on the address
/// actually connected to, with errors that give nothing away.
/// </summary>
public class HostileOutboundTests(TaskTrackerApp app) : ProgressTestBase(app), IClassFixture<TaskTrackerApp>
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://127.0.0.1:22/")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://2130706433:5432/")]
    [InlineData("http://0x7f.1/")]
    [InlineData("http://017700000001/")]
    [InlineData("http://[::ffff:127.0.0.1]:6379/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd00::1]/")]
    [InlineData("http://0/")]
    [InlineData("http://localhost:5432/")]
    [InlineData("http://db.localhost/")]
    public async Task Registration_refuses_a_literal_address_that_is_not_public(string url)
    {
        var office = await As(Role.Office);
        var before = await App.WithDb(db => db.WebhookSubscriptions.CountAsync());
        var problem = await (await office.PostAsJsonAsync("/api/webhooks", new { url })).ReadProblem(400);
        problem.AssertFieldError("url");
        Assert.Equal(before, await App.WithDb(db => db.WebhookSubscriptions.CountAsync()));
    }

    [Theory]
    [InlineData("https://oapi.dingtalk.com/robot/send?access_token=abc")]
    [InlineData("http://8.8.8.8/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    public async Task Registration_accepts_public_destinations(string url)
    {
        var office = await As(Role.Office);
        Assert.Equal(HttpStatusCode.Created, (await office.PostAsJsonAsync("/api/webhooks", new { url })).StatusCode);
    }

    /// <summary>
    /// Subscriptions written before this check, or names that resolve inside (DNS): the connect step refuses them.
    /// A live listener proves nothing was sent, and the record says only "destination not allowed".
    /// </summary>
    [Fact]
    public async Task Delivery_connects_only_to_allowed_addresses_whatever_the_spelling()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        var loop = Task.Run(async () =>
        {
            while (true)
            {
                try { using var c = await listener.AcceptTcpClientAsync(); Interlocked.Increment(ref accepted); }
                catch (Exception) { return; }
            }
        });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            string[] urls = [$"http://127.0.0.1:{port}/", $"http://2130706433:{port}/", $"http://0x7f.1:{port}/",
                $"http://[::ffff:127.0.0.1]:{port}/", $"http://localhost:{port}/"];
            var ids = await App.WithDb(async db =>
            {
                await db.WebhookSubscriptions.ExecuteUpdateAsync(s => s.SetProperty(x => x.Active, false));
                var subs = urls.Select(u => new WebhookSubscription { Url = u, Secret = "s", CreatedAtUtc = App.Clock.GetUtcNow().UtcDateTime }).ToList();
                db.WebhookSubscriptions.AddRange(subs);
                await db.SaveChangesAsync();
                return subs.Select(s => s.Id).ToList();
            });
            var reporter = await As(Role.Reporter, "bigdata-bureau");
            Assert.Equal(HttpStatusCode.Created, (await PostJson(reporter, $"/api/targets/{await MeasureId("T03-1")}/reports", TargetBody(4))).StatusCode);

            Assert.Equal(urls.Length, await App.Services.DrainAsync());
            var office = await As(Role.Office);
            foreach (var id in ids)
            {
                var d = Assert.Single((await (await office.GetAsync($"/api/webhooks/deliveries?subscriptionId={id}")).ReadJson<Paged<DeliveryDto>>()).Items);
                Assert.Equal(("destination not allowed", (int?)null), (d.LastError, d.LastStatusCode));
            }
            Assert.Equal(0, Volatile.Read(ref accepted));
        }
        finally
        {
            listener.Stop();
            await loop;
        }
    }
}

/// <summary>With loopback allowed explicitly: a hostile receiver's endless error body is read only up to the cap.</summary>
public sealed class HostileOutboundResponseCapTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Outbound:AllowedNetworks:0"] = "127.0.0.1/32";
        _app.Settings["Outbound:MaxResponseBytes"] = "65536";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task An_endless_error_body_is_not_read_and_not_recorded()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        long written = 0;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n"))
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0) return;
                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 10000000000\r\n\r\n"));
            var junk = Encoding.ASCII.GetBytes(new string('x', 8192).Replace("xxxxxx", "secret"));
            try
            {
                // Stops when the service closes the connection; 100 MB would mean the body was read whole.
                while (written < 100_000_000) { await stream.WriteAsync(junk); written += junk.Length; }
            }
            catch (IOException) { }
        });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var office = _app.ClientWith(await _app.TokenAsync(Role.Office));
            var hook = await (await office.PostAsJsonAsync("/api/webhooks", new { url = $"http://127.0.0.1:{port}/hook" })).ReadJson<WebhookCreatedDto>();
            var reporter = _app.ClientWith(await _app.TokenAsync(Role.Reporter, "bigdata-bureau"));
            var target = await _app.WithDb(db => db.Measures.Where(m => m.Code == "T03-1" && m.Plan.Code == "guizhou-2025").Select(m => m.Id).SingleAsync());
            Assert.Equal(HttpStatusCode.Created, (await reporter.PostAsJsonAsync($"/api/targets/{target}/reports", new { value = 3, asOf = "2025-06-30" })).StatusCode);

            Assert.Equal(1, await _app.Services.DrainAsync());
            await server;
            var d = Assert.Single((await (await office.GetAsync($"/api/webhooks/deliveries?subscriptionId={hook.Id}")).ReadJson<Paged<DeliveryDto>>()).Items);
            Assert.Equal((500, "HTTP 500"), (d.LastStatusCode, d.LastError));
            Assert.True(Interlocked.Read(ref written) < 100_000_000, $"the receiver wrote {written} bytes before the service hung up");
        }
        finally { listener.Stop(); }
    }
}
