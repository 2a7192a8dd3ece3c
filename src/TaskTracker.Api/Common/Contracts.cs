using TaskTracker.Domain;

namespace TaskTracker.Common;

internal sealed record AgencyRef(string Code, string NameZh, string NameEn, string Kind);

internal sealed record FigureDto(decimal Value, BaselineComparison Comparison, DateOnly? AsOf, string? SourceText, string? Source, string? Note);

internal sealed record TargetDto(
    int Id, string Code, int? TaskNumber, int? Clause, bool IsHeadline,
    string MetricZh, string MetricEn, decimal Value, string Unit, string UnitEn, string? ValueAsWritten,
    Comparison Comparison, TargetKind Kind, Direction Direction, DateOnly DueDate, decimal Weight,
    ReportingCadence Cadence, FigureDto? Baseline, FigureDto? Reference2024, string SourceText, string? Note, bool Active);

internal sealed record MilestoneDto(
    int Id, string Code, int? TaskNumber, int? Clause, string TitleZh, string TitleEn, MilestoneKind Kind,
    DateOnly DueDate, Recurrence Recurrence, decimal Weight, ReportingCadence Cadence, string SourceText, string? Note, bool Active);

internal static class MeasureMapping
{
    public static FigureDto? ToDto(this Figure? f) =>
        f is null ? null : new FigureDto(f.Value, f.Comparison, f.AsOf, f.SourceText, f.Source, f.Note);

    public static TargetDto ToDto(this Target t, ReportingCadence planCadence) => new(
        t.Id, t.Code, t.Task?.Number, t.Clause?.Seq, t.IsHeadline, t.MetricZh, t.MetricEn, t.Value, t.Unit, t.UnitEn,
        t.ValueAsWritten, t.Comparison, t.Kind, t.Direction, t.DueDate, t.Weight, t.Cadence ?? planCadence,
        t.Baseline.ToDto(), t.Reference2024.ToDto(), t.SourceText, t.Note, t.Active);

    public static MilestoneDto ToDto(this Milestone m, ReportingCadence planCadence) => new(
        m.Id, m.Code, m.Task?.Number, m.Clause?.Seq, m.TitleZh, m.TitleEn, m.Kind, m.DueDate, m.Recurrence, m.Weight,
        m.Cadence ?? planCadence, m.SourceText, m.Note, m.Active);
}
