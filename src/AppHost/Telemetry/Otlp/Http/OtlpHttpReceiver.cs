using System.Text.Json;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Http;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c>, binary protobuf or JSON, optionally
/// gzipped, answered in the request's encoding (errors as <c>google.rpc.Status</c>, as the specification asks).
/// </summary>
internal static class OtlpHttpReceiver
{
    public static void MapOtlpHttpReceiver(this IEndpointRouteBuilder app, string host)
    {
        var otlp = app.MapGroup("/v1").RequireHost(host).AllowAnonymous();
        otlp.MapPost("/traces", (HttpContext http, OtlpIngestion ingestion, OtlpApiKey apiKey, IOptions<TelemetryLimits> limits) =>
            ExportAsync(http, apiKey, limits.Value, ExportTraceServiceRequest.Parser, ingestion.Export));
        otlp.MapPost("/logs", (HttpContext http, OtlpIngestion ingestion, OtlpApiKey apiKey, IOptions<TelemetryLimits> limits) =>
            ExportAsync(http, apiKey, limits.Value, ExportLogsServiceRequest.Parser, ingestion.Export));
        otlp.MapPost("/metrics", (HttpContext http, OtlpIngestion ingestion, OtlpApiKey apiKey, IOptions<TelemetryLimits> limits) =>
            ExportAsync(http, apiKey, limits.Value, ExportMetricsServiceRequest.Parser, ingestion.Export));
    }

    private static async Task<IResult> ExportAsync<TRequest, TResponse>(
        HttpContext http, OtlpApiKey apiKey, TelemetryLimits limits, MessageParser<TRequest> parser, Func<TRequest, TResponse> export)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage
    {
        var encoding = OtlpEncodings.Of(http.Request.ContentType);
        // Checked before the body is read: an unauthenticated sender costs no parsing.
        if (!apiKey.Accepts(http.Request.Headers[OtlpApiKey.HeaderName]))
        {
            return (encoding ?? OtlpEncoding.Json).Error(StatusCodes.Status401Unauthorized, RpcCode.Unauthenticated, $"Missing or wrong {OtlpApiKey.HeaderName} header.");
        }

        if (encoding is not { } requestEncoding)
        {
            return OtlpEncoding.Json.Error(StatusCodes.Status415UnsupportedMediaType, RpcCode.InvalidArgument,
                $"Content-Type '{http.Request.ContentType}' is not supported: use {OtlpEncodings.ProtobufMediaType} or {OtlpEncodings.JsonMediaType}.");
        }

        TRequest request;
        try
        {
            using var body = await OtlpHttpBody.ReadAsync(http.Request, limits.MaxRequestBytes, http.RequestAborted);
            request = requestEncoding == OtlpEncoding.Json ? OtlpJson.Parse<TRequest>(body.Span) : parser.ParseFrom(body.Span);
        }
        catch (OtlpHttpBody.TooLargeException ex)
        {
            return requestEncoding.Error(StatusCodes.Status413PayloadTooLarge, RpcCode.ResourceExhausted, ex.Message);
        }
        catch (OtlpHttpBody.UnsupportedEncodingException ex)
        {
            return requestEncoding.Error(StatusCodes.Status415UnsupportedMediaType, RpcCode.InvalidArgument, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidProtocolBufferException or InvalidJsonException or JsonException or FormatException)
        {
            return requestEncoding.Error(StatusCodes.Status400BadRequest, RpcCode.InvalidArgument,
                $"The body is not a valid {typeof(TRequest).Name} in {requestEncoding.MediaType()}: {ex.Message}");
        }

        return new OtlpHttpResult(StatusCodes.Status200OK, export(request), requestEncoding);
    }
}
