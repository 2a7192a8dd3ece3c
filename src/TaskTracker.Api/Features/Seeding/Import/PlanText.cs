using System.Text;

namespace TaskTracker.Features.Seeding.Import;

/// <summary>An input the importer refuses as a whole: nothing is written or published.</summary>
internal sealed class PlanImportException(string message) : Exception(message);

/// <summary>Small text helpers shared by the parser, the figure reader and the comparison.</summary>
internal static class PlanText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a published text; refuses anything that is not UTF-8 rather than guess a legacy encoding (GB18030 reads as mojibake).</summary>
    public static string Decode(byte[] bytes)
    {
        if (bytes.Length == 0) throw new PlanImportException("the text is empty");
        string text;
        try { text = StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            throw new PlanImportException($"the text is not UTF-8 (invalid byte at offset {e.Index}); save it as UTF-8 and try again");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (text.Contains('\0')) throw new PlanImportException("the text contains NUL characters; it is not a plain UTF-8 text");
        if (string.IsNullOrWhiteSpace(text)) throw new PlanImportException("the text is empty");
        return text.Replace("\r\n", "\n").Replace('\r', '\n');
    }

    public const string Opening = "（(“‘《〈「『【〔[";
    public const string Closing = "）)”’》〉」』】〕]";

    /// <summary>Splits at the given terminators, keeping them, but never inside brackets or quotes.</summary>
    public static List<string> SplitOutside(string text, string terminators, bool keepTerminator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (Opening.Contains(ch)) depth++;
            else if (Closing.Contains(ch)) depth = Math.Max(0, depth - 1);
            else if (depth == 0 && terminators.Contains(ch))
            {
                var end = keepTerminator ? i + 1 : i;
                var piece = text[start..end].Trim();
                if (piece.Length > 0) parts.Add(piece);
                start = i + 1;
            }
        }
        var rest = text[start..].Trim();
        if (rest.Length > 0) parts.Add(rest);
        return parts;
    }

    public static List<string> Sentences(string text) => SplitOutside(text, "。！？!?", keepTerminator: true);

    public static List<string> Phrases(string sentence) => SplitOutside(sentence.TrimEnd('。', '！', '？', '!', '?'), "，,；;", keepTerminator: false);

    /// <summary>White space and markdown emphasis removed, as the seed validator compares verbatim text.</summary>
    public static string Key(string? text)
    {
        var sb = new StringBuilder(text?.Length ?? 0);
        foreach (var ch in text ?? "")
            if (!char.IsWhiteSpace(ch) && ch != '*') sb.Append(ch);
        return sb.ToString();
    }

    private static readonly string Digits = "零一二三四五六七八九";

    /// <summary>一 → 1, 十一 → 11, 二十七 → 27, 一百零二 → 102; -1 when it is not a numeral.</summary>
    public static int ChineseNumber(string numeral)
    {
        if (string.IsNullOrEmpty(numeral)) return -1;
        var total = 0;
        var current = 0;
        foreach (var ch in numeral.Replace('〇', '零'))
        {
            var d = Digits.IndexOf(ch);
            if (d >= 0) { current = d; continue; }
            var unit = ch switch { '十' => 10, '百' => 100, _ => -1 };
            if (unit < 0) return -1;
            total += (current == 0 ? 1 : current) * unit;
            current = 0;
        }
        return total + current;
    }

    /// <summary>Dice coefficient over character bigrams (white space ignored): how alike two Chinese phrases are.</summary>
    public static double Similarity(string? a, string? b)
    {
        var x = Bigrams(Key(a));
        var y = Bigrams(Key(b));
        if (x.Count == 0 || y.Count == 0) return Key(a) == Key(b) && Key(a).Length > 0 ? 1 : 0;
        var common = 0;
        var pool = y.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        foreach (var g in x)
            if (pool.TryGetValue(g, out var n) && n > 0) { common++; pool[g] = n - 1; }
        return 2.0 * common / (x.Count + y.Count);
    }

    private static List<string> Bigrams(string s)
    {
        var list = new List<string>();
        for (var i = 0; i + 1 < s.Length; i++) list.Add(s.Substring(i, 2));
        return list;
    }
}
