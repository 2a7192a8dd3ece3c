using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Data;
using TaskTracker.Common;

namespace TaskTracker.Features.Seeding.Import;

/// <summary>An imported plan awaiting the office's review. Nothing in it is live until it is published.</summary>

internal sealed record UploadPlanTextBody(string? Code, string? Text);
internal sealed record CorrectDraftBody(SeedPlan? Plan, SeedTasksFile? Tasks, SeedAgenciesFile? Agencies);
internal sealed record PlanDraftSummary(string Code, PlanDraftStatus Status, int Version, DateTime UpdatedAtUtc, DateTime? PublishedAtUtc);
internal sealed record PlanDraftDto(string Code, PlanDraftStatus Status, int Version, string ETag, DateTime CreatedAtUtc, DateTime UpdatedAtUtc,
    DateTime? PublishedAtUtc, ImportFindings Findings, SeedPlan Plan, SeedTasksFile Tasks, SeedAgenciesFile Agencies);
internal sealed record PublishedPlan(string Code, DateTime PublishedAtUtc, string Plan);

internal static class PlanDraftEndpoints
{
    /// <summary>Office (or admin) only: upload a plan's text as a draft, read its findings, correct it, publish it.</summary>
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/plan-drafts").WithTags("Plan import").RequireAuthorization(Policies.OfficeOrAdmin);
        g.MapPost("", async Task<Created<PlanDraftDto>> (UploadPlanTextBody body, PlanDraftService s, CancellationToken ct) =>
            {
                var dto = await s.UploadAsync(body, ct);
                return TypedResults.Created($"/api/plan-drafts/{dto.Code}", dto);
            })
            .WithName("UploadPlanText").WithSummary("Reads a plan's published text into a draft in the seed-data format, with findings. Nothing goes live.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        g.MapGet("", async Task<Ok<List<PlanDraftSummary>>> (PlanDraftService s, CancellationToken ct) => TypedResults.Ok(await s.ListAsync(ct)))
            .WithName("ListPlanDrafts").WithSummary("The drafts, newest first.").ProducesProblem(401).ProducesProblem(403);
        g.MapGet("/{code}", async Task<Ok<PlanDraftDto>> (string code, PlanDraftService s, HttpContext http, CancellationToken ct) =>
            {
                var dto = await s.GetAsync(code, ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithName("GetPlanDraft").WithSummary("A draft: its plan, tasks and agencies as seed JSON, and the findings to review.")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        g.MapPut("/{code}", async Task<Ok<PlanDraftDto>> (string code, CorrectDraftBody body, PlanDraftService s, HttpContext http, CancellationToken ct) =>
            {
                var dto = await s.CorrectAsync(code, body, http.Request.Headers.IfMatch.ToString(), ct);
                http.Response.Headers.ETag = dto.ETag;
                return TypedResults.Ok(dto);
            })
            .WithName("CorrectPlanDraft").WithSummary("Replaces the draft's plan, tasks and agencies with the office's corrections and checks them again. If-Match is honoured.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        g.MapPost("/{code}/publish", async Task<Created<PublishedPlan>> (string code, PlanDraftService s, HttpContext http, CancellationToken ct) =>
            {
                var published = await s.PublishAsync(code, http.Request.Headers.IfMatch.ToString(), ct);
                return TypedResults.Created(published.Plan, published);
            })
            .WithName("PublishPlanDraft").WithSummary("Loads a draft that passes every seed check as a live plan, through the seed loader.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        return app;
    }
}

internal sealed class PlanDraftService(TaskTrackerDb db, TimeProvider clock, Caller caller, SeedLoader loader, WriteStep writes)
{
    public const int MaxTextLength = 200_000; // characters; a provincial plan is about 10 000

    internal async Task<PlanDraftDto> UploadAsync(UploadPlanTextBody body, CancellationToken ct)
    {
        var failures = new List<ValidationFailure>();
        if (string.IsNullOrWhiteSpace(body.Code) || !PlanDraftBuilder.CodePattern().IsMatch(body.Code))
            failures.Add(new("code", "code is required: lower-case letters, digits and '-' (e.g. guizhou-2026)."));
        if (string.IsNullOrWhiteSpace(body.Text)) failures.Add(new("text", "text is required: the plan's published text."));
        else if (body.Text.Length > MaxTextLength) failures.Add(new("text", $"text must be at most {MaxTextLength} characters."));
        else if (body.Text.Contains('\0')) failures.Add(new("text", "text must not contain NUL characters."));
        if (failures.Count > 0) throw new ValidationException(failures);
        var code = body.Code!;
        if (await db.Plans.AnyAsync(p => p.Code == code, ct)) throw new ConflictException($"a live plan '{code}' exists; choose another code for the draft");
        if (await db.Set<PlanDraftRecord>().AnyAsync(d => d.Code == code, ct)) throw new ConflictException($"a draft '{code}' exists; correct it with PUT /api/plan-drafts/{code}");

        PlanDraft draft;
        try
        {
            draft = PlanDraftBuilder.Build(PlanText.Decode(Encoding.UTF8.GetBytes(body.Text!)), code, await LiveCatalogueAsync(ct), clock);
        }
        catch (PlanImportException e)
        {
            throw new ValidationException([new ValidationFailure("text", e.Message)]);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var record = new PlanDraftRecord
        {
            Code = code, SourceText = draft.SourceText, PlanJson = Json(draft.Plan), TasksJson = Json(draft.Tasks), AgenciesJson = Json(draft.Agencies),
            FindingsJson = Json(draft.Findings), CreatedAtUtc = now, UpdatedAtUtc = now, CreatedByTokenId = caller.TokenId,
        };
        try
        {
            return await writes.RunAsync(null, w =>
            {
                db.Add(record);
                w.Audit("plan-draft.uploaded", "plan-draft", code, draft.Findings.Recognised);
                return Task.FromResult(ToDto(record));
            }, ct);
        }
        catch (DbUpdateException) { throw new ConflictException($"a draft '{code}' was uploaded at the same time"); }
    }

    internal Task<List<PlanDraftSummary>> ListAsync(CancellationToken ct) =>
        db.Set<PlanDraftRecord>().AsNoTracking().OrderByDescending(d => d.UpdatedAtUtc).ThenBy(d => d.Code)
            .Select(d => new PlanDraftSummary(d.Code, d.Status, d.Version, d.UpdatedAtUtc, d.PublishedAtUtc)).ToListAsync(ct);

    internal async Task<PlanDraftDto> GetAsync(string code, CancellationToken ct) =>
        ToDto(await db.Set<PlanDraftRecord>().AsNoTracking().FirstOrDefaultAsync(d => d.Code == code, ct) ?? throw new NotFoundException("plan draft", code));

    internal async Task<PlanDraftDto> CorrectAsync(string code, CorrectDraftBody body, string ifMatch, CancellationToken ct)
    {
        var record = await Load(code, ifMatch, ct);
        var failures = new List<ValidationFailure>();
        if (body.Plan is null) failures.Add(new("plan", "plan is required (plan.json)."));
        else if (body.Plan.Code != code) failures.Add(new("plan.code", $"plan.code must be '{code}', the draft's code."));
        if (body.Tasks is null) failures.Add(new("tasks", "tasks is required (tasks.json)."));
        if (body.Agencies is null) failures.Add(new("agencies", "agencies is required (agencies.json)."));
        if (failures.Count > 0) throw new ValidationException(failures);

        var findings = JsonSerializer.Deserialize<ImportFindings>(record.FindingsJson, PlanDraft.WriteOptions)!;
        var folder = new SeedFolder($"draft {code}", body.Plan!, body.Tasks!, body.Agencies!, record.SourceText, "");
        findings = findings with { ValidationErrors = Problems(folder).Select(e => $"{e.Key}: {e.Value}").ToList() };
        record.PlanJson = Json(body.Plan!);
        record.TasksJson = Json(body.Tasks!);
        record.AgenciesJson = Json(body.Agencies!);
        record.FindingsJson = Json(findings);
        return await Save(w =>
        {
            record.UpdatedAtUtc = w.Now;
            record.Version++;
            w.Audit("plan-draft.corrected", "plan-draft", code, new { record.Version });
            return ToDto(record);
        }, null, ct);
    }

    internal async Task<PublishedPlan> PublishAsync(string code, string ifMatch, CancellationToken ct)
    {
        var record = await Load(code, ifMatch, ct);
        if (await db.Plans.AnyAsync(p => p.Code == code, ct)) throw new ConflictException($"a live plan '{code}' exists already");
        var folder = Folder(record);
        var problems = Problems(folder);
        if (problems.Count > 0)
            throw new ValidationException(problems.Select(p => new ValidationFailure(p.Key, p.Value)));

        try { await loader.LoadAsync(folder, ct); }
        catch (DbUpdateException) { throw new ConflictException($"plan '{code}' was published at the same time"); }

        // The loader clears the change tracker: read the draft again to mark it published.
        // The loader commits the plan in its own transaction (it is idempotent, so a crash here and a retry of the
        // publish load nothing twice); marking the draft published is this write.
        record = await db.Set<PlanDraftRecord>().FirstAsync(d => d.Code == code, ct);
        var planId = await db.Plans.Where(p => p.Code == code).Select(p => p.Id).SingleAsync(ct);
        return await Save(w =>
        {
            record.Status = PlanDraftStatus.Published;
            record.PublishedAtUtc = w.Now;
            record.UpdatedAtUtc = w.Now;
            record.Version++;
            w.Audit("plan-draft.published", "plan-draft", code, new { plan = code });
            return new PublishedPlan(code, w.Now, $"/api/plans/{code}");
        }, planId, ct);
    }

    private async Task<PlanDraftRecord> Load(string code, string ifMatch, CancellationToken ct)
    {
        var record = await db.Set<PlanDraftRecord>().FirstOrDefaultAsync(d => d.Code == code, ct) ?? throw new NotFoundException("plan draft", code);
        if (record.Status == PlanDraftStatus.Published) throw new ConflictException($"draft '{code}' is published already; it can no longer change");
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != ETag(record))
            throw new PreconditionFailedException($"draft '{code}' changed since you read it (now {ETag(record)})");
        return record;
    }

    private async Task<T> Save<T>(Func<WriteScope, T> change, int? planId, CancellationToken ct)
    {
        try { return await writes.RunAsync(planId, w => Task.FromResult(change(w)), ct); }
        catch (DbUpdateConcurrencyException) { throw new PreconditionFailedException("the draft changed while this request ran; read it again"); }
    }

    /// <summary>Every seed check, plus: an agency code the live catalogue already has must mean the same agency.</summary>
    private List<KeyValuePair<string, string>> Problems(SeedFolder folder)
    {
        // Keys address the PUT body: plan.json's $.sections[0].titleEn is plan.sections[0].titleEn.
        static string Key(string file, string path) => Path.GetFileNameWithoutExtension(file) + path.TrimStart('$');
        var list = SeedValidator.Validate(folder).Select(e => new KeyValuePair<string, string>(Key(e.File, e.Path), e.Message)).ToList();
        var agencies = folder.Agencies.Agencies ?? [];
        var codes = agencies.Select(a => a.Code).Where(c => c is not null).ToList();
        var live = db.Agencies.AsNoTracking().Where(a => codes.Contains(a.Code)).Select(a => new { a.Code, a.NameZh, a.Kind }).ToList();
        for (var i = 0; i < agencies.Count; i++)
            if (live.FirstOrDefault(l => l.Code == agencies[i].Code) is { } l && (l.NameZh != agencies[i].NameZh || l.Kind != agencies[i].Kind))
                list.Add(new($"agencies.agencies[{i}]", $"agency '{l.Code}' is {l.NameZh} ({l.Kind}) in the live catalogue; the same code must mean the same agency"));
        return list;
    }

    private async Task<AgencyCatalogue> LiveCatalogueAsync(CancellationToken ct)
    {
        var rows = await db.Agencies.AsNoTracking()
            .Select(a => new { a.Code, a.NameZh, a.ShortNameZh, a.Aliases, a.NameEn, a.Kind, Members = a.Members.Select(m => m.Member.Code).ToList() })
            .ToListAsync(ct);
        return new AgencyCatalogue(rows.OrderBy(r => r.Code, StringComparer.Ordinal).Select(r => new SeedAgency
        {
            Code = r.Code, NameZh = r.NameZh, ShortNameZh = r.ShortNameZh, Aliases = r.Aliases, NameEn = r.NameEn, Kind = r.Kind, Members = r.Members,
        }));
    }

    private static SeedFolder Folder(PlanDraftRecord r)
    {
        var plan = JsonSerializer.Deserialize<SeedPlan>(r.PlanJson, PlanDraft.WriteOptions)!;
        var tasks = JsonSerializer.Deserialize<SeedTasksFile>(r.TasksJson, PlanDraft.WriteOptions)!;
        var agencies = JsonSerializer.Deserialize<SeedAgenciesFile>(r.AgenciesJson, PlanDraft.WriteOptions)!;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(r.PlanJson + "\n" + r.TasksJson + "\n" + r.AgenciesJson + "\n" + r.SourceText)));
        return new SeedFolder($"draft {r.Code}", plan, tasks, agencies, r.SourceText, hash);
    }

    private static string ETag(PlanDraftRecord r) => $"\"pd{r.Id}-v{r.Version}\"";

    private static PlanDraftDto ToDto(PlanDraftRecord r)
    {
        var f = Folder(r);
        return new PlanDraftDto(r.Code, r.Status, r.Version, ETag(r), r.CreatedAtUtc, r.UpdatedAtUtc, r.PublishedAtUtc,
            JsonSerializer.Deserialize<ImportFindings>(r.FindingsJson, PlanDraft.WriteOptions)!, f.Plan, f.Tasks, f.Agencies);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, PlanDraft.WriteOptions);

}
