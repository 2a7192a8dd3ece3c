using Microsoft.Data.Sqlite;
using TaskTracker.Data;

namespace TaskTracker.Tests.Schema;

/// <summary>
/// The pragmas are sent as one batch on every connection the service opens. A batch whose first statement returns a
/// row (journal_mode answers "wal") must still run the statements after it, so each one is read back on its own
/// connection, through the interceptor the service uses.
/// </summary>
public class SqlitePragmasTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tt-pragmas-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<string> ReadAsync(SqliteConnection c, string pragma)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"PRAGMA {pragma};";
        return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_pragma_of_the_batch_takes_effect(bool async)
    {
        await using var c = new SqliteConnection($"Data Source={Path.Combine(_dir, "p.db")};Pooling=False");
        await c.OpenAsync();
        // Start from values the batch must change, set one statement at a time, so each assertion below shows its
        // own statement of the batch ran (several are also the library's defaults).
        foreach (var (pragma, value) in new[] { ("journal_mode", "DELETE"), ("synchronous", "OFF"), ("foreign_keys", "OFF"), ("busy_timeout", "0") })
        {
            await using var set = c.CreateCommand();
            set.CommandText = $"PRAGMA {pragma}={value};";
            await set.ExecuteNonQueryAsync();
        }
        Assert.Equal(("delete", "0", "0", "0"),
            (await ReadAsync(c, "journal_mode"), await ReadAsync(c, "synchronous"), await ReadAsync(c, "foreign_keys"), await ReadAsync(c, "busy_timeout")));

        var interceptor = new SqlitePragmas();
        if (async) await interceptor.ConnectionOpenedAsync(c, null!);
        else interceptor.ConnectionOpened(c, null!);

        Assert.Equal("wal", await ReadAsync(c, "journal_mode"));
        Assert.Equal("2", await ReadAsync(c, "synchronous"));   // FULL
        Assert.Equal("1", await ReadAsync(c, "foreign_keys"));
        Assert.Equal("10000", await ReadAsync(c, "busy_timeout"));
    }
}
