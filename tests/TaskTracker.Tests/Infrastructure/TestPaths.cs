namespace TaskTracker.Tests.Infrastructure;

public static class TestPaths
{
    /// <summary>The repository root, found by walking up from the test binaries to TaskTracker.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string GuizhouSeed => Path.Combine(RepoRoot, "seed-data", "guizhou-2025");
    public static string DemoSeed => Path.Combine(AppContext.BaseDirectory, "TestPlans", "demo-2026");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TaskTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException("TaskTracker.sln not found above " + AppContext.BaseDirectory);
    }

    public static string NewTempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "tasktracker-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), true);
        foreach (var dir in Directory.GetDirectories(from)) CopyDir(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
