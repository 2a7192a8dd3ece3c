using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskTracker.Benchmarks;

/// <summary>
/// Drives the service from outside its process with Debian's <c>wrk</c> (install it by hand: <c>apt-get install -y wrk</c>;
/// CI does not), so the load generator does not share the service's garbage collector and real HTTP parsing is paid.
/// Scripts are in <c>wrk/</c> beside this file. On 2 cores wrk still shares the CPU: compare ratios within one run.
/// </summary>
internal static partial class Wrk
{
    internal sealed record Result(double Rate, double P50, double P99, long Requests, long Errors, string Load)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Rate,9:F1}/s  p50 {P50,8:F2} ms  p99 {P99,8:F2} ms  ({Requests:N0} requests, {Errors} non-2xx/3xx or socket errors, load {Load})");
    }

    public static bool Available() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "wrk")));

    public static Result Run(string url, int threads, int connections, int seconds, string script, params string[] args)
    {
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url }) psi.ArgumentList.Add(a);
        if (args.Length > 0)
        {
            psi.ArgumentList.Add("--");
            foreach (var a in args) psi.ArgumentList.Add(a);
        }
        var load = Load.LoadAverage();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"wrk failed ({p.ExitCode}): {output}");
        var rate = double.Parse(RateLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(RequestsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonOk().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var sock = SocketErrors().Match(output) is { Success: true } s
            ? s.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        return new Result(rate, Percentile(output, "50"), Percentile(output, "99"), requests, non2xx + sock, load);
    }

    private static double Percentile(string output, string pct)
    {
        var m = Regex.Match(output, $@"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success) return double.NaN;
        var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")] private static partial Regex RateLine();
    [GeneratedRegex(@"(\d+) requests in")] private static partial Regex RequestsLine();
    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")] private static partial Regex NonOk();
    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")] private static partial Regex SocketErrors();
}
