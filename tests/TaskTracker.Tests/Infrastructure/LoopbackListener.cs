using System.Net;
using System.Net.Sockets;

namespace TaskTracker.Tests.Infrastructure;

/// <summary>A real HTTP receiver on loopback for the tests' webhook and chat-robot endpoints.</summary>
internal static class LoopbackListener
{
    /// <summary>
    /// Starts <paramref name="listener"/> on a free loopback port and returns its base URL plus <paramref name="path"/>.
    /// HttpListener cannot bind port 0, so a free port is taken from the OS first; another process may take it in between,
    /// hence the retries.
    /// </summary>
    public static string Start(HttpListener listener, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = $"http://127.0.0.1:{port}/{path}";
            listener.Prefixes.Clear();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return url;
            }
            catch (HttpListenerException) when (attempt < 5) { }
        }
    }

    /// <summary>Hands every request to <paramref name="handle"/> until the listener stops.</summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => handle(ctx));
        }
    }
}
