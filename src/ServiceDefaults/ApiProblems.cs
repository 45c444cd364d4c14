using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.ServiceDefaults;

/// <summary>The problem answers every API gives the same way (RFC 9457).</summary>
public static class ApiProblems
{
    public static ProblemHttpResult NotFound(string resource, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No {resource} with id '{id}'.");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail, extensions: extensions);

    /// <summary>Someone else's change committed between this request's read and its write: its If-Match no longer holds.</summary>
    public static ProblemHttpResult ConcurrentUpdate(string resource, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
            detail: $"The {resource} '{id}' was changed by someone else while this request ran; read it again and retry.");

    /// <summary>The request is well formed but names records that do not exist (or belong to no one the caller can see).</summary>
    public static ProblemHttpResult Unprocessable(string detail, IDictionary<string, string[]> errors) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable request", detail: detail,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });
}
