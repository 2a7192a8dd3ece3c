namespace TaskTracker.Common;

// Upload limits and refusals shared by the body-size middleware (Operations), the error mapper and the Evidence module.

/// <summary>
/// Endpoint metadata: this endpoint takes bodies up to its own limit instead of the general one (the body-size
/// middleware asks it).
/// </summary>
internal interface IBodyLimitMetadata
{
    long MaxBodyBytes(IServiceProvider services);
}

/// <summary>An upload larger than the configured cap; mapped to 413.</summary>
internal sealed class PayloadTooLargeException(long size, long limit)
    : Exception($"The file is {size} bytes; evidence files may be at most {limit} bytes (Evidence:MaxFileBytes).");

/// <summary>A file whose bytes are not a type the service accepts, or whose name claims another type; mapped to 415.</summary>
internal sealed class UnsupportedFileException(string message) : Exception(message);
