using System.Globalization;

namespace TaskTracker.Common.Security;

/// <summary>
/// CSV and xlsx exports carry text people typed (instruction texts, narratives, names). A cell starting with
/// =, +, -, @, tab or carriage return is read as a formula by Excel, LibreOffice and WPS, so it gets a leading
/// apostrophe and stays text. Plain numbers (-12.5) are left alone: they are not formulas.
/// </summary>
internal static class FormulaGuard
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value ?? "";
        if (value[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r')) return value;
        if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)) return value;
        return "'" + value;
    }

    public static string[] Cells(IEnumerable<string?> values) => values.Select(Cell).ToArray();

    /// <summary>The same rows with every text value guarded (numbers and dates stay typed).</summary>
    public static List<Dictionary<string, object?>> Rows(List<Dictionary<string, object?>> rows) =>
        rows.Select(r => r.ToDictionary(kv => kv.Key, kv => kv.Value is string s ? Cell(s) : kv.Value)).ToList();
}
