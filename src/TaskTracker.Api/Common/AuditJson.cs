namespace TaskTracker.Common;

/// <summary>Audit details as readable JSON (Chinese kept as written, not \u-escaped).</summary>
internal static class AuditJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    public static string Serialize(object value) => System.Text.Json.JsonSerializer.Serialize(value, Options);
}
