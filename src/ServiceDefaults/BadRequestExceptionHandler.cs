using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Turns the framework's <see cref="BadHttpRequestException"/> (malformed JSON, a string where a number belongs, a body
/// that is too large) into a problem that names the field and what it takes (<see cref="BadRequestWords"/>), instead of
/// a bare status code or the framework's message about .NET types.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        var (field, detail) = badRequest.InnerException is JsonException json
            ? BadRequestWords.ForJson(json, (httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType,
                httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
            : BadRequestWords.ForBinding(badRequest.Message);
        var problem = field is null ? new ProblemDetails() : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [detail] });
        problem.Status = badRequest.StatusCode;
        problem.Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request";
        problem.Detail = detail;

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }
}
