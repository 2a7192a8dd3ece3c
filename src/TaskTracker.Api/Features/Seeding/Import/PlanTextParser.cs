using System.Text.RegularExpressions;

namespace TaskTracker.Features.Seeding.Import;

internal enum NumeralStyle { ChineseParen, ArabicDot, ArabicParen }

internal sealed record ParsedSection(int Number, string Numeral, string TitleZh);

internal sealed record ParsedClause(string TextZh, string ResponsibleText, List<string> Agencies, bool AndOthers, string? StandingNote, List<string> StandingAgencies);

internal sealed record ParsedTask(int Number, string Numeral, int Section, string TitleZh, string TextZh, List<ParsedClause> Clauses, List<string> Unplaced);

internal sealed record ParsedPlan(
    string TitleZh, string PreambleZh, string? ClosingZh, string? Publisher,
    List<ParsedSection> Sections, List<ParsedTask> Tasks, List<string> Unplaced, List<string> Notes, NumeralStyle Style);

/// <summary>
/// Finds a plan's structure in its published text: the title (first line), the preamble, sections (一、), tasks in
/// one numbering style ((一) （一） 1. （1）, the first one met), their clauses ended by responsibility brackets, and
/// the closing paragraph. Lines broken by page breaks are joined back into their task.
/// </summary>
internal static partial class PlanTextParser
{
    private const string Cn = "一二三四五六七八九十百零〇";

    [GeneratedRegex("^[" + Cn + "]+、\\s*(?<title>.+)$")]
    private static partial Regex SectionHeading();

    [GeneratedRegex("^[（(]\\s*(?<n>[" + Cn + "]+)\\s*[）)]\\s*(?<rest>.*)$")]
    private static partial Regex ChineseParenHeading();

    [GeneratedRegex(@"^(?<n>\d{1,3})\s*[.．、](?!\d)\s*(?<rest>.*)$")]
    private static partial Regex ArabicDotHeading();

    [GeneratedRegex(@"^[（(]\s*(?<n>\d{1,3})\s*[）)]\s*(?<rest>.*)$")]
    private static partial Regex ArabicParenHeading();

    [GeneratedRegex("^(责任单位|责任部门|主责单位)\\s*[：:]\\s*(?<list>.+)$")]
    private static partial Regex ResponsibleForm();

    [GeneratedRegex("^(牵头单位|牵头部门)\\s*[：:]\\s*(?<lead>.+?)\\s*[；;，,]\\s*(责任单位|配合单位|参与单位|协同单位)\\s*[：:]\\s*(?<rest>.+)$")]
    private static partial Regex LeadAndResponsibleForm();

    [GeneratedRegex("^(牵头单位|牵头部门)\\s*[：:]\\s*(?<lead>.+)$")]
    private static partial Regex LeadOnlyForm();

    [GeneratedRegex("^(?<lead>[^，,；;]+?)牵头\\s*(?:[，,；;]\\s*(?<rest>.+?)\\s*(配合|参与|协同|协助|共同负责|负责)?)?$")]
    private static partial Regex LeadsCooperatesForm();

    [GeneratedRegex("^(?<list>.+?)(按职责分工负责|按职责分工落实|按职责负责|分工负责|分别负责|共同负责|负责)$")]
    private static partial Regex SharedForm();

    [GeneratedRegex("^以下.{0,6}?(均需|均由|均为|由)(?<list>.+?)(负责|落实)")]
    private static partial Regex StandingNoteForm();

    [GeneratedRegex(@"^[（(]\s*来源\s*[：:]\s*(?<who>.+?)\s*[）)]\s*$")]
    private static partial Regex SourceLine();

    [GeneratedRegex(@"[（(]\s*来源\s*[：:]\s*(?<who>[^）)]+)[）)]\s*$")]
    private static partial Regex TrailingSource();

    public static ParsedPlan Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new PlanImportException("the text is empty");
        var title = Clean(lines[0]);
        NumeralStyle? style = null;
        var preamble = new List<string>();
        var sections = new List<ParsedSection>();
        var taskLines = new List<(string Numeral, int Section, List<string> Lines)>();
        var notes = new List<string>();
        var unplaced = new List<string>();
        // Standing notes (以下均需…负责) found before a task, keyed by the index of the first task they apply to.
        var standingAt = new List<(int FromTask, string Note, List<string> Agencies)>();

        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            var bare = line.Trim('（', '）', '(', ')', ' ');
            if (StandingNoteForm().Match(bare) is { Success: true } sn && line.Length < 80 && !HasResponsibility(line))
            {
                standingAt.Add((taskLines.Count, bare, SplitList(sn.Groups["list"].Value).Names));
                continue;
            }
            if (SectionHeading().Match(line) is { Success: true } sh && (taskLines.Count == 0 || EndsSentence(taskLines[^1].Lines[^1])))
            {
                sections.Add(new ParsedSection(sections.Count + 1, line[..line.IndexOf('、')], Clean(sh.Groups["title"].Value)));
                continue;
            }
            var heading = TaskHeading(line, style);
            if (heading is { } h)
            {
                style ??= h.Style;
                if (sections.Count == 0 && taskLines.Count == 0) notes.Add("no section headings (一、二、…): every task is put in one section named after the plan");
                taskLines.Add((h.Numeral, Math.Max(1, sections.Count), [line]));
                continue;
            }
            if (taskLines.Count == 0)
            {
                if (sections.Count == 0) preamble.Add(line);
                else unplaced.Add($"under section {sections[^1].Numeral}, before its first task: “{line}”");
                continue;
            }
            taskLines[^1].Lines.Add(line);
        }

        if (taskLines.Count == 0)
            throw new PlanImportException("no numbered tasks found: expected task headings such as （一）, (一), 1. or （1） at the start of a line");
        if (sections.Count == 0) sections.Add(new ParsedSection(1, "一", title));

        // The last task runs until a paragraph that neither continues a broken sentence nor carries a
        // responsibility bracket: that is the closing paragraph, and anything after it is outside the plan.
        string? closing = null, publisher = null;
        var last = taskLines[^1].Lines;
        for (var k = 1; k < last.Count; k++)
        {
            if (!EndsSentence(last[k - 1]) || HasResponsibility(last[k]) || StartsWithBracket(last[k])) continue;
            var after = last.Skip(k).ToList();
            last.RemoveRange(k, last.Count - k);
            closing = after[0];
            var rest = after.Skip(1).ToList();
            if (rest.Count > 0 && SourceLine().Match(rest[0]) is { Success: true } sl) { publisher = sl.Groups["who"].Value; rest.RemoveAt(0); }
            if (TrailingSource().Match(closing) is { Success: true } ts)
            {
                publisher = ts.Groups["who"].Value.Trim();
                closing = closing[..ts.Index].TrimEnd();
            }
            if (rest.Count > 0)
                notes.Add($"{rest.Count} paragraph(s) after the closing paragraph are outside the plan and were ignored, from “{Short(rest[0])}”");
            break;
        }

        var tasks = new List<ParsedTask>();
        var activeNotes = new List<(string Note, List<string> Agencies)>();
        var expected = 1;
        for (var t = 0; t < taskLines.Count; t++)
        {
            foreach (var s in standingAt.Where(s => s.FromTask == t)) activeNotes.Add((s.Note, s.Agencies));
            var (numeral, section, tl) = taskLines[t];
            var digits = numeral.Trim('（', '）', '(', ')', '.', '．', '、', ' ');
            var n = style == NumeralStyle.ChineseParen ? PlanText.ChineseNumber(digits) : int.Parse(digits);
            if (n != expected && n != 1)
                notes.Add($"task numbering jumps from {expected - 1} to {n} at “{Short(tl[0])}”");
            expected = n + 1;
            var task = ParseTask(t + 1, numeral, section, tl, activeNotes, standingAt, t);
            tasks.Add(task);
        }
        foreach (var s in standingAt)
            notes.Add($"standing note “{s.Note}” applies to every task from task {s.FromTask + 1} on");

        return new ParsedPlan(title, string.Join("", preamble), closing, publisher, sections, tasks, unplaced, notes, style!.Value);
    }

    private static (NumeralStyle Style, string Numeral)? TaskHeading(string line, NumeralStyle? style)
    {
        foreach (var (s, rx) in new[] { (NumeralStyle.ChineseParen, ChineseParenHeading()), (NumeralStyle.ArabicParen, ArabicParenHeading()), (NumeralStyle.ArabicDot, ArabicDotHeading()) })
        {
            if (style is { } chosen && chosen != s) continue;
            var m = rx.Match(line);
            // A heading has words after its numeral; a bracketed note such as （责任单位：…） never matches these.
            if (m.Success && m.Groups["rest"].Value.Trim().Length > 0) return (s, line[..m.Groups["rest"].Index].Trim());
        }
        return null;
    }

    private static ParsedTask ParseTask(int number, string numeral, int section, List<string> lines, List<(string Note, List<string> Agencies)> standing,
        List<(int FromTask, string Note, List<string> Agencies)> standingAt, int taskIndex)
    {
        var text = string.Concat(lines);
        var head = lines[0];
        var afterNumeral = Regex.Replace(head, @"^[（(]?\s*[" + Cn + @"\d]+\s*[）)．.、]?\s*", "");
        string titleZh, body;
        var firstStop = afterNumeral.IndexOfAny(['。', '．']);
        var bodyLines = string.Concat(lines.Skip(1));
        if (firstStop < 0)
        {
            // The heading line is the title alone (or a title broken over a page: then the body starts at its 。).
            var joined = afterNumeral + bodyLines;
            var stop = lines.Count > 1 && !EndsSentence(head) && afterNumeral.Length > 30 ? joined.IndexOf('。') : -1;
            titleZh = stop > 0 ? joined[..stop] : afterNumeral;
            body = stop > 0 ? joined[(stop + 1)..] : bodyLines;
        }
        else
        {
            titleZh = afterNumeral[..firstStop];
            body = afterNumeral[(firstStop + 1)..] + bodyLines;
        }
        titleZh = Clean(titleZh);

        var clauses = new List<ParsedClause>();
        var unplaced = new List<string>();
        var pending = 0;
        var notesHere = new List<(string Note, List<string> Agencies)>(standing);
        foreach (var (start, end, content) in Brackets(body))
        {
            if (StandingNoteForm().Match(content) is { Success: true } sn)
            {
                // A note inside a task applies from the next task on.
                standingAt.Add((taskIndex + 1, content, SplitList(sn.Groups["list"].Value).Names));
                continue;
            }
            var resp = ReadResponsibility(content);
            if (resp is null) continue;
            var clauseText = body[pending..start].Trim();
            pending = end;
            if (clauseText.Length == 0) continue;
            clauses.Add(MakeClause(clauseText, resp.Value.Text, resp.Value.Names, resp.Value.AndOthers, notesHere));
        }
        var rest = body[pending..].Trim();
        if (rest.Length > 0)
        {
            if (notesHere.Count > 0)
                clauses.Add(MakeClause(rest, notesHere[0].Note, [], false, notesHere));
            else
                unplaced.AddRange(PlanText.Sentences(rest).Select(s => $"task {numeral}: no responsibility bracket follows “{s}”"));
        }
        if (clauses.Count == 0 && rest.Length == 0 && body.Trim().Length == 0)
            unplaced.Add($"task {numeral} “{titleZh}” has no text after its title");
        return new ParsedTask(number, numeral, section, titleZh, text, clauses, unplaced);
    }

    private static ParsedClause MakeClause(string text, string responsibleText, List<string> names, bool andOthers, List<(string Note, List<string> Agencies)> notes)
    {
        var all = new List<string>(names);
        string? noteText = null;
        var standing = new List<string>();
        foreach (var (note, agencies) in notes)
        {
            foreach (var a in agencies.Where(a => !all.Contains(a))) { all.Add(a); standing.Add(a); }
            noteText ??= note;
        }
        // When the clause's own bracket is missing, the note itself is the responsibility text.
        if (names.Count == 0) noteText = null;
        return new ParsedClause(text, responsibleText, all, andOthers, noteText, standing);
    }

    public static (string Text, List<string> Names, bool AndOthers)? ReadResponsibility(string content)
    {
        content = content.Trim();
        if (content.Length is 0 or > 300) return null;
        if (ResponsibleForm().Match(content) is { Success: true } r)
        {
            var l = SplitList(r.Groups["list"].Value);
            return (r.Groups["list"].Value.Trim(), l.Names, l.AndOthers);
        }
        if (LeadAndResponsibleForm().Match(content) is { Success: true } lr)
        {
            var a = SplitList(lr.Groups["lead"].Value);
            var b = SplitList(lr.Groups["rest"].Value);
            return (content, a.Names.Concat(b.Names.Where(n => !a.Names.Contains(n))).ToList(), b.AndOthers);
        }
        if (LeadOnlyForm().Match(content) is { Success: true } lo)
        {
            var l = SplitList(lo.Groups["lead"].Value);
            return (content, l.Names, l.AndOthers);
        }
        if (LeadsCooperatesForm().Match(content) is { Success: true } lc && LooksLikeAgencies(lc.Groups["lead"].Value))
        {
            var a = SplitList(lc.Groups["lead"].Value);
            var b = lc.Groups["rest"].Success ? SplitList(lc.Groups["rest"].Value) : (Names: new List<string>(), AndOthers: false);
            return (content, a.Names.Concat(b.Names.Where(n => !a.Names.Contains(n))).ToList(), b.AndOthers);
        }
        if (SharedForm().Match(content) is { Success: true } sf && LooksLikeAgencies(sf.Groups["list"].Value) && !content.StartsWith("以下", StringComparison.Ordinal))
        {
            var l = SplitList(sf.Groups["list"].Value);
            return (content, l.Names, l.AndOthers);
        }
        return null;
    }

    /// <summary>Agency lists are short names separated by 、，; a sentence with a verb is not one.</summary>
    private static bool LooksLikeAgencies(string list) =>
        SplitList(list).Names is { Count: > 0 } names && names.All(n => n.Length is >= 2 and <= 30 && !Regex.IsMatch(n, "推动|加快|开展|建设|实施|完善|提升"));

    public static (List<string> Names, bool AndOthers) SplitList(string list)
    {
        var names = Regex.Split(list, "[、，,；;]").Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        var andOthers = false;
        if (names.Count > 0 && names[^1].EndsWith('等') && names[^1].Length > 2)
        {
            names[^1] = names[^1][..^1];
            andOthers = true;
        }
        return (names.Distinct().ToList(), andOthers);
    }

    /// <summary>Top-level （…） and (…) groups of a text: start, end (after the closing bracket) and content.</summary>
    private static IEnumerable<(int Start, int End, string Content)> Brackets(string text)
    {
        var depth = 0;
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '（' or '(')
            {
                if (depth == 0) start = i;
                depth++;
            }
            else if (ch is '）' or ')' && depth > 0)
            {
                depth--;
                if (depth == 0) yield return (start, i + 1, text[(start + 1)..i]);
            }
        }
    }

    private static bool HasResponsibility(string line) => Brackets(line).Any(b => ReadResponsibility(b.Content) is not null);
    private static bool StartsWithBracket(string line) => line.StartsWith('（') || line.StartsWith('(');
    private static bool EndsSentence(string line) => line.Length > 0 && "。！？!?）)”」".Contains(line[^1]);

    public static string Clean(string s) => s.Replace("**", "").Trim().TrimEnd('。', '．', '.', '：', ':', '；', ';').Trim();

    public static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
