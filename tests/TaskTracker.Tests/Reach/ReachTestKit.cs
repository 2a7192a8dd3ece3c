using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MimeKit;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Reach;

/// <summary>
/// A real SMTP server on 127.0.0.1: Debian's aiosmtpd (python3-aiosmtpd) with its Maildir handler, started per test
/// class. Messages land in <see cref="Maildir"/>/new and are read back with MimeKit.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    public int Port { get; }
    private readonly string _root = TestPaths.NewTempDir("maildir");
    /// <summary>Not created beforehand: aiosmtpd's Maildir only lays out tmp/new/cur in a folder it creates itself.</summary>
    public string Maildir => Path.Combine(_root, "box");

    public SmtpServer()
    {
        Port = FreePort();
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3 -m aiosmtpd (apt-get install python3-aiosmtpd)");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"aiosmtpd exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()} (is python3-aiosmtpd installed?)");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                using var reader = new StreamReader(probe.GetStream());
                if (reader.ReadLine()?.StartsWith("220", StringComparison.Ordinal) == true) break;
            }
            catch (SocketException) when (DateTime.UtcNow < until) { }
            Thread.Sleep(100);
        }
    }

    public IReadOnlyList<MimeMessage> Messages()
    {
        var dir = Path.Combine(Maildir, "new");
        if (!Directory.Exists(dir)) return [];
        return Directory.GetFiles(dir).Order().Select(f => MimeMessage.Load(f)).OrderBy(m => m.Headers["X-TaskTracker-Message"]).ToList();
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Mail:Host"] = "127.0.0.1", ["Mail:Port"] = Port.ToString(), ["Mail:Tls"] = "none", ["Mail:From"] = "督查室 <duchashi@example.gov.cn>",
    };

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        TestPaths.TryDelete(_root);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A local stand-in for DingTalk's and WeCom's robot endpoints that checks requests the way the platforms do:
/// DingTalk recomputes sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) from the query string (and rejects
/// a timestamp more than an hour off, like DingTalk), WeCom checks the key; both answer {"errcode":…,"errmsg":…}.
/// </summary>
public sealed class RobotReceiver : IAsyncDisposable
{
    public sealed record Received(string Platform, string Path, string Query, string Body, bool SignatureValid, long? Timestamp)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly Task _loop;
    public string Base { get; }
    public string DingTalkSecret { get; } = "SEC" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    public string DingTalkToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    public string WeComKey { get; } = Guid.NewGuid().ToString();
    /// <summary>Set to answer with an HTTP error instead of accepting.</summary>
    public int? FailWith { get; set; }
    /// <summary>The time the receiver checks DingTalk's timestamp against (the service's fake clock).</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;
    public IReadOnlyList<Received> Requests => _received.ToArray();

    public string DingTalkUrl => $"{Base}robot/send?access_token={DingTalkToken}";
    public string WeComUrl => $"{Base}cgi-bin/webhook/send?key={WeComKey}";

    public RobotReceiver()
    {
        Base = LoopbackListener.Start(_listener, "");
        _loop = Task.Run(() => LoopbackListener.ServeAsync(_listener, HandleAsync));
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = ctx.Request.Url!.AbsolutePath;
            var q = ctx.Request.QueryString;
            Received r;
            int errcode;
            string errmsg;
            if (path == "/robot/send")
            {
                var ok = long.TryParse(q["timestamp"], out var ts);
                var valid = ok && q["access_token"] == DingTalkToken && q["sign"] is { } sign
                            && Math.Abs(Now().ToUnixTimeMilliseconds() - ts) < 3_600_000
                            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Expected(DingTalkSecret, ts)), Encoding.ASCII.GetBytes(sign));
                r = new Received("dingtalk", path, ctx.Request.Url.Query, body, valid, ok ? ts : null);
                (errcode, errmsg) = valid ? (0, "ok") : (310000, "sign not match");
            }
            else
            {
                var valid = path == "/cgi-bin/webhook/send" && q["key"] == WeComKey;
                r = new Received("wecom", path, ctx.Request.Url.Query, body, valid, null);
                (errcode, errmsg) = valid ? (0, "ok") : (93000, "invalid webhook url");
            }
            _received.Enqueue(r);
            ctx.Response.StatusCode = FailWith ?? 200;
            ctx.Response.ContentType = "application/json";
            var answer = Encoding.UTF8.GetBytes(FailWith is { } f ? $"{{\"error\":\"status {f}\"}}" : $"{{\"errcode\":{errcode},\"errmsg\":\"{errmsg}\"}}");
            await ctx.Response.OutputStream.WriteAsync(answer);
            ctx.Response.Close();
        }
        catch (Exception)
        {
            try { ctx.Response.Abort(); } catch (Exception) { }
        }
    }

    /// <summary>DingTalk's documented algorithm, written out independently of the service's code.</summary>
    private static string Expected(string secret, long timestamp)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "\n" + secret)));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await Task.WhenAny(_loop, Task.Delay(2000));
    }
}
