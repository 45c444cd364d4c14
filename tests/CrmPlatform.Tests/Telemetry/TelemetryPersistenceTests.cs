using System.Net;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Google.Protobuf;
using static CrmPlatform.Tests.Telemetry.OtlpRequests;

namespace CrmPlatform.Tests.Telemetry;

/// <summary><c>Telemetry:PersistPath</c>: what the store held at a graceful stop is there again after the next start.</summary>
public sealed class TelemetryPersistenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crm-telemetry-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<TelemetryReceiverHost> StartAsync() => TelemetryReceiverHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Telemetry:PersistPath"] = Path.Combine(_folder, "telemetry.json.gz"),
    });

    private static async Task PostAsync(TelemetryReceiverHost host, string path, IMessage request)
    {
        using var otlp = new HttpClient { BaseAddress = host.OtlpHttpUrl };
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, (await otlp.PostAsync(path, content)).StatusCode);
    }

    [Fact]
    public async Task Logs_traces_and_metrics_survive_a_restart()
    {
        var traceId = NewTraceId();
        await using (var first = await StartAsync())
        {
            var root = NewSpan(traceId, "checkout", attributes: [Attribute("cart.items", "3")]);
            await PostAsync(first, "/v1/traces", Traces("persisted", root, NewSpan(traceId, "charge card", Convert.ToHexStringLower(root.SpanId.Span), offsetMs: 1)));
            await PostAsync(first, "/v1/logs", Logs("persisted", NewLog("card charged", attributes: [Attribute("amount", "12.50")])));
            await PostAsync(first, "/v1/metrics", Gauge("persisted", "Shop", "carts.open", 4, 7));
        }

        Assert.True(File.Exists(Path.Combine(_folder, "telemetry.json.gz")));
        await using var second = await StartAsync();
        using var api = second.CreateApiClient();

        var trace = (await api.GetJsonAsync($"/api/telemetry/traces/{traceId}")).Body;
        Assert.Equal("checkout", trace.Str("rootName"));
        Assert.Equal(2, trace.GetProperty("spanCount").GetInt32());
        Assert.Equal("3", trace.GetProperty("spans").EnumerateArray().Single(s => s.Str("name") == "checkout").GetProperty("attributes").Str("cart.items"));
        var log = (await api.GetJsonAsync("/api/telemetry/logs?service=persisted")).Body.GetProperty("logs")[0];
        Assert.Equal("card charged", log.Str("message"));
        Assert.Equal("12.50", log.GetProperty("attributes").Str("amount"));
        Assert.Equal("Information", log.Str("level"));
        var points = (await api.GetJsonAsync("/api/telemetry/metrics/persisted/Shop/carts.open")).Body.GetProperty("points");
        Assert.Equal([4.0, 7.0], points.EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        var resource = (await api.GetJsonAsync("/api/telemetry/resources")).Body.GetProperty("resources")[0];
        Assert.Equal("persisted-1", resource.GetProperty("attributes").Str("service.instance.id"));
    }

    [Fact]
    public async Task A_damaged_snapshot_is_ignored()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "telemetry.json.gz"), "not gzip");

        await using var host = await StartAsync();

        Assert.Equal(0, host.Store.LogCount);
    }
}
