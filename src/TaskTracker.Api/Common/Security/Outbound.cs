using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace TaskTracker.Common.Security;

/// <summary>Where the service may send requests of its own (webhooks, robots, anything later). Section <c>Outbound</c>.</summary>
internal sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>
    /// Non-public networks (CIDR, e.g. <c>10.20.0.0/16</c>, <c>127.0.0.1/32</c>, <c>::1/128</c>) that outbound requests may
    /// still reach. Empty (the default): public addresses only.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>Most bytes of a receiver's response body the service reads (and then discards).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1024 * 1024)] public int MaxResponseBytes { get; set; } = 16 * 1024;
}

/// <summary>Thrown from the connect step when every address of a destination is refused by the policy.</summary>
internal sealed class DestinationNotAllowedException(string message) : IOException(message);

/// <summary>
/// Decides whether an address may be connected to: public unicast addresses, or an address inside
/// <see cref="OutboundOptions.AllowedNetworks"/>. Checked on the address actually connected to (after DNS), so no
/// spelling of a host (2130706433, 0x7f.1, [::ffff:127.0.0.1], a DNS name pointing inside) gets around it.
/// </summary>
internal sealed class OutboundPolicy
{
    private readonly IReadOnlyList<(IPAddress Network, int Prefix)> _allowed;

    public OutboundPolicy(IOptions<OutboundOptions> options) =>
        _allowed = options.Value.AllowedNetworks.Select(n => TryParseCidr(n, out var c) ? c : throw new OptionsValidationException(
            OutboundOptions.Section, typeof(OutboundOptions), [$"Outbound:AllowedNetworks: '{n}' is not a CIDR network."])).ToList();

    public bool IsAllowed(IPAddress address)
    {
        var a = Normalise(address);
        return _allowed.Any(n => InNetwork(a, n.Network, n.Prefix)) || IsPublic(a);
    }

    /// <summary>The URL's host, if it is an IP literal (in any notation <see cref="Uri"/> accepts) or a localhost name, is allowed.</summary>
    public bool IsLiteralAllowed(Uri uri)
    {
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip))
            return IsAllowed(ip);
        var host = uri.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host, out var loose)) return IsAllowed(loose); // a numeric form Uri left as a name
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return IsAllowed(IPAddress.Loopback);
        return true; // a name: checked again on every connect
    }

    /// <summary>IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry.</summary>
    public static IPAddress Normalise(IPAddress a)
    {
        if (a.AddressFamily != AddressFamily.InterNetworkV6) return a;
        if (a.IsIPv4MappedToIPv6) return a.MapToIPv4();
        return a;
    }

    public static bool IsPublic(IPAddress a)
    {
        a = Normalise(a);
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            foreach (var (net, prefix) in V4NonPublic) if (InNetwork(a, net, prefix)) return false;
            return true;
        }
        if (a.AddressFamily != AddressFamily.InterNetworkV6) return false;
        // Global unicast is 2000::/3; inside it, documentation, 6to4, Teredo/ORCHID/benchmarking carry or hide other addresses.
        if (!InNetwork(a, IPAddress.Parse("2000::"), 3)) return false;
        foreach (var (net, prefix) in V6NonPublic) if (InNetwork(a, net, prefix)) return false;
        return true;
    }

    private static readonly (IPAddress, int)[] V4NonPublic = new[]
    {
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    }.Select(Cidr).ToArray();

    private static readonly (IPAddress, int)[] V6NonPublic = new[] { "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20" }.Select(Cidr).ToArray();

    private static (IPAddress, int) Cidr(string s) => TryParseCidr(s, out var c) ? c : throw new ArgumentException(s);

    public static bool TryParseCidr(string? text, out (IPAddress Network, int Prefix) cidr)
    {
        cidr = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split('/');
        if (!IPAddress.TryParse(parts[0], out var ip)) return false;
        ip = Normalise(ip);
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out prefix) || prefix < 0 || prefix > max))) return false;
        cidr = (ip, prefix);
        return true;
    }

    private static bool InNetwork(IPAddress a, IPAddress network, int prefix)
    {
        if (a.AddressFamily != network.AddressFamily) return false;
        var x = a.GetAddressBytes();
        var y = network.GetAddressBytes();
        for (var i = 0; i < x.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((x[i] & mask) != (y[i] & mask)) return false;
        }
        return true;
    }

    /// <summary>
    /// The handler every outbound client uses: no proxy (the check must see the real destination), no redirects, no
    /// cookies, and a connect step that resolves the host itself and connects only to allowed addresses.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IServiceProvider services)
    {
        var policy = services.GetRequiredService<OutboundPolicy>();
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 64, // KiB
            ConnectCallback = async (ctx, ct) =>
            {
                var host = ctx.DnsEndPoint.Host.Trim('[', ']');
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                var allowed = addresses.Where(policy.IsAllowed).ToList();
                if (allowed.Count == 0) throw new DestinationNotAllowedException("destination not allowed");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed.ToArray(), ctx.DnsEndPoint.Port, ct);
                    // The address really connected to is checked once more (a dual-stack socket reports it as mapped IPv6).
                    if (socket.RemoteEndPoint is not IPEndPoint remote || !policy.IsAllowed(remote.Address))
                        throw new DestinationNotAllowedException("destination not allowed");
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    /// <summary>What a failed outbound request is recorded as: never a response body, never the OS's words about the port or host.</summary>
    public static string Describe(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DestinationNotAllowedException) return "destination not allowed";
        return "connection failed";
    }

    /// <summary>Reads and discards at most <paramref name="max"/> bytes of a response body, so a hostile receiver cannot make the service hold its body.</summary>
    public static async Task DrainCappedAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        if (max <= 0) return;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[Math.Min(max, 8192)];
            var total = 0;
            int read;
            while (total < max && (read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, max - total)), ct)) > 0) total += read;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException) { }
    }
}
