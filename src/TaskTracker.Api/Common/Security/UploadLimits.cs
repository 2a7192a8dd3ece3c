using System.Diagnostics;
using System.IO.Compression;

namespace TaskTracker.Common.Security;

/// <summary>
/// Limits for spreadsheet uploads beyond the 10 MiB body cap: an .xlsx is a zip, so a small upload can expand to
/// gigabytes, and a sheet can declare a million blank rows. Checked before the workbook is parsed.
/// </summary>
internal static class UploadLimits
{
    /// <summary>Largest total uncompressed size of an .xlsx's parts.</summary>
    public const long MaxUncompressedBytes = 50L * 1024 * 1024;

    /// <summary>Most parts in an .xlsx (a workbook has about ten).</summary>
    public const int MaxEntries = 200;

    /// <summary>Longest an upload may take to parse.</summary>
    public static readonly TimeSpan MaxParseTime = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Refuses (413) an archive whose parts would expand past <see cref="MaxUncompressedBytes"/>: first by the sizes the
    /// archive declares, then by really inflating each part with a budget, since declared sizes can lie.
    /// A stream that is not a zip is left for the spreadsheet reader to refuse (400).
    /// </summary>
    public static void CheckArchive(Stream stream)
    {
        var start = stream.Position;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxEntries) throw TooLarge($"the workbook has {zip.Entries.Count} parts; at most {MaxEntries} are accepted.");
            if (zip.Entries.Sum(e => e.Length) > MaxUncompressedBytes) throw TooLarge(Message);
            var budget = MaxUncompressedBytes;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                using var part = entry.Open();
                int read;
                while ((read = part.Read(buffer, 0, buffer.Length)) > 0)
                    if ((budget -= read) < 0) throw TooLarge(Message);
            }
        }
        catch (InvalidDataException) { }
        finally { stream.Position = start; }
    }

    /// <summary>Throws once parsing has run past <see cref="MaxParseTime"/>.</summary>
    public static void CheckTime(long startedTimestamp)
    {
        if (Stopwatch.GetElapsedTime(startedTimestamp) > MaxParseTime)
            throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("file",
                $"the file took longer than {MaxParseTime.TotalSeconds:0} s to read; split it into smaller files.")]);
    }

    private static string Message => $"the workbook expands to more than {MaxUncompressedBytes / 1024 / 1024} MiB; split it into smaller files.";

    private static BadHttpRequestException TooLarge(string message) => new(message, StatusCodes.Status413PayloadTooLarge);
}
