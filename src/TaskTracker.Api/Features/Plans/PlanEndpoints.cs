using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TaskTracker.Features.Plans;

internal static class PlanEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plans").WithTags("Plans");

        g.MapGet("/", async Task<Ok<IReadOnlyList<PlanSummary>>> (ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListPlansQuery(), ct)))
            .WithName("ListPlans").WithSummary("All plans loaded from seed data.");

        g.MapGet("/{plan}", async Task<Ok<PlanDetail>> (string plan, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetPlanQuery(plan), ct)))
            .WithName("GetPlan").WithSummary("A plan with its sections and headline targets.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        g.MapGet("/{plan}/tasks", async Task<Ok<Paged<TaskSummary>>> (
                    string plan, int? section, string? agency, string? role, bool? hasTargets, string? q,
                    int? page, int? pageSize, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListTasksQuery(plan, section, agency, role, hasTargets, q, page ?? 1, pageSize ?? 50), ct)))
            .WithName("ListTasks")
            .WithSummary("Tasks of a plan, filtered by section, responsible agency (role any|lead), whether they carry quantitative targets, and free text over Chinese and English.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        g.MapGet("/{plan}/tasks/{number:int}", async Task<Ok<TaskDetail>> (string plan, int number, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetTaskQuery(plan, number), ct)))
            .WithName("GetTask").WithSummary("A task with its clauses, responsible agencies and roles, targets and milestones.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
