using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TaskTracker.Common;
using TaskTracker.Data;
using TaskTracker.Domain;

namespace TaskTracker.Features.Evidence;

/// <summary>What a reader learns about an evidence file (never its bytes).</summary>
internal sealed record AttachmentDto(long Id, long ReportId, string FileName, string ContentType, long Size, string Sha256,
    DateTime UploadedAtUtc, string Href);

internal static class EvidenceEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/reports/{reportId:long}/attachments", Upload)
            .WithTags("Evidence").WithName("AddReportAttachment")
            .WithSummary("Attach an evidence file to a report (multipart field 'file'; the filing agency only). PDF, PNG, JPEG, " +
                         "Word, Excel or PowerPoint, recognised from the bytes; size capped by Evidence:MaxFileBytes. Supports Idempotency-Key.")
            .RequireAuthorization(Policies.Report).WithIdempotency().WithMetadata(new EvidenceUploadLimit())
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(413).ProducesProblem(415);
        app.MapGet("/api/reports/{reportId:long}/attachments", List)
            .WithTags("Evidence").WithName("ListReportAttachments")
            .WithSummary("The evidence files of a report (office, and the agencies responsible for its measure).")
            .RequireAuthorization(p => p.RequireAuthenticatedUser()).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/attachments/{attachmentId:long}", Download)
            .WithTags("Evidence").WithName("GetAttachment")
            .WithSummary("Download an evidence file, always as an attachment (office, and the agencies responsible for its measure).")
            // Never anonymous, even where anonymous reads are on: evidence is for the people who answer for the measure.
            .RequireAuthorization(p => p.RequireAuthenticatedUser()).Produces(200, contentType: "application/octet-stream")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    private static async Task<Created<AttachmentDto>> Upload(long reportId, HttpRequest request, TaskTrackerDb db, Caller caller,
        IOptions<EvidenceOptions> options, WriteStep write, CancellationToken ct)
    {
        var limits = options.Value;
        var report = await db.Reports.AsNoTracking().Where(r => r.Id == reportId)
            .Select(r => new { r.Id, r.AgencyId, MeasureCode = r.Measure.Code, r.Measure.PlanId }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("Report", reportId.ToString());
        if (report.AgencyId != caller.AgencyId)
            throw new ForbiddenException($"Report {reportId} was filed by another agency; only the filing agency can attach evidence to it.");

        if (!request.HasFormContentType) throw Invalid("file", "send multipart/form-data with the file in the field 'file'.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            throw Invalid("file", "the multipart/form-data body could not be read: " + e.Message);
        }
        var file = form.Files.GetFile("file") ?? throw Invalid("file", "attach the document as the multipart field 'file'.");
        if (file.Length == 0) throw Invalid("file", "the file is empty.");
        if (file.Length > limits.MaxFileBytes) throw new PayloadTooLargeException(file.Length, limits.MaxFileBytes);

        var content = new byte[file.Length];
        await using (var s = file.OpenReadStream()) await s.ReadExactlyAsync(content, ct);
        var kind = FileSniffer.Detect(content)
            ?? throw new UnsupportedFileException($"The file's content is not a {FileSniffer.Accepted} document (checked from its bytes, not its name).");
        var fileName = CleanFileName(file.FileName, kind);

        // Through the write step: one transaction with the audit entry, the stored Idempotency-Key response and the plan's
        // revision (the report's evidence is part of what the plan's pages show).
        var dto = await write.RunAsync(report.PlanId, async scope =>
        {
            if (await db.Attachments.CountAsync(a => a.ReportId == reportId, ct) >= limits.MaxFilesPerReport)
                throw new ConflictException($"Report {reportId} already carries {limits.MaxFilesPerReport} files, the most one report may have.");
            var attachment = new Attachment
            {
                ReportId = reportId, AgencyId = report.AgencyId, TokenId = caller.TokenId, FileName = fileName, ContentType = kind.ContentType,
                Size = content.LongLength, Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)), Content = content, UploadedAtUtc = scope.Now,
            };
            db.Attachments.Add(attachment);
            await db.SaveChangesAsync(ct);
            scope.Audit("attachment.added", "attachment", attachment.Id.ToString(), new
            {
                report = reportId, measure = report.MeasureCode, attachment.FileName, attachment.ContentType, attachment.Size, attachment.Sha256,
            });
            var dto = ToDto(attachment);
            scope.Respond(StatusCodes.Status201Created, dto, dto.Href);
            return dto;
        }, ct);
        return TypedResults.Created(dto.Href, dto);
    }

    private static async Task<Ok<IReadOnlyList<AttachmentDto>>> List(long reportId, TaskTrackerDb db, EvidenceAccess access, CancellationToken ct)
    {
        await access.RequireReadableAsync(reportId, ct);
        IReadOnlyList<AttachmentDto> items = await db.Attachments.AsNoTracking().Where(a => a.ReportId == reportId).OrderBy(a => a.Id)
            .Select(a => new AttachmentDto(a.Id, a.ReportId, a.FileName, a.ContentType, a.Size, a.Sha256, a.UploadedAtUtc, "/api/attachments/" + a.Id))
            .ToListAsync(ct);
        return TypedResults.Ok(items);
    }

    private static async Task<FileContentHttpResult> Download(long attachmentId, HttpContext http, TaskTrackerDb db, EvidenceAccess access, CancellationToken ct)
    {
        var head = await db.Attachments.AsNoTracking().Where(a => a.Id == attachmentId).Select(a => new { a.ReportId })
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Attachment", attachmentId.ToString());
        await access.RequireReadableAsync(head.ReportId, ct);
        var file = await db.Attachments.AsNoTracking().Where(a => a.Id == attachmentId)
            .Select(a => new { a.FileName, a.ContentType, a.Content, a.Sha256 }).FirstAsync(ct);
        var headers = http.Response.Headers;
        // Served only as a download, never rendered by the browser under this origin, and never guessed at.
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.CacheControl = "private, no-store";
        headers["Digest"] = "sha-256=" + Convert.ToBase64String(Convert.FromHexString(file.Sha256));
        return TypedResults.File(file.Content, file.ContentType, file.FileName);
    }

    private static AttachmentDto ToDto(Attachment a) =>
        new(a.Id, a.ReportId, a.FileName, a.ContentType, a.Size, a.Sha256, a.UploadedAtUtc, "/api/attachments/" + a.Id);

    /// <summary>
    /// The name the file is stored and served under: no path, no control characters, and an extension that matches
    /// what the bytes are. A name claiming another type (an executable called .pdf) is refused.
    /// </summary>
    private static string CleanFileName(string? raw, EvidenceKind kind)
    {
        var name = Path.GetFileName((raw ?? "").Replace('\\', '/'));
        name = new string(name.Where(c => !char.IsControl(c) && c is not '"' and not '/' and not '\\').ToArray()).Trim();
        var ext = Path.GetExtension(name).ToLowerInvariant();
        if (ext.Length > 0 && !kind.Extensions.Contains(ext))
            throw new UnsupportedFileException($"The file is named '{name}' but its content is {kind.ContentType}; name it {string.Join(" or ", kind.Extensions)}.");
        if (ext.Length == 0) name = (name.Length == 0 ? "evidence" : name) + kind.Extensions[0];
        if (name.Length > 200) name = name[..(200 - ext.Length - 1)] + "~" + Path.GetExtension(name);
        return name;
    }

    private static FluentValidation.ValidationException Invalid(string field, string message) =>
        new([new FluentValidation.Results.ValidationFailure(field, message)]);
}

/// <summary>Who may see a report's evidence: the office, the filing agency, and the agencies that answer for the report's
/// measure (the same <see cref="Responsibility"/> that decides who may file on it, office assignments included).</summary>
internal sealed class EvidenceAccess(TaskTrackerDb db, Caller caller, Responsibility responsibility)
{
    public async Task RequireReadableAsync(long reportId, CancellationToken ct)
    {
        var report = await db.Reports.AsNoTracking().Where(r => r.Id == reportId)
            .Select(r => new { r.MeasureId, r.AgencyId, r.Measure.ClauseId, r.Measure.TaskId, r.Measure.Plan.OwnerAgencyId })
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Report", reportId.ToString());
        if (caller.IsOffice) return;
        if (caller.AgencyId is { } agency)
        {
            if (agency == report.AgencyId) return;
            var writers = await responsibility.WritersOfMeasureAsync(report.MeasureId, report.ClauseId, report.TaskId, report.OwnerAgencyId, ct);
            if (writers.Contains(agency)) return;
        }
        throw new ForbiddenException($"Evidence of report {reportId} is open to the office and the agencies responsible for its measure only.");
    }
}
