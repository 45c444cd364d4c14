using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Rpc;
using Google.Protobuf;
using Microsoft.Net.Http.Headers;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Http;

/// <summary>OTLP/HTTP's two encodings; an answer (success or error) uses the request's.</summary>
internal enum OtlpEncoding
{
    Protobuf,
    Json,
}

internal static class OtlpEncodings
{
    public const string ProtobufMediaType = "application/x-protobuf";
    public const string JsonMediaType = "application/json";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    /// <summary>Null for any other content type (415).</summary>
    public static OtlpEncoding? Of(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() switch
        {
            ProtobufMediaType => OtlpEncoding.Protobuf,
            JsonMediaType => OtlpEncoding.Json,
            _ => null,
        } : null;

    public static string MediaType(this OtlpEncoding encoding) => encoding == OtlpEncoding.Json ? JsonMediaType : ProtobufMediaType;

    public static byte[] Encode(this OtlpEncoding encoding, IMessage message) =>
        encoding == OtlpEncoding.Json ? System.Text.Encoding.UTF8.GetBytes(Formatter.Format(message)) : message.ToByteArray();

    /// <summary>OTLP/HTTP's error body: a <c>google.rpc.Status</c> in the request's encoding.</summary>
    public static IResult Error(this OtlpEncoding encoding, int statusCode, RpcCode code, string message) =>
        new OtlpHttpResult(statusCode, new Status { Code = (int)code, Message = message }, encoding);
}

/// <summary>The <c>google.rpc.Code</c> values the receiver answers with.</summary>
internal enum RpcCode
{
    InvalidArgument = 3,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Unauthenticated = 16,
}

/// <summary>An OTLP message as the HTTP answer, encoded as the request was.</summary>
internal sealed class OtlpHttpResult(int statusCode, IMessage message, OtlpEncoding encoding) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = encoding.Encode(message);
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = encoding.MediaType();
        httpContext.Response.ContentLength = body.Length;
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}
