using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmPlatform.ServiceDefaults;

/// <summary>Body size limit (413 as a problem) and the trace id on every response.</summary>
public static class RequestLimits
{
    public const string TraceIdHeader = "X-Trace-Id";

    /// <summary><c>Limits:MaxRequestBodyBytes</c>, 1 MiB by default: no CRM record comes near it.</summary>
    public static long MaxRequestBodyBytes(IConfiguration configuration) =>
        configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;

    public static TBuilder AddRequestLimits<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var limit = MaxRequestBodyBytes(builder.Configuration);
        // Kestrel stops chunked bodies that grow past the limit; declared lengths are refused up front below.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = limit);
        return builder;
    }

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var limit = MaxRequestBodyBytes(app.Configuration);
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (Activity.Current is { } activity)
                {
                    context.Response.Headers[TraceIdHeader] = activity.TraceId.ToString();
                }
                return Task.CompletedTask;
            });

            // An endpoint that takes large bodies (a file upload) declares its own limit, which routing has applied.
            var endpointLimit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
            if (context.Request.ContentLength > (endpointLimit ?? limit))
            {
                // The body stays unread, so Kestrel ends this connection: say so, or the client reuses it for its next
                // request and sees that one fail ("response ended prematurely").
                context.Response.Headers.Connection = "close";
                await TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                    detail: $"Request bodies are limited to {endpointLimit ?? limit} bytes.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }
}
