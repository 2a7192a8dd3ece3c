using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using TaskTracker.Data;

namespace TaskTracker.Features.Operations;

internal static class OperationsModule
{
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(OperationsOptions.Section);
        builder.Services.AddOptions<OperationsOptions>().Bind(section).ValidateDataAnnotations()
            .Validate(o => o.CorsOrigins.All(x => Uri.TryCreate(x, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"),
                "Operations:CorsOrigins must be absolute http(s) origins.")
            .ValidateOnStart();
        var opts = section.Get<OperationsOptions>() ?? new OperationsOptions();

        if (opts.JsonLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
        }

        builder.Services.AddHealthChecks().AddDbContextCheck<TaskTrackerDb>("database", tags: ["ready"]);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(TaskTrackerMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        builder.Services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (opts.CorsOrigins.Length > 0)
                p.WithOrigins(opts.CorsOrigins).WithMethods("GET", "HEAD", "POST").AllowAnyHeader().WithExposedHeaders("ETag", "Location", "Retry-After");
        }));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // One limiter for every route, after authentication: keyed on the token, not on how its header is spelt.
            o.GlobalLimiter = Common.Security.Edge.GlobalLimiter();
            o.OnRejected = async (ctx, ct) =>
            {
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                ctx.HttpContext.Response.Headers.RetryAfter = retry.ToString();
                await WriteProblemAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, new ProblemDetails
                {
                    Status = 429, Title = "Too many requests", Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                    Detail = $"Rate limit reached for this token; retry after {retry} seconds.",
                });
            };
        });
        return builder;
    }

    /// <summary>Answers from middleware, before any endpoint, in the same problem+json shape as everything else.</summary>
    private static Task WriteProblemAsync(HttpContext http, int status, ProblemDetails problem)
    {
        http.Response.StatusCode = status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }

    public static WebApplication UseOperations(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // A caller-supplied request id is echoed and logged, so one request can be followed across services.
            string? incoming = http.Request.Headers["X-Request-Id"];
            if (!string.IsNullOrEmpty(incoming) && incoming.Length <= 100 && incoming.All(c => c > 0x20 && c < 0x7f))
                http.TraceIdentifier = incoming;
            http.Response.Headers["X-Request-Id"] = http.TraceIdentifier;
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Request");
            using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = http.TraceIdentifier }))
                await next(http);
        });
        app.Use(async (http, next) =>
        {
            var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<OperationsOptions>>().Value;
            var endpoint = http.GetEndpoint();
            var limit = endpoint?.Metadata.GetMetadata<IBodyLimitMetadata>() is { } own ? own.MaxBodyBytes(http.RequestServices)
                : endpoint?.Metadata.GetMetadata<RequestSizeLimitAttribute>() is not null ? Files.MaxUploadBytes : options.MaxRequestBodyBytes;
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                feature.MaxRequestBodySize = limit;
            if (http.Request.ContentLength > limit)
            {
                await WriteProblemAsync(http, StatusCodes.Status413PayloadTooLarge, new ProblemDetails
                {
                    Status = 413, Title = "Request body too large", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
                    Detail = $"The request body is {http.Request.ContentLength} bytes; this endpoint accepts at most {limit} bytes.",
                });
                return;
            }
            await next(http);
        });
        app.Use(async (http, next) =>
        {
            // A NUL in a query value (?q=%00, ?agency=a%00b) reached PostgreSQL, which refuses text containing NUL: a 500.
            // No filter can mean it, so refuse it here for every endpoint, naming the parameter.
            var nul = http.Request.Query.FirstOrDefault(q => q.Value.Any(v => v?.Contains('\0') == true)).Key;
            if (nul is not null)
            {
                await WriteProblemAsync(http, StatusCodes.Status400BadRequest, new HttpValidationProblemDetails(new Dictionary<string, string[]> { [nul] = [$"{nul} must not contain NUL characters."] })
                {
                    Status = 400, Title = "The request could not be read.", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
                    Detail = $"Query parameter {nul} contains a NUL character.",
                });
                return;
            }
            await next(http);
        });
        app.Use(async (http, next) =>
        {
            // The framework's JSON reader throws InvalidOperationException (a 500) for a charset it cannot decode
            // ("charset=bogus", "charset=") and even for a quoted one (charset="utf-8"): unquote a known charset and
            // refuse an unknown one with 415 before any endpoint reads the body.
            if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) && type.Charset.HasValue)
            {
                var charset = type.Charset.Value!.Trim('"');
                Encoding? encoding = null;
                try { if (charset.Length > 0) encoding = Encoding.GetEncoding(charset); } catch (ArgumentException) { }
                if (encoding is null)
                {
                    await WriteProblemAsync(http, StatusCodes.Status415UnsupportedMediaType, new ProblemDetails
                    {
                        Status = 415, Title = "Unsupported charset", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
                        Detail = $"The request's charset '{charset}' is not a known encoding; send UTF-8.",
                        Extensions = { ["errors"] = new Dictionary<string, string[]> { ["Content-Type"] = [$"unknown charset '{charset}'."] } },
                    });
                    return;
                }
                if (type.Charset.Value != charset)
                {
                    type.Charset = charset;
                    http.Request.ContentType = type.ToString();
                }
            }
            await next(http);
        });
        app.UseCors(); // the rate limiter runs earlier, right after authentication (Common/Security/Edge.cs)
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        }).WithTags("Health");
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
