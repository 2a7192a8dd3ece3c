using FluentValidation;

namespace TaskTracker.Common;

/// <summary>
/// The time rules every module uses: the plan runs on China time (UTC+8), so "today" is today in China; the only
/// place that turns the system clock (a <see cref="TimeProvider"/>) into a date.
/// </summary>
internal static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Offset).DateTime);

    /// <summary>The date a read is "as of": the one asked for, or today in China when none was.</summary>
    public static DateOnly AsOfOrToday(DateOnly? asOf, TimeProvider clock) => asOf ?? Today(clock);
}

/// <summary>Reporting periods and their labels: 2025-Q1 for a quarter, 2025-03 for a month.</summary>
internal static class Periods
{
    public static string QuarterLabel(DateOnly d) => $"{d.Year}-Q{(d.Month - 1) / 3 + 1}";

    /// <summary>Months in one reporting period of a cadence.</summary>
    public static int Months(ReportingCadence cadence) => cadence == ReportingCadence.Quarterly ? 3 : 1;

    /// <summary>The label of the period of <paramref name="months"/> months that starts on <paramref name="start"/>.</summary>
    public static string Label(DateOnly start, int months) =>
        months == 3 ? QuarterLabel(start) : start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Dates far outside any plan are almost certainly typos; refuse them by name rather than compute nonsense.</summary>
internal static class AsOfRule
{
    public static readonly DateOnly Min = new(2000, 1, 1);
    public static readonly DateOnly Max = new(2100, 12, 31);

    public static void Apply<T>(AbstractValidator<T> v, System.Linq.Expressions.Expression<Func<T, DateOnly?>> asOf,
        System.Linq.Expressions.Expression<Func<T, DateOnly?>>? knownAt = null)
    {
        Date(v, asOf, "asOf");
        if (knownAt is not null) Date(v, knownAt, "knownAt");
    }

    private static void Date<T>(AbstractValidator<T> v, System.Linq.Expressions.Expression<Func<T, DateOnly?>> date, string name) =>
        v.RuleFor(date).Must(d => d is null || (d >= Min && d <= Max)).OverridePropertyName(name)
            .WithMessage($"{name} must be between {Min:yyyy-MM-dd} and {Max:yyyy-MM-dd}.");
}
