using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskTracker.Domain;

namespace TaskTracker.Features.Access;

internal sealed record CreateTokenBody(Role? Role, string? Agency, string? Name, DateOnly? Expires);

internal static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(Policies.Admin);
        g.MapGet("/", async Task<Ok<IReadOnlyList<TokenInfo>>> (TokenService tokens, CancellationToken ct) => TypedResults.Ok(await tokens.ListAsync(ct)))
            .WithName("ListTokens").WithSummary("All tokens (never their secrets).").ProducesProblem(401).ProducesProblem(403);
        g.MapPost("/", async Task<Created<CreatedToken>> (CreateTokenBody body, TokenService tokens, Caller caller, CancellationToken ct) =>
            {
                if (body.Role is not { } role || !Enum.IsDefined(role))
                    throw new ValidationException([new FluentValidation.Results.ValidationFailure("role", "role is required: reporter, office, viewer or admin.")]);
                var created = await tokens.CreateAsync(role, body.Agency, body.Name, body.Expires, caller.TokenId, ct);
                return TypedResults.Created($"/api/tokens/{created.Info.Id}", created);
            })
            .WithName("CreateToken").WithSummary("Issue a token; the secret is in the response and is shown only this once.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        g.MapDelete("/{idOrPrefix}", async Task<Ok<TokenInfo>> (string idOrPrefix, TokenService tokens, Caller caller, CancellationToken ct) =>
                TypedResults.Ok(await tokens.RevokeAsync(idOrPrefix, caller.TokenId, ct)))
            .WithName("RevokeToken").WithSummary("Revoke a token by id or prefix.").ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }
}
