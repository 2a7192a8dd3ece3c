namespace TaskTracker.Common;

/// <summary>Thrown by handlers for a resource the caller named that does not exist; mapped to 404.</summary>
internal sealed class NotFoundException(string resource, string key)
    : Exception($"{resource} '{key}' was not found.")
{
    public string Resource { get; } = resource;
    public string Key { get; } = key;
}

/// <summary>A request that is well-formed but conflicts with the current state; mapped to 409.</summary>
internal sealed class ConflictException(string message) : Exception(message);

/// <summary>The caller may not do this; mapped to 403.</summary>
internal sealed class ForbiddenException(string message) : Exception(message);

/// <summary>Thrown when If-Match names a version that is no longer current; mapped to 412.</summary>
internal sealed class PreconditionFailedException(string message) : Exception(message);

/// <summary>A conditional request was required (If-Match) but not sent; mapped to 428.</summary>
internal sealed class PreconditionRequiredException(string? message = null)
    : Exception(message ?? "This request must be conditional: send If-Match with the report's ETag (GET /api/reports/{id}).");
