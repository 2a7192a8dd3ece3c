namespace TaskTracker.Common;

/// <summary>Text rules shared by every validator.</summary>
internal static class Text
{
    /// <summary>No NUL or other control characters (PostgreSQL rejects NUL in text; none belongs in a report).</summary>
    public static bool BeCleanText(string s) => s.All(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
}

/// <summary>Enum values as the API writes them (kebab-case, like the JSON converter).</summary>
internal static class JsonNames
{
    public static string Kebab<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
