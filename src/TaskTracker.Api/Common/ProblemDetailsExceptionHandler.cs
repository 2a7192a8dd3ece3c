using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace TaskTracker.Common;

/// <summary>
/// The one place where exceptions become RFC 9457 problem details, so every error a client can provoke has the
/// same shape and none leaks as a 500.
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        ProblemDetails? problem = exception switch
        {
            ValidationException v => Validation(v),
            NotFoundException nf => new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = nf.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
            },
            RuleViolationException r => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = r.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
            },
            ConflictException c => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = c.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
            },
            ForbiddenException f => new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = f.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
            },
            PreconditionFailedException pf => new ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed, Title = "Precondition failed", Detail = pf.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
            },
            PreconditionRequiredException pr => new ProblemDetails
            {
                Status = StatusCodes.Status428PreconditionRequired, Title = "Precondition required", Detail = pr.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-3",
            },
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "Conflict", Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
                Detail = "Someone else changed this at the same moment (or took over this Idempotency-Key); nothing was saved. Fetch it again and retry.",
            },
            BadHttpRequestException b => BadRequest(b),
            PayloadTooLargeException big => new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge, Title = "Request body too large", Detail = big.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["file"] = [big.Message] } },
            },
            UnsupportedFileException bad => new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType, Title = "Unsupported file type", Detail = bad.Message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["file"] = [bad.Message] } },
            },
            _ => null,
        };
        if (problem is null)
        {
            if (http.RequestAborted.IsCancellationRequested && exception is OperationCanceledException) return true;
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", http.Request.Method, http.Request.Path);
            return false; // the default handler answers 500 problem details without the stack trace
        }
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static HttpValidationProblemDetails Validation(ValidationException v)
    {
        var errors = v.Errors
            .GroupBy(e => JsonFieldName(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Detail = "Fields in error: " + string.Join(", ", errors.Keys),
            Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        };
    }

    /// <summary>Model binding and JSON errors: name the parameter or JSON path the client got wrong.</summary>
    private static ProblemDetails BadRequest(BadHttpRequestException b)
    {
        var status = b.StatusCode is >= 400 and < 500 ? b.StatusCode : StatusCodes.Status400BadRequest;
        if (status == StatusCodes.Status400BadRequest)
        {
            var field = b.InnerException is JsonException { Path: { } path } ? path : ParameterName(b.Message) ?? "request";
            var message = b.InnerException is JsonException je ? CleanJsonMessage(je.Message) : b.Message;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = status, Title = "The request could not be read.", Detail = message,
                Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
            };
        }
        return new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
            Detail = b.Message,
        };
    }

    private static string? ParameterName(string message)
    {
        // "Failed to bind parameter \"int? section\" from \"abc\"." -> section
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        if (end <= start) return null;
        var decl = message[(start + 1)..end];
        return decl.Split(' ').Last();
    }

    private static string CleanJsonMessage(string m)
    {
        var cut = m.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? m[..cut] : m;
    }

    public static string JsonFieldName(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
