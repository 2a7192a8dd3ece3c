using TaskTracker.Tests.CrashSafety;

namespace TaskTracker.Tests.Operations;

/// <summary>The real binary's command table: a word that names no command is refused instead of starting the server.</summary>
public class CommandLineTests
{
    [Fact]
    public async Task An_unknown_command_prints_the_usage_and_exits_non_zero_without_serving()
    {
        await using var db = new ServiceDatabase();
        var (exit, stdout, stderr) = await ServiceProcess.RunToEndAsync(db, "frobnicate", "--now");
        Assert.Equal(2, exit);
        Assert.Contains("unknown command 'frobnicate'", stderr);
        Assert.Contains("usage:", stderr);
        foreach (var known in new[] { "tokens", "data", "backup" }) Assert.Contains($"  {known} ", stderr);
        Assert.Equal("", stdout.Trim());
        // It did not start serving, so it did not even create the database.
        if (!db.IsPostgres) Assert.False(File.Exists(db.SqlitePath));
    }

    [Fact]
    public async Task A_known_command_still_runs_from_the_table()
    {
        await using var db = new ServiceDatabase();
        var token = await ServiceProcess.CreateTokenAsync(db, "--role", "viewer", "--name", "cli-table");
        var (exit, stdout, stderr) = await ServiceProcess.RunToEndAsync(db, "tokens", "list");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("unknown command", stderr);
        Assert.Contains(token[..10], stdout);
        Assert.Contains("cli-table", stdout);
    }
}
