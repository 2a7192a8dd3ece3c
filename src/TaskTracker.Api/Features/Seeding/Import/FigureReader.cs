using System.Globalization;
using System.Text.RegularExpressions;
using TaskTracker.Domain;

namespace TaskTracker.Features.Seeding.Import;

/// <summary>A quantitative target found in a phrase, with what had to be guessed.</summary>
internal sealed record FoundTarget(
    string Phrase, string MetricZh, decimal Value, string Unit, string ValueAsWritten, string? Multiplier,
    Comparison Comparison, TargetKind Kind, Direction Direction,
    bool KindGuessed, bool ComparisonGuessed, bool UnitGuessed, string? UnitNote);

/// <summary>A qualitative deliverable found in a phrase.</summary>
internal sealed record FoundMilestone(string TitleZh, MilestoneKind Kind, Recurrence Recurrence, DateOnly? DueDate, string? DueNote);

/// <summary>
/// Reads targets and deliverables from a sentence by the conventions plans are written in: a figure with a unit
/// and an optional 万/亿, a comparison word before or after it, and the kind from 累计 / 新增 / 增长 / 年…收入;
/// every other phrase that states an action is a deliverable.
/// </summary>
internal static partial class FigureReader
{
    // Units after a figure. Latin units must not run on into another letter (5G基站 is not 5 G).
    private const string CjkUnits = "个百分点|百分点|平方公里|平方米|千瓦时|万千瓦|人次|公里|千米|千瓦|兆瓦|元|个|家|户|项|条|次|张|人|名|所|座|台|套|件|款|场|篇|份|吨|亩|处|部|种|类|栋|宗|笔|期|册|本|门|辆|架|颗|块|间|床|组|层|路";
    private static readonly string[] LatinUnits = ["EFLOPS", "PFLOPS", "TFLOPS", "Gbps", "Tbps", "Mbps", "GB", "TB", "PB", "EB", "MW", "GW", "kW", "km"];

    [GeneratedRegex(@"(?<![0-9A-Za-z.．])(?<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?<mul>万|亿)?\s*(?:(?<unit>%|％|" + CjkUnits + @")|(?<latin>[A-Za-z]{2,8})(?![A-Za-z]))?\s*(?<post>以上|左右|以内|以下)?")]
    private static partial Regex Figure();

    [GeneratedRegex(@"(至少|不少于|不低于|不小于|突破|超过|达到|达|扩容至|提高到|提升至|提高至|增加到|增至|至)\s*$")]
    private static partial Regex ComparisonBefore();

    [GeneratedRegex(@"年(综合|营业|主营业务)?(收入|产值|营收|交易额|销售额|营业额)|全年|年度")]
    private static partial Regex AnnualWords();

    [GeneratedRegex(@"^(依托|按照|围绕|基于|根据|结合|对照|聚焦|通过|坚持|面向|立足|借助|以|为)")]
    private static partial Regex FramingWords();

    [GeneratedRegex(@"^(\d{4})\s*年")]
    private static partial Regex LeadingYear();

    public static List<FoundTarget> Targets(string phrase)
    {
        var found = new List<FoundTarget>();
        var lastEnd = 0;
        // The figures of the phrase, found once: each one's metric stops at the next.
        var figures = Figure().Matches(phrase).Where(x => x.Groups["unit"].Success || x.Groups["mul"].Success
                                                          || (x.Groups["latin"].Success && IsLatinUnit(x.Groups["latin"].Value))).ToList();
        for (var fi = 0; fi < figures.Count; fi++)
        {
            var m = figures[fi];
            string unit;
            bool unitGuessed = false;
            string? unitNote = null;
            if (m.Groups["latin"].Success)
            {
                var written = m.Groups["latin"].Value;
                var known = KnownLatinUnit(written)!; // 5G, IPv6 and the like were left out above: names, not quantities
                unit = known;
                if (!known.Equals(written, StringComparison.OrdinalIgnoreCase))
                {
                    unitGuessed = true;
                    unitNote = $"unit written “{written}”, read as {known}";
                }
            }
            else unit = m.Groups["unit"].Success ? m.Groups["unit"].Value.Replace('％', '%') : "";

            var value = decimal.Parse(m.Groups["num"].Value.Replace(",", ""), CultureInfo.InvariantCulture);
            var mul = m.Groups["mul"].Success ? m.Groups["mul"].Value : null;
            // 亿 stays part of the unit (亿元, 亿条: figures are reported in hundreds of millions); 万 is multiplied
            // out except in 万元, which is a unit of account in its own right.
            if (mul == "亿") unit = "亿" + unit;
            else if (mul == "万" && unit == "元") unit = "万元";
            else if (mul == "万") value = Normalise(value * 10_000m);
            if (unit.Length == 0) { unit = mul ?? ""; unitGuessed = true; unitNote = $"no unit after “{m.Value.Trim()}”"; }

            var lead = phrase[lastEnd..m.Index];
            var tail = phrase[(m.Index + m.Length)..];
            var nextAt = fi + 1 < figures.Count ? figures[fi + 1].Index - (m.Index + m.Length) : -1;
            lastEnd = m.Index + m.Length;
            var post = m.Groups["post"].Value;
            var before = ComparisonBefore().Match(lead);
            var hasIncrease = lead.Contains("增长") || lead.Contains("增速") || lead.Contains("增幅");

            Comparison comparison;
            var comparisonGuessed = false;
            if (post == "以上") comparison = Comparison.AtLeast;
            else if (post == "左右") comparison = Comparison.About;
            else if (before.Success && before.Groups[1].Value is "至少" or "不少于" or "不低于" or "不小于" or "突破" or "超过") comparison = Comparison.AtLeast;
            else if (before.Success) comparison = Comparison.Reach;
            else if (hasIncrease && unit == "%") comparison = Comparison.IncreaseBy;
            else { comparison = Comparison.Reach; comparisonGuessed = true; } // a bare figure is a level to reach

            TargetKind kind;
            var kindGuessed = false;
            if (unit == "%" && hasIncrease) kind = TargetKind.GrowthRate;
            else if (lead.Contains("累计")) kind = TargetKind.Cumulative;
            else if (Regex.IsMatch(lead, "新增|新建|新开工|新培育|新引进|新认定")) kind = TargetKind.NewInYear;
            else if (AnnualWords().IsMatch(lead)) kind = TargetKind.Annual;
            else
            {
                kindGuessed = true;
                if (Regex.IsMatch(lead, "打造|培育|引进|建成|形成|创建|评选|认定|孵化")) kind = TargetKind.NewInYear;      // things made this year
                else if (Regex.IsMatch(lead, "服务|研制|举办|培训|开展|组织|办理|接待|发放|完成")) kind = TargetKind.Annual; // work done over the year
                else if (unit.EndsWith('元')) kind = TargetKind.Annual;                                                // money is a flow
                else kind = TargetKind.Cumulative;                                                                     // a count or capacity is a stock
            }
            var direction = Regex.IsMatch(lead, "降低|下降|减少|控制在|压减|降至") || post is "以内" or "以下" ? Direction.Lower : Direction.Higher;

            var counted = tail[..(nextAt >= 0 ? nextAt : tail.Length)];
            if (nextAt >= 0 && counted.IndexOf('、') is >= 0 and var cut) counted = counted[..cut];
            found.Add(new FoundTarget(phrase, Metric(lead, counted), value, unit,
                m.Value.Trim(), mul, comparison, kind, direction, kindGuessed, comparisonGuessed, unitGuessed, unitNote));
        }
        return found;
    }

    /// <summary>What is counted: the words after the figure when it comes first (打造 50 个以上大模型应用场景),
    /// otherwise the words before it without the comparison (全省算力规模达到 150EFLOPS).</summary>
    private static string Metric(string lead, string tail)
    {
        var after = tail.Trim().TrimStart('、', '，', ',').Trim();
        if (after.Count(c => c >= '\u4e00' && c <= '\u9fff') >= 2) return after;
        var text = ComparisonBefore().Replace(lead, "").Trim();
        text = Regex.Replace(text, "^(力争|确保|实现|推动|争取)", "").Trim();
        text = LeadingYear().Replace(text, "").Trim().Trim('、', '，', ',');
        text = Regex.Replace(text, "(累计|新增|新建)$", "").Trim();
        return text.Length == 0 ? after : text;
    }

    [GeneratedRegex(@"(?<m>\d{1,2})\s*月(底|末)?(前|之前)|(?<h>上半年)|(?<q>一|二|三|第一|第二|第三)季度(末|底)?前")]
    private static partial Regex DueWords();

    public static FoundMilestone? Milestone(string phrase, string sentence, int year)
    {
        var p = phrase.Trim().Trim('。', '；', ';');
        if (p.Length < 4 || FramingWords().IsMatch(p)) return null;
        var recurrence = Regex.IsMatch(sentence, "每季度|按季度|逐季度|每个季度") ? Recurrence.Quarterly : Recurrence.None;
        // A deadline written in the phrase (6月底前, 上半年, 三季度前); otherwise the plan's end.
        DateOnly? due = null;
        var d = DueWords().Match(p);
        if (d.Success && recurrence == Recurrence.None)
        {
            var month = d.Groups["m"].Success ? int.Parse(d.Groups["m"].Value)
                : d.Groups["h"].Success ? 6
                : 3 * (d.Groups["q"].Value.TrimStart('第') switch { "一" => 1, "二" => 2, _ => 3 });
            if (month is >= 1 and <= 12) due = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        }
        return new FoundMilestone(p, Kind(p), recurrence, due, due is null ? null : $"due date from “{d.Value}”");
    }

    private static MilestoneKind Kind(string p) =>
        Regex.IsMatch(p, "大赛|会议|博览会|论坛|活动|培训|考试|比赛|峰会|办好") ? MilestoneKind.Event
        : Regex.IsMatch(p, "机制|制度|认定|登记|评估|监测") ? MilestoneKind.Mechanism
        : Regex.IsMatch(p, "方案|办法|意见|条例|细则|规划|清单|目录|要点|政策|措施|标准|指南|图") ? MilestoneKind.Document
        : Regex.IsMatch(p, "系统|平台|中台|底座|库|应用端|网|体系") ? MilestoneKind.System
        : Regex.IsMatch(p, "建设|试点|工程|项目|基地|园|中心") ? MilestoneKind.Project
        : MilestoneKind.Other;

    private static bool IsLatinUnit(string written) => KnownLatinUnit(written) is not null;

    /// <summary>A known unit in any letter case, or one letter off it (the source's “Efllops”).</summary>
    private static string? KnownLatinUnit(string written) =>
        LatinUnits.FirstOrDefault(u => u.Equals(written, StringComparison.OrdinalIgnoreCase))
        ?? (written.Length >= 4 ? LatinUnits.FirstOrDefault(u => u.Length >= 4 && EditDistance(u.ToLowerInvariant(), written.ToLowerInvariant()) == 1) : null);

    /// <summary>1.5 × 10000 is 15000, not 15000.0.</summary>
    public static decimal Normalise(decimal d) => d / 1.000000000000000000000000000000000m;

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
