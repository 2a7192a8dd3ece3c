using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskTracker.Domain;

namespace TaskTracker.Features.Access;

internal sealed record CreateTokenBody(Role? Role, string? Agency, string? Name, DateOnly? Expires);

internal static class TokenEndpoints
{
    /// <summary>What a replayed token creation shows instead of the secret, which is never stored.</summary>
    public const string ReplayedSecret = "(shown only in the first answer; revoke this token and create another if it was lost)";

    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization(Policies.Admin);
        g.MapGet("/", async Task<Ok<IReadOnlyList<TokenInfo>>> (TokenService tokens, CancellationToken ct) => TypedResults.Ok(await tokens.ListAsync(ct)))
            .WithName("ListTokens").WithSummary("All tokens (never their secrets).").ProducesProblem(401).ProducesProblem(403);
        g.MapPost("/", async Task<Created<CreatedToken>> (CreateTokenBody body, TokenService tokens, Caller caller, WriteStep write, CancellationToken ct) =>
            {
                if (body.Role is not { } role || !Enum.IsDefined(role))
                    throw new ValidationException([new FluentValidation.Results.ValidationFailure("role", "role is required: reporter, office, viewer or admin.")]);
                // An admin token minting admin tokens would make one leaked token permanent; those come from the command line only.
                if (role == Role.Admin)
                    throw new ForbiddenException("admin tokens are issued only on the server's command line (tokens create --role admin).");
                var created = await write.RunAsync(null, async w =>
                {
                    var made = await tokens.CreateAsync(role, body.Agency, body.Name, body.Expires, caller.TokenId, ct);
                    // Only the token's hash is ever stored: a replay says which token was made, but cannot show its secret again.
                    w.Respond(StatusCodes.Status201Created, made with { Token = ReplayedSecret }, $"/api/tokens/{made.Info.Id}");
                    return made;
                }, ct);
                return TypedResults.Created($"/api/tokens/{created.Info.Id}", created);
            })
            .WithMetadata(new Common.Security.CarriesSecret()).WithIdempotency()
            .WithName("CreateToken").WithSummary("Issue a token (not an admin token: those come from the command line); the secret is in the response and is shown only this once. Supports Idempotency-Key.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        g.MapDelete("/{idOrPrefix}", async Task<Ok<TokenInfo>> (string idOrPrefix, TokenService tokens, Caller caller, CancellationToken ct) =>
                TypedResults.Ok(await tokens.RevokeAsync(idOrPrefix, caller.TokenId, ct)))
            .WithName("RevokeToken").WithSummary("Revoke a token by id or prefix.").ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }
}
