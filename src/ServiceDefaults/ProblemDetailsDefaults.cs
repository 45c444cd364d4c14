using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace CrmPlatform.ServiceDefaults;

internal static class ProblemDetailsDefaults
{
    /// <summary>Every problem names its trace so a support request can be matched with the logs and spans behind it.</summary>
    public static void AddTraceId(ProblemDetailsContext context)
    {
        context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        context.ProblemDetails.Extensions["traceId"] =
            Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
    }
}
