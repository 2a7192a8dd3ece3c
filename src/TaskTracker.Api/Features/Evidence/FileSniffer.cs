using System.IO.Compression;
using System.Text;

namespace TaskTracker.Features.Evidence;

/// <summary>A file type the service accepts as evidence.</summary>
internal sealed record EvidenceKind(string ContentType, string[] Extensions);

/// <summary>
/// Decides what a file is from its bytes (magic numbers, and for zip and OLE containers the parts inside), never from
/// the name or the Content-Type the client sent. Anything not recognised is refused.
/// </summary>
internal static class FileSniffer
{
    public static readonly EvidenceKind Pdf = new("application/pdf", [".pdf"]);
    public static readonly EvidenceKind Png = new("image/png", [".png"]);
    public static readonly EvidenceKind Jpeg = new("image/jpeg", [".jpg", ".jpeg"]);
    public static readonly EvidenceKind Docx = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [".docx"]);
    public static readonly EvidenceKind Xlsx = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [".xlsx"]);
    public static readonly EvidenceKind Pptx = new("application/vnd.openxmlformats-officedocument.presentationml.presentation", [".pptx"]);
    public static readonly EvidenceKind Doc = new("application/msword", [".doc"]);
    public static readonly EvidenceKind Xls = new("application/vnd.ms-excel", [".xls"]);

    private static readonly byte[] PdfMagic = "%PDF-"u8.ToArray();
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegMagic = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] OleMagic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    public const string Accepted = "PDF, PNG, JPEG, Word (.docx, .doc), Excel (.xlsx, .xls) or PowerPoint (.pptx)";

    /// <summary>The kind of file these bytes are, or null when it is none the service accepts.</summary>
    public static EvidenceKind? Detect(byte[] content)
    {
        var head = content.AsSpan();
        if (head.StartsWith(PdfMagic)) return Pdf;
        if (head.StartsWith(PngMagic)) return Png;
        if (head.StartsWith(JpegMagic)) return Jpeg;
        if (head.StartsWith(ZipMagic)) return Ooxml(content);
        if (head.StartsWith(OleMagic)) return Ole(content);
        return null;
    }

    /// <summary>A zip counts only as the OOXML document whose main part it holds; any other zip is refused.</summary>
    private static EvidenceKind? Ooxml(byte[] content)
    {
        try
        {
            // Only the central directory is read (entry names), nothing is inflated: a zip bomb costs nothing here.
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (!names.Contains("[Content_Types].xml")) return null;
            if (names.Contains("word/document.xml")) return Docx;
            if (names.Contains("xl/workbook.xml")) return Xlsx;
            if (names.Contains("ppt/presentation.xml")) return Pptx;
            return null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// Legacy Office files are OLE compound files; the directory names their main stream (UTF-16LE), which tells a
    /// Word document from an Excel workbook. Other compound files (msi, msg, ...) are refused.
    /// </summary>
    private static EvidenceKind? Ole(byte[] content)
    {
        var span = content.AsSpan();
        if (span.IndexOf(Encoding.Unicode.GetBytes("WordDocument")) >= 0) return Doc;
        if (span.IndexOf(Encoding.Unicode.GetBytes("Workbook")) >= 0 || span.IndexOf(Encoding.Unicode.GetBytes("Book\0")) >= 0) return Xls;
        return null;
    }
}
