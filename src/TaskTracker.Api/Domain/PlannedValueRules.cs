using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskTracker.Domain;

/// <summary>One planned value as written (seed or request), before it is checked.</summary>
internal sealed record PlannedInput(string? Period, decimal? Value, string? Unit);

/// <summary>A problem with one planned value: its index in the list (null for the list as a whole), the field, why.</summary>
internal sealed record PlannedProblem(int? Index, string Field, string Message);

/// <summary>
/// The rules planned values (计划值) obey wherever they come from (the seed or the office): a month (2025-03) or quarter
/// (2025-Q1) inside the plan period, one value per period end, in the target's unit, and, since reports are running
/// totals or year-to-date figures, never going back against the target's direction. Growth rates take none: a rate is
/// held all year.
/// </summary>
internal static partial class PlannedValueRules
{
    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?:Q(?<q>[1-4])|(?<m>0[1-9]|1[0-2]))$")]
    private static partial Regex PeriodPattern();

    /// <summary>The first and last day of a period label; false if it is neither YYYY-MM nor YYYY-Qn.</summary>
    public static bool TryParse(string? period, out DateOnly first, out DateOnly last)
    {
        first = last = default;
        var m = PeriodPattern().Match(period?.Trim() ?? "");
        if (!m.Success) return false;
        var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        if (year < 2000 || year > 2100) return false;
        var (fromMonth, months) = m.Groups["q"].Success
            ? ((int.Parse(m.Groups["q"].Value, CultureInfo.InvariantCulture) - 1) * 3 + 1, 3)
            : (int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture), 1);
        first = new DateOnly(year, fromMonth, 1);
        last = first.AddMonths(months).AddDays(-1);
        return true;
    }

    public static List<PlannedProblem> Check(IReadOnlyList<PlannedInput> list, TargetKind kind, Direction direction, string unit,
        DateOnly periodStart, DateOnly periodEnd)
    {
        var problems = new List<PlannedProblem>();
        if (kind == TargetKind.GrowthRate && list.Count > 0)
        {
            problems.Add(new(null, "", "a growth-rate target is held at its rate all year and takes no planned values"));
            return problems;
        }
        var ends = new Dictionary<DateOnly, int>();
        var valid = new List<(DateOnly End, decimal Value, int Index)>();
        for (var i = 0; i < list.Count; i++)
        {
            var p = list[i];
            if (!TryParse(p.Period, out var first, out var last))
                problems.Add(new(i, "period", "must be YYYY-MM (a month) or YYYY-Qn (a quarter), e.g. 2025-03 or 2025-Q1"));
            else if (first < periodStart || last > periodEnd)
                problems.Add(new(i, "period", $"{p.Period} is not inside the plan period {periodStart:yyyy-MM-dd} to {periodEnd:yyyy-MM-dd}"));
            else if (!ends.TryAdd(last, i))
                problems.Add(new(i, "period", $"{p.Period} ends on {last:yyyy-MM-dd}, as does entry {ends[last]}; give one value per period end"));
            if (p.Value is null) problems.Add(new(i, "value", "is required"));
            else if (p.Value < 0) problems.Add(new(i, "value", "must not be negative"));
            if (p.Unit is not null && p.Unit != unit) problems.Add(new(i, "unit", $"must be the target's unit '{unit}' (or left out)"));
            if (problems.All(x => x.Index != i) && p.Value is { } v) valid.Add((last, v, i));
        }
        // Reports are running totals (stocks) or year-to-date figures, so the plan cannot go back against the target's direction.
        var ordered = valid.OrderBy(x => x.End).ToList();
        for (var k = 1; k < ordered.Count; k++)
        {
            var (prev, cur) = (ordered[k - 1], ordered[k]);
            var back = direction == Direction.Higher ? cur.Value < prev.Value : kind == TargetKind.Cumulative && cur.Value > prev.Value;
            if (back)
                problems.Add(new(cur.Index, "value", $"{cur.Value} goes {(direction == Direction.Higher ? "below" : "above")} the {prev.Value} planned for an earlier period; " +
                    (kind == TargetKind.Cumulative ? "a stock is planned as a running total" : "planned values are year-to-date totals")));
        }
        return problems;
    }
}
