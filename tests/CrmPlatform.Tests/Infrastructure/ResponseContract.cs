using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// Holds every JSON answer of a service hosted by the tests to the service's own OpenAPI document: the operation is
/// documented, the status is one it documents, and the body validates against the documented schema (JSON Schema
/// 2020-12, formats included). So each test that calls an operation also checks its contract, on real responses. A
/// break is written to <c>artifacts/contract-violations.txt</c> and reaches the test as a 500 problem naming what
/// differs, so the test fails where the drift happened.
/// </summary>
public sealed class ResponseContract(IOpenApiDocumentProvider documents)
{
    /// <summary>
    /// Whether a break turns the answer into a 500, so the test that caused it fails (the default), or is only recorded
    /// (<c>CRM_ENFORCE_RESPONSE_CONTRACT=0</c>, for surveying many gaps in one run).
    /// </summary>
    public static bool Enforced => Environment.GetEnvironmentVariable("CRM_ENFORCE_RESPONSE_CONTRACT") != "0";

    private static readonly Lock ReportLock = new();

    /// <summary>Keeps a break for the run's report too (<c>artifacts/contract-violations.txt</c>): a test may not show the 500's body.</summary>
    public static void Record(string problem)
    {
        lock (ReportLock)
        {
            var report = Path.Combine(Repository.Root, "artifacts", "contract-violations.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(report)!);
            File.AppendAllText(report, problem + Environment.NewLine);
        }
    }

    private readonly SemaphoreSlim _loading = new(1, 1);
    private JsonNode? _document;
    private readonly ConcurrentDictionary<string, JsonSchema?> _schemas = new();

    /// <summary>What is wrong with this answer, or null when it keeps the contract (or is not one the document covers).</summary>
    public async Task<string?> ProblemAsync(HttpContext context, byte[] body)
    {
        // Not operations of the API: endpoints without a handler method (health checks), CORS preflights (answered by
        // the CORS middleware) and the catch-all fallback's 404s.
        if (context.GetEndpoint() is not RouteEndpoint endpoint
            || endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>() is null
            || endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true }
            || (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey("Access-Control-Request-Method"))
            || endpoint.RoutePattern.RawText?.TrimStart('/').StartsWith("{*", StringComparison.Ordinal) == true)
        {
            return null;
        }
        var document = await DocumentAsync(context.RequestAborted);
        var path = OpenApiPath(endpoint.RoutePattern.RawText ?? "");
        var method = context.Request.Method.ToLowerInvariant();
        var status = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var where = $"{context.Request.Method} {path} {status}";
        if (document["paths"]?[path]?[method] is not JsonObject operation)
        {
            return $"{context.Request.Method} {path} is not in the OpenAPI document";
        }
        if (operation["responses"]?[status] is not JsonObject response)
        {
            return $"{where}: the document does not list status {status} for this operation";
        }
        var mediaType = context.Response.ContentType?.Split(';')[0].Trim();
        if (body.Length == 0 || mediaType is null || !mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return null;
        }
        if (response["content"] is not JsonObject content || content[mediaType] is not JsonObject media)
        {
            return $"{where}: answers {mediaType}, which the document does not list for this status";
        }
        var schema = _schemas.GetOrAdd($"{method} {path} {status} {mediaType}", _ => media["schema"] is JsonNode s ? StandaloneSchema.From(document, s) : null);
        if (schema is null)
        {
            return null;
        }
        using var instance = JsonDocument.Parse(body);
        var result = schema.Evaluate(instance.RootElement, StandaloneSchema.Options);
        return result.IsValid ? null : $"{where}: the body does not match the documented schema: {StandaloneSchema.Explained(result)}";
    }

    private async Task<JsonNode> DocumentAsync(CancellationToken cancellationToken)
    {
        if (_document is not null)
        {
            return _document;
        }
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_document is null)
            {
                var document = await documents.GetOpenApiDocumentAsync(cancellationToken);
                _document = JsonNode.Parse(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken))!;
            }
            return _document;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>A route template as the document names it: <c>api/v1/people/{id:guid}</c> is <c>/api/v1/people/{id}</c>.</summary>
    private static string OpenApiPath(string template) =>
        "/" + Regex.Replace(template.Trim('/'), @"\{\**([^}:=?]+)[^}]*\}", "{$1}");
}

/// <summary>Puts <see cref="ResponseContract"/> in front of a hosted service's pipeline.</summary>
public sealed class ResponseContractStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(CheckAsync);
        next(app);
    };

    private static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var contract = context.RequestServices.GetKeyedService<IOpenApiDocumentProvider>("v1") is { } provider
            ? context.RequestServices.GetRequiredService<ResponseContractCache>().For(provider)
            : null;
        if (contract is null || context.Request.Path.StartsWithSegments("/openapi"))
        {
            await next(context);
            return;
        }
        // JSON answers are held back until checked; anything else (files, streams, server-sent events) passes straight through.
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        await using var held = new HeldJsonBody(context, original.Stream);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(held, original));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(original);
        }
        if (held.Holding)
        {
            var body = held.Content.ToArray();
            var problem = await contract.ProblemAsync(context, body);
            if (problem is not null)
            {
                ResponseContract.Record(problem);
            }
            if (problem is not null && ResponseContract.Enforced && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/problem+json";
                body = JsonSerializer.SerializeToUtf8Bytes(new { title = "The answer breaks the OpenAPI contract", status = 500, detail = problem });
            }
            if (!context.Response.HasStarted)
            {
                context.Response.ContentLength = body.Length;
            }
            await original.Stream.WriteAsync(body, context.RequestAborted);
        }
        else if (!context.Response.HasStarted)
        {
            // No body at all: the status alone must be a documented one.
            var problem = await contract.ProblemAsync(context, []);
            if (problem is not null)
            {
                ResponseContract.Record(problem);
            }
        }
    }

    /// <summary>Decides at the first write: JSON is held in memory, everything else goes straight to the client.</summary>
    private sealed class HeldJsonBody(HttpContext context, Stream inner) : Stream
    {
        private bool? _hold;

        public MemoryStream Content { get; } = new();

        public bool Holding => _hold == true;

        private Stream Target
        {
            get
            {
                _hold ??= context.Response.ContentType?.Split(';')[0].Trim().EndsWith("json", StringComparison.Ordinal) == true;
                return _hold == true ? Content : inner;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Target.Write(buffer, offset, count);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Target.WriteAsync(buffer, offset, count, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            Target.WriteAsync(buffer, cancellationToken);
        public override void Flush() => Target.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => Target.FlushAsync(cancellationToken);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>One <see cref="ResponseContract"/> per hosted service (its document is read once).</summary>
public sealed class ResponseContractCache
{
    private ResponseContract? _contract;

    public ResponseContract For(IOpenApiDocumentProvider provider) => _contract ??= new ResponseContract(provider);
}
