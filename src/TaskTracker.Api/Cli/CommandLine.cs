using TaskTracker.Features.Seeding;
using TaskTracker.Features.Seeding.Import;

namespace TaskTracker.Cli;

/// <summary>
/// The command-line tool: `TaskTracker.Api tokens|data|backup ...` runs one command and exits instead of serving.
/// Adding a command is one row in <see cref="Commands"/>. The tool is a composition root: it may call into modules.
/// </summary>
internal static class CommandLine
{
    /// <param name="Name">The first argument that selects the command.</param>
    /// <param name="NeedsData">Migrate and seed the database first (as the server does at start).</param>
    private sealed record Command(string Name, string Summary, Func<string[], bool> NeedsData, Func<IServiceProvider, string[], TextWriter, TextWriter, Task<int>> Run);

    private static readonly Command[] Commands =
    [
        new("tokens", "create, list and revoke API tokens", NeedsData: _ => true, TokenCommands.RunAsync),
        new("data", "copy or check a deployment between SQLite and PostgreSQL", NeedsData: _ => false, DataCommands.RunAsync),
        new("backup", "write a consistent copy of the SQLite database", NeedsData: _ => false, DataCommands.RunAsync),
        // import reads only files; rollover reads the live plans' final figures.
        new("plans", "import a plan's published text as a draft; roll a plan over to next year", NeedsData: a => a.ElementAtOrDefault(1) == "rollover", PlanCommands.RunAsync),
    ];

    /// <summary>
    /// True when the arguments name a command (or a word that is not one): the host then runs <see cref="RunAsync"/>
    /// rather than the web server. Options (-x, --x) and configuration (key=value) leave the server to start.
    /// </summary>
    public static bool IsCommand(string[] args) => args.FirstOrDefault() is { Length: > 0 } first && !first.StartsWith('-') && !first.Contains('=');

    /// <summary>Logs go to stderr so that stdout carries only the command's own output (a created token, last).</summary>
    public static void QuietLogs(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args, TextWriter output, TextWriter error)
    {
        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            await error.WriteLineAsync($"unknown command '{args[0]}'.\n\n{Usage}");
            return 2;
        }
        if (command.NeedsData(args)) await app.InitialiseAsync();
        return await command.Run(app.Services, args, output, error);
    }

    public static string Usage =>
        "usage: TaskTracker.Api [command] [options]\n  (no command) serve the API\n" +
        string.Join("\n", Commands.Select(c => $"  {c.Name,-8} {c.Summary}")) + "\n\n" + PlanCommands.Usage;
}
