using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;


namespace TaskTracker.Features.Bulletin;

internal static class BulletinSetup
{
    public static IServiceCollection AddBulletinServices(IServiceCollection services, IConfiguration config)
    {
        var a = services.AddOptions<AssessmentOptions>().Bind(config.GetSection(AssessmentOptions.Section));
        foreach (var (check, message) in AssessmentOptions.Rules) a.Validate(check, message);
        a.ValidateOnStart();
        services.AddScoped<BulletinData>();
        return services;
    }

    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plans/{plan}").WithTags("Bulletin");
        g.MapGet("/changes", async Task<Ok<PlanChanges>> (string plan, DateOnly? from, DateOnly? to, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetChangesQuery(plan, from, to), ct)))
            .WithName("PlanChanges")
            .WithSummary("What moved between the end of `from` and the end of `to`: newly overdue, back on track, done, signed off; instructions issued, answered, closed; reports returned. Each with its task number.")
            .RequireAuthorization(Policies.Read)
            .ProducesValidationProblem().ProducesProblem(404);
        g.MapGet("/assessment", async Task<Ok<PlanAssessment>> (string plan, DateOnly? from, DateOnly? to, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new GetAssessmentQuery(plan, from, to), ct)))
            .WithName("PlanAssessment")
            .WithSummary("考核: a score per leading agency (on-time filing, completion against expected, overdue measures, instruction replies on time), weighted as configured, ranked. Office and admin.")
            .RequireAuthorization(Policies.OfficeOrAdmin)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        g.MapGet("/bulletin.docx", async Task<FileContentHttpResult> (string plan, DateOnly? from, DateOnly? to, ISender m, CancellationToken ct) =>
            {
                var c = await m.Send(new GetBulletinQuery(plan, from, to), ct);
                return TypedResults.File(BulletinDocx.Write(c, Number(c.To)),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", $"{c.Plan.Code}-bulletin-{c.To:yyyy-MM-dd}.docx");
            })
            .WithName("BulletinDocx")
            .WithSummary("督查通报 for the period as a Word document: masthead, overall progress, progress by section, agencies' ranking, newly overdue, done and signed off, open instructions. Office and admin.")
            .RequireAuthorization(Policies.OfficeOrAdmin)
            .Produces(200, contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        g.MapGet("/bulletin.xlsx", async Task<FileContentHttpResult> (string plan, DateOnly? from, DateOnly? to, ISender m, CancellationToken ct) =>
            {
                var c = await m.Send(new GetBulletinQuery(plan, from, to), ct);
                return TypedResults.File(BulletinXlsx.Write(c), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    $"{c.Plan.Code}-bulletin-{c.To:yyyy-MM-dd}.xlsx");
            })
            .WithName("BulletinXlsx").WithSummary("The bulletin's tables as a workbook, one sheet per table. Office and admin.")
            .RequireAuthorization(Policies.OfficeOrAdmin)
            .Produces(200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    /// <summary>The issue number: the year and the quarter the period ends in, e.g. 〔2026〕第2期.</summary>
    public static string Number(DateOnly to) => $"〔{to.Year}〕第{(to.Month - 1) / 3 + 1}期";
}
