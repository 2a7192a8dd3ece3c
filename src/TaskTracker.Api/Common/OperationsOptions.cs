using System.ComponentModel.DataAnnotations;

namespace TaskTracker.Common;

/// <summary>Host-wide settings (rate limits, body sizes, CORS, Swagger, idempotency lease, logs); read by Common and the Operations module.</summary>
internal sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary>Requests a token (or an anonymous client address) may make per window; 0 turns rate limiting off.</summary>
    [Range(0, 1_000_000)] public int RateLimitPermits { get; set; } = 600;
    [Range(1, 3600)] public int RateLimitWindowSeconds { get; set; } = 60;

    /// <summary>Largest request body in bytes (bulk uploads have their own, larger limit).</summary>
    [Range(1024, 100 * 1024 * 1024)] public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Dashboard origins allowed to call the API from a browser; empty allows none (same-origin only).</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>Serve the OpenAPI document and Swagger UI.</summary>
    public bool SwaggerEnabled { get; set; } = true;

    /// <summary>How long an unfinished Idempotency-Key claim blocks a retry (409) before another request may take it over;
    /// longer than any request plus the clock skew between instances.</summary>
    [Range(1, 3600)] public int IdempotencyLeaseSeconds { get; set; } = 30;

    /// <summary>How long this process trusts its cached tokens, measure responsibilities and webhook subscriptions when the
    /// change came from elsewhere (the CLI, another instance); changes made through this process apply at once. 0 turns the caches off.</summary>
    [Range(0, 300)] public int ReferenceCacheSeconds { get; set; } = 5;

    /// <summary>Write logs as one JSON object per line (with scopes: request id, trace id).</summary>
    public bool JsonLogs { get; set; }
}
