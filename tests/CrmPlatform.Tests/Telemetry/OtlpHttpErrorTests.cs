using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Google.Protobuf;
using static CrmPlatform.Tests.Telemetry.OtlpRequests;
using RpcStatus = CrmPlatform.AppHost.Telemetry.Otlp.Proto.Rpc.Status;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>What the OTLP/HTTP receiver answers to bodies it cannot take, and to the ones it can only partly take.</summary>
public sealed class OtlpHttpErrorTests : IAsyncLifetime
{
    private TelemetryReceiverHost _host = null!;
    private HttpClient _otlp = null!;

    public async Task InitializeAsync()
    {
        _host = await TelemetryReceiverHost.StartAsync(settings: new Dictionary<string, string?> { ["Telemetry:MaxRequestBytes"] = "65536" });
        _otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
    }

    public async Task DisposeAsync()
    {
        _otlp.Dispose();
        await _host.DisposeAsync();
    }

    private static ByteArrayContent Protobuf(byte[] body, string? contentEncoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        return content;
    }

    [Fact]
    public async Task Malformed_protobuf_is_400_with_a_status_saying_why()
    {
        using var response = await _otlp.PostAsync("/v1/traces", Protobuf([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var status = RpcStatus.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, status.Code);
        Assert.Contains("ExportTraceServiceRequest", status.Message);
    }

    [Theory]
    [InlineData("/v1/logs", "{ \"resourceLogs\": [ { ")]
    [InlineData("/v1/metrics", "[1, 2, 3]")]
    [InlineData("/v1/traces", "{ \"resourceSpans\": \"not a list\" }")]
    public async Task Malformed_json_is_400_with_a_json_status(string path, string body)
    {
        using var response = await _otlp.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, status.GetProperty("code").GetInt32());
        Assert.Contains("not a valid", status.Str("message"));
    }

    [Fact]
    public async Task Base64_ids_in_json_are_400_naming_the_field()
    {
        const string body = """
            { "resourceSpans": [ { "scopeSpans": [ { "spans": [
                { "traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=", "name": "x", "startTimeUnixNano": "1" } ] } ] } ] }
            """;
        using var response = await _otlp.PostAsync("/v1/traces", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("traceId", (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("message"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/grpc")]
    [InlineData("application/xml")]
    public async Task Other_content_types_are_415(string contentType)
    {
        var content = new ByteArrayContent(Traces("x", NewSpan(NewTraceId(), "x")).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _otlp.PostAsync("/v1/traces", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/x-protobuf", (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("message"));
    }

    [Fact]
    public async Task Unknown_content_encoding_is_415()
    {
        using var response = await _otlp.PostAsync("/v1/traces", Protobuf(Traces("x", NewSpan(NewTraceId(), "x")).ToByteArray(), "br"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Gzipped_bodies_are_accepted()
    {
        var traceId = NewTraceId();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            Traces("gzipped", NewSpan(traceId, "compressed")).WriteTo(gzip);
        }

        using var response = await _otlp.PostAsync("/v1/traces", Protobuf(compressed.ToArray(), "gzip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("compressed", _host.Store.GetTrace(traceId)?.Root?.Name);
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413_even_when_they_arrive_gzipped_small()
    {
        var big = Traces("big", [.. Enumerable.Range(0, 200).Select(_ => NewSpan(NewTraceId(), new string('x', 1000)))]).ToByteArray();
        Assert.True(big.Length > 65536);
        using var plain = await _otlp.PostAsync("/v1/traces", Protobuf(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, plain.StatusCode);

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(big);
        }

        Assert.True(compressed.Length < 65536);
        using var gzipped = await _otlp.PostAsync("/v1/traces", Protobuf(compressed.ToArray(), "gzip"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, gzipped.StatusCode);
        Assert.Equal(0, _host.Store.TraceCount);
    }

    [Fact]
    public async Task Spans_without_valid_ids_are_rejected_as_partial_success()
    {
        var good = NewSpan(NewTraceId(), "good");
        var zeroTraceId = NewSpan(NewTraceId(), "zero trace id");
        zeroTraceId.TraceId = ByteString.CopyFrom(new byte[16]);
        var shortSpanId = NewSpan(NewTraceId(), "short span id");
        shortSpanId.SpanId = ByteString.CopyFrom(1, 2, 3);

        using var response = await _otlp.PostAsync("/v1/traces", Protobuf(Traces("partial", good, zeroTraceId, shortSpanId).ToByteArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, answer.PartialSuccess.RejectedSpans);
        Assert.Contains("trace id", answer.PartialSuccess.ErrorMessage);
        Assert.Equal(1, _host.Store.TraceCount);
    }

    [Fact]
    public async Task Unknown_trace_is_a_404_problem()
    {
        using var api = _host.CreateApiClient();
        var answer = await api.GetJsonAsync($"/api/telemetry/traces/{NewTraceId()}");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No trace", answer.Body.Str("detail"));
    }

    [Fact]
    public async Task Unknown_log_level_is_a_400_problem()
    {
        using var api = _host.CreateApiClient();
        var answer = await api.GetJsonAsync("/api/telemetry/logs?level=loud");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Warning", answer.Body.Str("detail"));
    }
}
