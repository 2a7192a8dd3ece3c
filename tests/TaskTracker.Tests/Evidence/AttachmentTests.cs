using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Domain;
using TaskTracker.Features.Evidence;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;
using TaskTracker.Tests.Progress;

namespace TaskTracker.Tests.Evidence;

/// <summary>The service with a small evidence cap, so the 413 path is cheap to reach.</summary>
public sealed class EvidenceApp : TaskTrackerApp
{
    public const int MaxFileBytes = 64 * 1024;
    public EvidenceApp() => Settings["Evidence:MaxFileBytes"] = MaxFileBytes.ToString();
}

public class AttachmentTests(EvidenceApp app) : ProgressTestBase(app), IClassFixture<EvidenceApp>
{
    private async Task<(HttpClient Http, long ReportId)> FiledReport(string agency = "bigdata-bureau")
    {
        var http = await As(Role.Reporter, agency);
        var response = await PostJson(http, $"/api/targets/{await MeasureId("T02-1")}/reports", TargetBody(100m));
        return (http, (await response.ReadJson<ReportDto>()).Id);
    }

    private static Task<HttpResponseMessage> Upload(HttpClient http, long reportId, byte[] bytes, string fileName,
        string contentType = "application/pdf", string? idempotencyKey = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/reports/{reportId}/attachments") { Content = form };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    private static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public async Task A_pdf_round_trips_by_sha256_and_is_served_as_an_attachment_with_nosniff()
    {
        var (http, reportId) = await FiledReport();
        var pdf = EvidenceFiles.Pdf("AI revenue H1");
        var response = await Upload(http, reportId, pdf, "上半年收入.pdf", contentType: "text/html"); // the client's type is ignored
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dto = await response.ReadJson<AttachmentDto>();
        Assert.Equal(Sha256(pdf), dto.Sha256);
        Assert.Equal("application/pdf", dto.ContentType);
        Assert.Equal(pdf.Length, dto.Size);
        Assert.Equal("上半年收入.pdf", dto.FileName);
        Assert.Equal($"/api/attachments/{dto.Id}", response.Headers.Location!.OriginalString);

        var download = await http.GetAsync(dto.Href);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var body = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(Sha256(pdf), Sha256(body));
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("上半年收入.pdf", download.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        var list = await (await http.GetAsync($"/api/reports/{reportId}/attachments")).ReadJson<List<AttachmentDto>>();
        Assert.Equal(dto.Id, Assert.Single(list).Id);

        var audit = await App.WithDb(db => db.Audit.SingleAsync(a => a.EntityType == "attachment" && a.EntityId == dto.Id.ToString()));
        Assert.Equal("attachment.added", audit.Action);
        Assert.Contains(Sha256(pdf), audit.Details);
        Assert.NotNull(audit.TokenId);
    }

    [Fact]
    public async Task The_office_and_a_co_responsible_agency_may_read_evidence_another_agency_and_a_viewer_may_not()
    {
        var (http, reportId) = await FiledReport();
        var png = EvidenceFiles.Png();
        var dto = await (await Upload(http, reportId, png, "photo.png", "image/png")).ReadJson<AttachmentDto>();
        Assert.Equal("image/png", dto.ContentType);

        var office = await As(Role.Office);
        Assert.Equal(Sha256(png), Sha256(await (await office.GetAsync(dto.Href)).Content.ReadAsByteArrayAsync()));
        var coResponsible = await As(Role.Reporter, "guiyang"); // named on T02-1's clause
        Assert.Equal(HttpStatusCode.OK, (await coResponsible.GetAsync(dto.Href)).StatusCode);

        var other = await As(Role.Reporter, "education-dept");
        await (await other.GetAsync(dto.Href)).ReadProblem(403);
        await (await other.GetAsync($"/api/reports/{reportId}/attachments")).ReadProblem(403);
        await (await (await As(Role.Viewer)).GetAsync(dto.Href)).ReadProblem(403);
        await (await App.CreateClient().GetAsync(dto.Href)).ReadProblem(401);
        await (await http.GetAsync("/api/attachments/999999")).ReadProblem(404);
    }

    [Fact]
    public async Task Only_the_filing_agency_may_attach_and_nothing_is_stored_otherwise()
    {
        var (_, reportId) = await FiledReport();
        var before = await App.WithDb(db => db.Attachments.CountAsync());
        var coResponsible = await As(Role.Reporter, "guiyang");
        await (await Upload(coResponsible, reportId, EvidenceFiles.Pdf(), "x.pdf")).ReadProblem(403);
        await (await Upload(await As(Role.Office), reportId, EvidenceFiles.Pdf(), "x.pdf")).ReadProblem(403);
        await (await Upload(coResponsible, 999999, EvidenceFiles.Pdf(), "x.pdf")).ReadProblem(404);
        Assert.Equal(before, await App.WithDb(db => db.Attachments.CountAsync()));
    }

    [Fact]
    public async Task A_file_over_the_cap_is_413_before_it_is_stored()
    {
        var (http, reportId) = await FiledReport();
        var big = EvidenceFiles.Pdf().Concat(new byte[EvidenceApp.MaxFileBytes]).ToArray();
        var problem = await (await Upload(http, reportId, big, "big.pdf")).ReadProblem(413);
        Assert.Contains("bytes", problem.GetProperty("detail").GetString());
        // Far beyond the cap the body is refused from its Content-Length, before it is read.
        var huge = EvidenceFiles.Pdf().Concat(new byte[4 * EvidenceApp.MaxFileBytes]).ToArray();
        await (await Upload(http, reportId, huge, "huge.pdf")).ReadProblem(413);
        Assert.Equal(0, await App.WithDb(db => db.Attachments.CountAsync(a => a.ReportId == reportId)));
    }

    [Fact]
    public async Task A_renamed_executable_and_other_unrecognised_content_are_refused_with_415_naming_the_file()
    {
        var (http, reportId) = await FiledReport();
        (await (await Upload(http, reportId, EvidenceFiles.Executable(), "report.pdf")).ReadProblem(415)).AssertFieldError("file");
        (await (await Upload(http, reportId, "<html><script>alert(1)</script>"u8.ToArray(), "page.pdf", "application/pdf")).ReadProblem(415)).AssertFieldError("file");
        // A zip that is not an Office document, and a real PDF named as something else.
        (await (await Upload(http, reportId, EvidenceFiles.Zip(("a.txt", "hello")), "a.docx")).ReadProblem(415)).AssertFieldError("file");
        (await (await Upload(http, reportId, EvidenceFiles.Pdf(), "evidence.exe")).ReadProblem(415)).AssertFieldError("file");
        // No file at all, and an empty one: 400 naming the field.
        (await (await http.PostAsync($"/api/reports/{reportId}/attachments", new MultipartFormDataContent { { new StringContent("x"), "note" } }))
            .ReadProblem(400)).AssertFieldError("file");
        (await (await Upload(http, reportId, [], "empty.pdf")).ReadProblem(400)).AssertFieldError("file");
        (await (await http.PostAsync($"/api/reports/{reportId}/attachments", JsonContent.Create(new { file = "x" }))).ReadProblem(400)).AssertFieldError("file");
        Assert.Equal(0, await App.WithDb(db => db.Attachments.CountAsync(a => a.ReportId == reportId)));
    }

    [Fact]
    public async Task Office_documents_are_recognised_from_their_parts_and_a_retried_upload_stores_once()
    {
        var (http, reportId) = await FiledReport();
        var docx = EvidenceFiles.Docx();
        var first = await Upload(http, reportId, docx, "证明", "application/octet-stream", idempotencyKey: "upload-docx-1");
        var dto = await first.ReadJson<AttachmentDto>();
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", dto.ContentType);
        Assert.Equal("证明.docx", dto.FileName); // the extension comes from what the bytes are
        var retry = await Upload(http, reportId, docx, "证明", "application/octet-stream", idempotencyKey: "upload-docx-1");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await App.WithDb(db => db.Attachments.CountAsync(a => a.ReportId == reportId)));
    }
}
