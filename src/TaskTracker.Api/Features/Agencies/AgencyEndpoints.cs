using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TaskTracker.Features.Agencies;

internal static class AgencyEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/agencies").WithTags("Agencies");

        g.MapGet("/", async Task<Ok<IReadOnlyList<AgencySummary>>> (string? kind, string? q, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListAgenciesQuery(kind, q), ct)))
            .WithName("ListAgencies").WithSummary("The agencies catalogue, optionally by kind or matching text.")
            .ProducesValidationProblem();

        g.MapGet("/{code}", async Task<Ok<AgencyDetail>> (string code, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetAgencyQuery(code), ct)))
            .WithName("GetAgency").WithSummary("An agency with the tasks it leads and those it co-operates on (directly or through a group).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
