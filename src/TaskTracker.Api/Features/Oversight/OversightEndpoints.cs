using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskTracker.Domain;

namespace TaskTracker.Features.Oversight;

internal static class OversightEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var lists = app.MapGroup("/api/plans/{plan}").WithTags("Oversight").RequireAuthorization(Policies.Read);
        foreach (var (path, list, summary) in new[]
                 {
                     ("overdue", ReviewList.Overdue, "Measures and tasks past due and not done, and instructions past their reply-by date (red), worst first."),
                     ("at-risk", ReviewList.AtRisk, "Measures not yet due that are off track (orange), at risk or due soon and not done (yellow)."),
                     ("missing-reports", ReviewList.MissingReports, "Measures whose reporting deadlines (cadence + grace days) passed with no report."),
                 })
        {
            lists.MapGet("/" + path, async (string plan, DateOnly? asOf, string? agency, string? role, int? section, string? severity, string? format,
                    DateOnly? knownAt, ISender m, CancellationToken ct) =>
                {
                    var result = await m.Send(new OversightListQuery(plan, list, asOf, agency, role, section, severity, knownAt), ct);
                    return format switch
                    {
                        null or "json" => Results.Ok(result),
                        "csv" => Results.File(OversightCsv.Items(result.Items), "text/csv; charset=utf-8", $"{plan}-{path}-{result.AsOf:yyyy-MM-dd}.csv"),
                        _ => throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("format", "format must be json or csv.")]),
                    };
                })
                .WithName("List" + list).WithSummary(summary + " Filters: agency (role any|lead), section, severity; knownAt=K shows the list as it stood at the end of day K; format=csv exports the list.")
                .Produces<OversightList>().Produces(200, contentType: "text/csv").ProducesValidationProblem().ProducesProblem(404)
                .AddEndpointFilter<DashboardETagFilter>().WithMetadata(new DependsOnInstructions());
        }
        lists.MapGet("/oversight/agencies", async Task<Ok<AgencySlippageList>> (string plan, DateOnly? asOf, DateOnly? knownAt, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new AgencySlippageQuery(plan, asOf, knownAt), ct)))
            .WithName("AgencySlippage").WithSummary("Overdue, at-risk and missing-report counts per agency, as lead and as co-operator, most slippage first.")
            .ProducesValidationProblem().ProducesProblem(404)
            .AddEndpointFilter<DashboardETagFilter>().WithMetadata(new DependsOnInstructions());

        lists.MapGet("/instructions", async Task<Ok<IReadOnlyList<InstructionDto>>> (string plan, string? agency, InstructionStatus? status, bool? overdue, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListInstructionsQuery(plan, agency, status, overdue), ct)))
            .WithName("ListInstructions").WithSummary("Follow-up instructions (督办) with their threads, by reply-by date.").ProducesProblem(404);
        app.MapPost("/api/plans/{plan}/instructions", async Task<Created<InstructionDto>> (string plan, IssueInstructionBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new IssueInstructionCommand(plan, body), ct);
                return TypedResults.Created($"/api/instructions/{dto.Id}", dto);
            })
            .WithTags("Oversight").WithName("IssueInstruction")
            .WithSummary("The office issues a follow-up instruction on a task or measure to a responsible agency, with a reply-by date.")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        var one = app.MapGroup("/api/instructions").WithTags("Oversight");
        one.MapGet("/{id:int}", async Task<Ok<InstructionDto>> (int id, ISender m, CancellationToken ct) => TypedResults.Ok(await m.Send(new GetInstructionQuery(id), ct)))
            .WithName("GetInstruction").WithSummary("An instruction with its whole thread.").RequireAuthorization(Policies.Read).ProducesProblem(404);
        one.MapPost("/{id:int}/replies", async Task<Ok<InstructionDto>> (int id, ReplyBody body, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ReplyInstructionCommand(id, body), ct)))
            .WithName("ReplyInstruction").WithSummary("The addressed agency replies, optionally asking for an extension to a new date.")
            .RequireAuthorization(Policies.Report)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        one.MapPost("/{id:int}/decisions", async Task<Ok<InstructionDto>> (int id, DecisionBody body, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new DecideInstructionCommand(id, body), ct)))
            .WithName("DecideInstruction").WithSummary("The office closes the instruction, sends it back, or accepts or rejects a requested extension.")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        app.MapGet("/api/agencies/{code}/inbox", async Task<Ok<Inbox>> (string code, DateOnly? asOf, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetInboxQuery(code, asOf), ct)))
            .WithTags("Oversight").WithName("GetInbox")
            .WithSummary("An agency's inbox: reports due or missing, returned reports, instructions awaiting its reply, by deadline. Its own, or any for the office.")
            .RequireAuthorization()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }
}
