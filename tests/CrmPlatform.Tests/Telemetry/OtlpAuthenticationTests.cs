using System.Net;
using System.Net.Http.Headers;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using static CrmPlatform.Tests.Telemetry.OtlpRequests;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>The OTLP API key on both transports, and the dashboard token on the read API.</summary>
public sealed class OtlpAuthenticationTests : IAsyncLifetime
{
    private const string ApiKey = "the-right-key";
    private TelemetryReceiverHost _host = null!;

    public async Task InitializeAsync() => _host = await TelemetryReceiverHost.StartAsync(ApiKey);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null, StatusCode.Unauthenticated)]
    [InlineData("the-wrong-key", StatusCode.Unauthenticated)]
    [InlineData("the-right-key-", StatusCode.Unauthenticated)]
    [InlineData(ApiKey, StatusCode.OK)]
    public async Task Grpc_export_needs_the_api_key(string? key, StatusCode expected)
    {
        using var channel = GrpcChannel.ForAddress(_host.OtlpGrpcUrl);
        var client = new TraceService.TraceServiceClient(channel);
        var headers = key is null ? new Metadata() : new Metadata { { "x-otlp-api-key", key } };
        var traceId = NewTraceId();

        var status = StatusCode.OK;
        try
        {
            await client.ExportAsync(Traces("grpc-auth", NewSpan(traceId, "call")), headers);
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode;
        }

        Assert.Equal(expected, status);
        Assert.Equal(expected == StatusCode.OK, _host.Store.GetTrace(traceId) is not null);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("the-wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData(ApiKey, HttpStatusCode.OK)]
    public async Task Http_export_needs_the_api_key(string? key, HttpStatusCode expected)
    {
        using var otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
        var traceId = NewTraceId();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/traces")
        {
            Content = new ByteArrayContent(Traces("http-auth", NewSpan(traceId, "call")).ToByteArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (key is not null)
        {
            request.Headers.Add("x-otlp-api-key", key);
        }

        using var response = await otlp.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK, _host.Store.GetTrace(traceId) is not null);
        if (expected == HttpStatusCode.Unauthorized)
        {
            // The error body is a google.rpc.Status in the request's encoding, as OTLP/HTTP specifies.
            var status = AppHost.Telemetry.Otlp.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(16, status.Code);
            Assert.Contains("x-otlp-api-key", status.Message);
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-the-token", HttpStatusCode.Unauthorized)]
    [InlineData("right", HttpStatusCode.OK)]
    public async Task Read_api_needs_the_dashboard_token(string? token, HttpStatusCode expected)
    {
        using var api = new HttpClient { BaseAddress = _host.DashboardUrl };
        if (token is not null)
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token == "right" ? _host.Options.BrowserToken : token);
        }

        foreach (var path in new[] { "/api/telemetry/resources", "/api/telemetry/logs", "/api/telemetry/traces", "/api/telemetry/spans", "/api/telemetry/metrics" })
        {
            Assert.Equal(expected, (await api.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Each_listener_serves_only_its_own_endpoints()
    {
        using var otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
        otlp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _host.Options.BrowserToken);
        Assert.Equal(HttpStatusCode.NotFound, (await otlp.GetAsync("/api/telemetry/resources")).StatusCode);

        using var dashboard = new HttpClient { BaseAddress = _host.DashboardUrl };
        var content = new ByteArrayContent(Traces("wrong-port", NewSpan(NewTraceId(), "call")).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.Add("x-otlp-api-key", ApiKey);
        Assert.Equal(HttpStatusCode.NotFound, (await dashboard.PostAsync("/v1/traces", content)).StatusCode);
    }
}
