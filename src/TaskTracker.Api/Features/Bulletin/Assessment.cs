using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;


namespace TaskTracker.Features.Bulletin;

/// <summary>Weights of the assessment's four parts (section <c>Assessment:Weights</c>); each 0..1, together 1. See docs/assessment.md.</summary>
internal sealed class AssessmentOptions
{
    public const string Section = "Assessment";
    public AssessmentWeights Weights { get; set; } = new();

    public static IEnumerable<(Func<AssessmentOptions, bool> Check, string Message)> Rules =>
    [
        (o => new[] { o.Weights.OnTimeFiling, o.Weights.Completion, o.Weights.Overdue, o.Weights.InstructionReplies }.All(w => w is >= 0 and <= 1),
            "Assessment:Weights:OnTimeFiling, Completion, Overdue and InstructionReplies must each be between 0 and 1."),
        (o => Math.Abs(o.Weights.OnTimeFiling + o.Weights.Completion + o.Weights.Overdue + o.Weights.InstructionReplies - 1) < 1e-9,
            "Assessment:Weights must add up to 1 (OnTimeFiling + Completion + Overdue + InstructionReplies)."),
    ];
}

internal sealed class AssessmentWeights
{
    public double OnTimeFiling { get; set; } = 0.30;
    public double Completion { get; set; } = 0.40;
    public double Overdue { get; set; } = 0.20;
    public double InstructionReplies { get; set; } = 0.10;
}

/// <summary>One part of a score: the figure (0..1, null when nothing counted), what it was computed from, its weight.</summary>
internal sealed record ScorePart(double? Value, int Numerator, int Denominator, double Weight);

internal sealed record AgencyScore(int Rank, string Agency, string NameZh, string NameEn, double Score, int MeasuresLed,
    ScorePart OnTimeFiling, ScorePart Completion, ScorePart Overdue, ScorePart InstructionReplies);

internal sealed record PlanAssessment(string Plan, DateOnly From, DateOnly To, AssessmentWeights Weights, IReadOnlyList<AgencyScore> Agencies);

internal sealed record GetAssessmentQuery(string Plan, DateOnly? From, DateOnly? To) : IQuery<PlanAssessment>;

internal sealed class GetAssessmentValidator : AbstractValidator<GetAssessmentQuery>
{
    public GetAssessmentValidator() => PeriodRules.Apply(this, x => x.From, x => x.To, x => x.From, x => x.To);
}

/// <summary>
/// 考核: a score per leading agency from its filing punctuality, completion against the schedule, overdue measures and
/// instruction replies in the period; the formula is in docs/assessment.md.
/// </summary>
internal sealed class GetAssessmentHandler(BulletinData data, IOptions<AssessmentOptions> options) : IQueryHandler<GetAssessmentQuery, PlanAssessment>
{
    public async ValueTask<PlanAssessment> Handle(GetAssessmentQuery q, CancellationToken ct) =>
        await ComputeAsync(data, options.Value.Weights, q.Plan, q.From!.Value, q.To!.Value, ct);

    public static async Task<PlanAssessment> ComputeAsync(BulletinData data, AssessmentWeights w, string planCode, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var plan = await data.PlanAsync(planCode, ct);
        var standing = BulletinData.Measures(await data.StandingAsync(plan.Code, to, ct)).ToDictionary(m => m.Id);
        var leads = await data.LeadsByMeasureAsync(plan.Id, ct);
        var agencies = await data.AgenciesAsync(ct);
        var cadences = await data.CadencesAsync(plan.Id, ct);
        var filings = (await data.FilingsAsync(plan.Id, ct)).ToLookup(f => f.MeasureId);
        var instructions = await data.InstructionsAsync(plan.Id, ct);
        var (after, until) = (Completion.CutoffUtc(from), Completion.CutoffUtc(to));

        var scores = new List<AgencyScore>();
        foreach (var agencyId in leads.Values.SelectMany(s => s).Distinct())
        {
            var led = leads.Where(kv => kv.Value.Contains(agencyId) && standing.ContainsKey(kv.Key)).Select(kv => standing[kv.Key]).ToList();

            // On-time filing: reporting periods of led measures whose deadline (period end + grace) falls in the window.
            int due = 0, onTime = 0;
            foreach (var m in led)
            {
                var months = (cadences.GetValueOrDefault(m.Id) ?? plan.Cadence) == ReportingCadence.Quarterly ? 3 : 1;
                var last = m.DueDate < plan.End ? m.DueDate : plan.End;
                for (var start = new DateOnly(plan.Start.Year, plan.Start.Month, 1); start <= last; start = start.AddMonths(months))
                {
                    var end = start.AddMonths(months).AddDays(-1);
                    var deadline = end.AddDays(plan.GraceDays);
                    if (deadline <= from || deadline > to) continue;
                    due++;
                    if (filings[m.Id].Any(f => f.AsOf >= start && f.AsOf <= end && f.FiledAtUtc <= Completion.CutoffUtc(deadline))) onTime++;
                }
            }
            // Completion against expected: each led measure's completion over what the schedule expects by `to`, capped at 1.
            var ratios = led.Where(m => m.Expected > 0).Select(m => Math.Min(1.0, m.CappedCompletion / m.Expected)).ToList();
            var overdue = led.Count(m => m.Status == MeasureStatus.Overdue);
            // Instructions to the agency whose reply-by date fell in the window: replied by the end of that day?
            var owed = instructions.Where(i => i.AgencyId == agencyId && i.ReplyBy > from && i.ReplyBy <= to).ToList();
            var repliedOnTime = owed.Count(i => i.FirstReplyAtUtc is { } r && r <= Completion.CutoffUtc(i.ReplyBy));

            var parts = new[]
            {
                new ScorePart(due == 0 ? null : Round((double)onTime / due), onTime, due, w.OnTimeFiling),
                new ScorePart(ratios.Count == 0 ? null : Round(ratios.Average()), ratios.Count, led.Count, w.Completion),
                new ScorePart(led.Count == 0 ? null : Round(1 - (double)overdue / led.Count), overdue, led.Count, w.Overdue),
                new ScorePart(owed.Count == 0 ? null : Round((double)repliedOnTime / owed.Count), repliedOnTime, owed.Count, w.InstructionReplies),
            };
            // Parts with nothing to measure drop out and the others' weights are scaled up to 1.
            var counted = parts.Where(p => p.Value is not null && p.Weight > 0).ToList();
            var weight = counted.Sum(p => p.Weight);
            var score = weight == 0 ? 0 : Math.Round(100 * counted.Sum(p => p.Weight * p.Value!.Value) / weight, 2);
            var a = agencies[agencyId];
            scores.Add(new AgencyScore(0, a.Code, a.NameZh, a.NameEn, score, led.Count, parts[0], parts[1], parts[2], parts[3]));
        }
        var ordered = scores.OrderByDescending(s => s.Score).ThenBy(s => s.Agency, StringComparer.Ordinal).ToList();
        // Competition ranking: equal scores share a rank (1, 2, 2, 4).
        var ranked = ordered.Select((s, i) => s with { Rank = ordered.FindIndex(x => x.Score == s.Score) + 1 }).ToList();
        return new PlanAssessment(plan.Code, from, to, w, ranked);
    }

    private static double Round(double x) => Math.Round(x, 4);
}
