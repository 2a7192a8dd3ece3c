using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Common;

/// <summary>
/// Idempotency-Key handling after draft-ietf-httpapi-idempotency-key-header: the key is claimed (committed) before
/// the work, and completed with the stored response inside the same transaction as the work itself. A retry then
/// replays the response; a crash before commit leaves an expired claim that the retry takes over.
/// </summary>
internal sealed class IdempotencyContext
{
    public IdempotencyRecord? Claimed { get; set; }

    /// <summary>A grouped filing's claim, not yet written: the writer inserts it completed, in the filing's transaction.</summary>
    public DeferredClaim? Deferred { get; set; }
}

internal sealed record DeferredClaim(int TokenId, string Key, string Route, string RequestHash, DateTime ClaimedAtUtc);

/// <summary>A grouped filing met the unique (token, key) index: a duplicate got there first, possibly in the same batch.</summary>
internal sealed class IdempotencyCollision(IdempotencyRecord existing) : Exception("Idempotency-Key already on record.")
{
    public IdempotencyRecord Existing { get; } = existing;
}

/// <summary>Marks an endpoint whose handler writes through <see cref="WriteStep.RunGroupedAsync{T}"/>.</summary>
internal sealed record GroupedEndpoint;

internal sealed class IdempotencyFilter : IEndpointFilter
{
    public const string Header = "Idempotency-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        string? key = http.Request.Headers[Header];
        if (key is null) return await next(ctx);
        if (key.Length is 0 or > 255 || key.Any(c => c < 0x21 || c > 0x7e))
            return Problem(400, "Invalid Idempotency-Key", "Idempotency-Key must be 1-255 visible ASCII characters.", field: Header);

        var sp = http.RequestServices;
        var db = sp.GetRequiredService<TaskTrackerDb>();
        var clock = sp.GetRequiredService<TimeProvider>();
        var lease = TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<OperationsOptions>>().Value.IdempotencyLeaseSeconds);
        var caller = sp.GetRequiredService<Caller>();
        if (caller.TokenId is not { } tokenId) return await next(ctx); // unauthenticated requests are refused before this

        var hash = await RequestHashAsync(http);
        var route = http.Request.Path.Value ?? "";
        var now = clock.GetUtcNow().UtcDateTime;
        var context = sp.GetRequiredService<IdempotencyContext>();
        IdempotencyRecord? record = null;
        if (http.GetEndpoint()?.Metadata.GetMetadata<GroupedEndpoint>() is not null && sp.GetRequiredService<GroupCommitter>().Enabled)
        {
            // Grouped filings (ADR 0009): the claim is written in the filing's own transaction, with its response. Only
            // a key already on record is looked at here; a duplicate racing this one meets the unique index in the writer.
            var found = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.TokenId == tokenId && r.Key == key, http.RequestAborted);
            if (found is null)
            {
                context.Deferred = new DeferredClaim(tokenId, key, route, hash, now);
                try
                {
                    return await next(ctx);
                }
                catch (IdempotencyCollision c)
                {
                    return Answer(c.Existing);
                }
            }
            if (await ExistingAsync(found) is { } answer) return answer;
            record = context.Claimed;
        }
        else
        {
            record = new IdempotencyRecord
            {
                TokenId = tokenId, Key = key, Route = route, RequestHash = hash, State = IdempotencyState.InFlight, CreatedAtUtc = now,
            };
            db.IdempotencyRecords.Add(record);
            try
            {
                await db.SaveChangesAsync(http.RequestAborted);
                context.Claimed = record;
            }
            catch (DbUpdateException e) when (Security.UniqueViolation.Is(e))
            {
                // Only the unique index says the key was claimed before; a busy or locked database answers 503 (nothing saved).
                db.ChangeTracker.Clear();
                var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.TokenId == tokenId && r.Key == key, http.RequestAborted);
                if (existing is null) throw;
                if (await ExistingAsync(existing) is { } answer) return answer;
                record = context.Claimed;
            }
        }

        // A grouped filing met a record of its key in the writer (the duplicate is at least as far as this one): answer as a
        // retry would, never taking anything over from here.
        IResult Answer(IdempotencyRecord existing) =>
            existing.RequestHash != hash
                ? Problem(422, "Idempotency-Key reused", "This Idempotency-Key was already used with a different request; use a new key.", Header)
                : existing.State == IdempotencyState.Completed
                    ? new Replay(existing)
                    : Problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed; retry later.", Header);

        // A key already on record: replay, 422, 409, or (null) the claim was taken over and is in context.Claimed.
        async Task<IResult?> ExistingAsync(IdempotencyRecord existing)
        {
            if (existing.RequestHash != hash)
                return Problem(422, "Idempotency-Key reused", "This Idempotency-Key was already used with a different request; use a new key.", Header);
            if (existing.State == IdempotencyState.Completed)
                return new Replay(existing);
            // Clocks of several instances may differ by a little; the lease must be longer than any request and any skew.
            if (existing.CreatedAtUtc > now - lease)
                return Problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed; retry later.", Header);
            // The earlier attempt died before committing (nothing was written with it): take its claim over, once.
            var taken = await db.IdempotencyRecords
                .Where(r => r.Id == existing.Id && r.State == IdempotencyState.InFlight && r.CreatedAtUtc == existing.CreatedAtUtc)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAtUtc, now), http.RequestAborted);
            if (taken == 0)
                return Problem(409, "Request in progress", "A request with this Idempotency-Key is still being processed; retry later.", Header);
            context.Claimed = await db.IdempotencyRecords.FirstAsync(r => r.Id == existing.Id, http.RequestAborted);
            return null;
        }

        if (record is null) throw new InvalidOperationException("Idempotency claim missing.");
        try
        {
            var result = await next(ctx);
            if (record.State != IdempotencyState.Completed) await ReleaseAsync(db, record);
            return result;
        }
        catch (IdempotencyCollision c)
        {
            // A grouped filing found its taken-over claim taken by another request meanwhile: that one answers for the key.
            return Answer(c.Existing);
        }
        catch
        {
            await ReleaseAsync(db, record);
            throw;
        }
    }

    /// <summary>
    /// A failed request frees its key, so the client can fix the request and send it again with the same key; only
    /// while the claim is still its own (another instance may have taken an expired claim over).
    /// </summary>
    private static Task ReleaseAsync(TaskTrackerDb db, IdempotencyRecord claim)
    {
        var (id, claimedAt) = (claim.Id, db.Entry(claim).Property(r => r.CreatedAtUtc).OriginalValue);
        return db.IdempotencyRecords.Where(r => r.Id == id && r.State == IdempotencyState.InFlight && r.CreatedAtUtc == claimedAt)
            .ExecuteDeleteAsync(CancellationToken.None);
    }

    private static async Task<string> RequestHashAsync(HttpContext http)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}\n"));
        IFormCollection? form = null;
        // A body that is not a readable form is hashed as raw bytes; the endpoint then refuses it with 400.
        if (http.Request.HasFormContentType)
            try { form = await http.Request.ReadFormAsync(http.RequestAborted); } catch (Exception e) when (e is InvalidDataException or IOException) { }
        if (form is not null)
        {
            // A retried multipart upload carries a fresh random boundary: hash the fields and files, not the framing.
            foreach (var (name, values) in form.OrderBy(f => f.Key, StringComparer.Ordinal))
                sha.AppendData(Encoding.UTF8.GetBytes($"{name}={string.Join('\u001f', values.ToArray())}\n"));
            foreach (var file in form.Files.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                sha.AppendData(Encoding.UTF8.GetBytes($"{file.Name};{file.FileName};{file.Length}\n"));
                await using var content = file.OpenReadStream();
                sha.AppendData(await SHA256.HashDataAsync(content, http.RequestAborted));
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        http.Request.Body.Position = 0;
        var buffer = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0) sha.AppendData(buffer, 0, read);
        http.Request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static IResult Problem(int status, string title, string detail, string field) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status, Title = title, Detail = detail,
            Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
        });

    private sealed class Replay(IdempotencyRecord r) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = r.ResponseStatus ?? 200;
            if (r.ResponseLocation is not null) http.Response.Headers.Location = r.ResponseLocation;
            http.Response.Headers["Idempotent-Replayed"] = "true";
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync(r.ResponseBody ?? "", http.RequestAborted);
        }
    }
}

/// <summary>Lets a handler store its response with the claimed key, in its own unit of work.</summary>
internal sealed class IdempotencyRecorder(IdempotencyContext context, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock)
{
    /// <summary>The claim a grouped filing completes on the writer, captured from the request; null without a key.</summary>
    public GroupedClaim? Grouped() =>
        context.Deferred is { } d ? new GroupedClaim(d, null, this)
        : context.Claimed is { } c ? new GroupedClaim(null, c, this)
        : null;

    internal string Serialize<T>(T body) => JsonSerializer.Serialize(body, json.Value.SerializerOptions);

    internal DateTime Now => clock.GetUtcNow().UtcDateTime;

    public void Complete<T>(int status, T body, string? location)
    {
        if (context.Claimed is not { } record) return;
        record.State = IdempotencyState.Completed;
        record.ResponseStatus = status;
        record.ResponseBody = JsonSerializer.Serialize(body, json.Value.SerializerOptions);
        record.ResponseLocation = location;
        record.CompletedAtUtc = clock.GetUtcNow().UtcDateTime;
    }
}

/// <summary>Completes a grouped filing's claim in the writer's transaction: inserts a deferred one, or finishes one taken over.</summary>
internal sealed class GroupedClaim(DeferredClaim? deferred, IdempotencyRecord? claimed, IdempotencyRecorder recorder)
{
    // Read now, on the request: the tracked entity belongs to the request's context.
    private readonly (long Id, DateTime At)? _taken = claimed is null ? null : (claimed.Id, claimed.CreatedAtUtc);

    public async Task CompleteAsync(TaskTrackerDb writer, int status, object body, string? location)
    {
        var json = recorder.Serialize(body);
        var now = recorder.Now;
        if (deferred is { } d)
        {
            writer.IdempotencyRecords.Add(new IdempotencyRecord
            {
                TokenId = d.TokenId, Key = d.Key, Route = d.Route, RequestHash = d.RequestHash, State = IdempotencyState.Completed,
                CreatedAtUtc = d.ClaimedAtUtc, ResponseStatus = status, ResponseBody = json, ResponseLocation = location, CompletedAtUtc = now,
            });
            return;
        }
        var (id, at) = _taken!.Value;
        var done = await writer.IdempotencyRecords.Where(r => r.Id == id && r.State == IdempotencyState.InFlight && r.CreatedAtUtc == at)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, IdempotencyState.Completed).SetProperty(r => r.ResponseStatus, status)
                .SetProperty(r => r.ResponseBody, json).SetProperty(r => r.ResponseLocation, location)
                .SetProperty(r => r.CompletedAtUtc, now), CancellationToken.None);
        // Another instance took the expired claim over meanwhile: its request does the work, this one must not.
        if (done == 0) throw new IdempotencyCollision(await writer.IdempotencyRecords.AsNoTracking().FirstAsync(r => r.Id == id));
        claimed!.State = IdempotencyState.Completed; // so the filter does not free a key whose work is being committed
    }

    /// <summary>The record a failed insert collided with, if the failure was the (token, key) index.</summary>
    public async Task<IdempotencyRecord?> CollisionAsync(TaskTrackerDb writer) => deferred is { } d
        ? await writer.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.TokenId == d.TokenId && r.Key == d.Key)
        : null;
}

internal static class IdempotencyExtensions
{
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(new IdempotencyFilter())
            .WithMetadata(new IdempotentEndpoint());

    /// <summary>For endpoints whose handler uses <see cref="WriteStep.RunGroupedAsync{T}"/>: the claim joins the filing's transaction.</summary>
    public static RouteHandlerBuilder WithGroupedIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithIdempotency().WithMetadata(new GroupedEndpoint());

    /// <summary>Buffers bodies of requests carrying an Idempotency-Key, so the filter can hash what the client sent.</summary>
    public static IApplicationBuilder UseIdempotencyBuffering(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Headers.ContainsKey(IdempotencyFilter.Header)) http.Request.EnableBuffering();
        await next(http);
    });
}

internal sealed record IdempotentEndpoint;
