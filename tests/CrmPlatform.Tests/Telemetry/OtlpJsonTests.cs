using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>OTLP/JSON as a script or a browser SDK sends it: hex ids, enums as numbers, 64-bit integers as strings.</summary>
public sealed class OtlpJsonTests : IAsyncLifetime
{
    private const string TraceId = "5b8efff798038103d269b633813fc60c";
    private const string RootSpanId = "eee19b7ec3c1b174";
    private const string ChildSpanId = "eee19b7ec3c1b173";
    private TelemetryReceiverHost _host = null!;
    private HttpClient _otlp = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TelemetryReceiverHost.StartAsync();
        _otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
        _api = _host.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _otlp.Dispose();
        _api.Dispose();
        await _host.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Json_traces_with_hex_ids_are_stored_and_answered_in_json()
    {
        const string body = $$"""
            {
              "resourceSpans": [{
                "resource": { "attributes": [
                  { "key": "service.name", "value": { "stringValue": "json-sender" } },
                  { "key": "service.instance.id", "value": { "stringValue": "json-sender-a" } },
                  { "key": "deployment.environment", "value": { "stringValue": "test" } }
                ] },
                "scopeSpans": [{
                  "scope": { "name": "manual", "version": "1.0" },
                  "spans": [
                    {
                      "traceId": "{{TraceId}}", "spanId": "{{RootSpanId}}", "parentSpanId": "",
                      "name": "GET /report", "kind": 2,
                      "startTimeUnixNano": "1763892000000000000", "endTimeUnixNano": "1763892000250000000",
                      "attributes": [
                        { "key": "http.response.status_code", "value": { "intValue": "500" } },
                        { "key": "retry", "value": { "boolValue": true } },
                        { "key": "ratio", "value": { "doubleValue": 0.25 } },
                        { "key": "tags", "value": { "arrayValue": { "values": [ { "stringValue": "a" }, { "intValue": 1 } ] } } },
                        { "key": "owner", "value": { "kvlistValue": { "values": [ { "key": "team", "value": { "stringValue": "crm" } } ] } } }
                      ],
                      "status": { "code": "STATUS_CODE_ERROR", "message": "boom" },
                      "events": [ { "timeUnixNano": 1763892000100000000, "name": "exception",
                                    "attributes": [ { "key": "exception.type", "value": { "stringValue": "TimeoutException" } } ] } ],
                      "links": [ { "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331" } ],
                      "someFutureField": { "ignored": true }
                    },
                    {
                      "traceId": "{{TraceId}}", "spanId": "{{ChildSpanId}}", "parentSpanId": "{{RootSpanId}}",
                      "name": "SELECT report", "kind": "SPAN_KIND_CLIENT",
                      "startTimeUnixNano": 1763892000010000000, "endTimeUnixNano": 1763892000200000000
                    }
                  ]
                }]
              }]
            }
            """;

        var response = await _otlp.PostAsync("/v1/traces", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // An empty answer: everything was accepted (no partialSuccess).
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateObject());

        var trace = (await _api.GetJsonAsync($"/api/telemetry/traces/{TraceId}")).Body;
        Assert.Equal("GET /report", trace.Str("rootName"));
        Assert.Equal(250, trace.GetProperty("durationMs").GetDouble());
        Assert.True(trace.GetProperty("hasError").GetBoolean());
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        var root = spans.Single(s => s.Str("spanId") == RootSpanId);
        Assert.Equal("json-sender", root.Str("serviceName"));
        Assert.Equal("json-sender-a", root.Str("instanceId"));
        Assert.Equal("Server", root.Str("kind"));
        Assert.Equal("manual", root.Str("scope"));
        Assert.Equal(new DateTimeOffset(2025, 11, 23, 10, 0, 0, TimeSpan.Zero), root.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parentSpanId").ValueKind);
        Assert.Equal("Error", root.Str("status"));
        Assert.Equal("boom", root.Str("statusMessage"));
        var attributes = root.GetProperty("attributes");
        Assert.Equal("500", attributes.Str("http.response.status_code"));
        Assert.Equal("true", attributes.Str("retry"));
        Assert.Equal("0.25", attributes.Str("ratio"));
        Assert.Equal("""["a",1]""", attributes.Str("tags"));
        Assert.Equal("""{"team":"crm"}""", attributes.Str("owner"));
        Assert.Equal("TimeoutException", root.GetProperty("events")[0].GetProperty("attributes").Str("exception.type"));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", root.GetProperty("links")[0].Str("traceId"));
        var child = spans.Single(s => s.Str("spanId") == ChildSpanId);
        Assert.Equal(RootSpanId, child.Str("parentSpanId"));
        Assert.Equal("Client", child.Str("kind"));

        var resource = (await _api.GetJsonAsync("/api/telemetry/resources")).Body.GetProperty("resources")[0];
        Assert.Equal("test", resource.GetProperty("attributes").Str("deployment.environment"));

        var byName = await _api.GetJsonAsync("/api/telemetry/spans?service=json-sender&name=select");
        Assert.Equal(ChildSpanId, Assert.Single(byName.Body.GetProperty("spans").EnumerateArray()).Str("spanId"));
    }

    [Fact]
    public async Task Json_logs_and_metrics_are_stored()
    {
        const string logs = $$"""
            { "resourceLogs": [{
                "resource": { "attributes": [ { "key": "service.name", "value": { "stringValue": "json-logger" } } ] },
                "scopeLogs": [{
                  "scope": { "name": "Billing.Invoices" },
                  "logRecords": [
                    { "timeUnixNano": "1763892000000000000", "severityNumber": 17, "severityText": "Error",
                      "body": { "stringValue": "Invoice 7 could not be sent" },
                      "traceId": "{{TraceId}}", "spanId": "{{RootSpanId}}", "eventName": "InvoiceFailed",
                      "attributes": [ { "key": "invoice.id", "value": { "intValue": "7" } } ] },
                    { "observedTimeUnixNano": "1763892001000000000", "severityNumber": "SEVERITY_NUMBER_DEBUG",
                      "body": { "kvlistValue": { "values": [ { "key": "step", "value": { "stringValue": "render" } } ] } } }
                  ]
                }]
            }]}
            """;
        const string metrics = """
            { "resourceMetrics": [{
                "resource": { "attributes": [ { "key": "service.name", "value": { "stringValue": "json-logger" } } ] },
                "scopeMetrics": [{
                  "scope": { "name": "Billing" },
                  "metrics": [
                    { "name": "queue.length", "unit": "{item}",
                      "gauge": { "dataPoints": [ { "timeUnixNano": "1763892000000000000", "asInt": "12",
                                                   "attributes": [ { "key": "queue", "value": { "stringValue": "invoices" } } ] } ] } },
                    { "name": "invoices.sent", "sum": { "aggregationTemporality": 1, "isMonotonic": true,
                      "dataPoints": [ { "startTimeUnixNano": "1763891990000000000", "timeUnixNano": "1763892000000000000", "asDouble": 4 } ] } }
                  ]
                }]
            }]}
            """;

        Assert.Equal(HttpStatusCode.OK, (await _otlp.PostAsync("/v1/logs", Json(logs))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _otlp.PostAsync("/v1/metrics", Json(metrics))).StatusCode);

        var stored = (await _api.GetJsonAsync("/api/telemetry/logs?service=json-logger")).Body.GetProperty("logs").EnumerateArray().ToList();
        Assert.Equal(2, stored.Count);
        var error = stored.Single(l => l.Str("level") == "Error");
        Assert.Equal("Invoice 7 could not be sent", error.Str("message"));
        Assert.Equal("Billing.Invoices", error.Str("category"));
        Assert.Equal(TraceId, error.Str("traceId"));
        Assert.Equal(RootSpanId, error.Str("spanId"));
        Assert.Equal("7", error.GetProperty("attributes").Str("invoice.id"));
        Assert.Equal("InvoiceFailed", error.GetProperty("attributes").Str("event.name"));
        var debug = stored.Single(l => l.Str("level") == "Debug");
        Assert.Equal("""{"step":"render"}""", debug.Str("message"));
        Assert.Equal(new DateTimeOffset(2025, 11, 23, 10, 0, 1, TimeSpan.Zero), debug.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Single((await _api.GetJsonAsync("/api/telemetry/logs?level=error&text=invoice")).Body.GetProperty("logs").EnumerateArray());

        var gauge = (await _api.GetJsonAsync("/api/telemetry/metrics/json-logger/Billing/queue.length")).Body;
        Assert.Equal("Gauge", gauge.GetProperty("instruments")[0].Str("type"));
        Assert.Equal(12, gauge.GetProperty("points")[0].GetProperty("value").GetDouble());
        Assert.Equal("invoices", gauge.GetProperty("points")[0].GetProperty("dimensions").Str("queue"));
        var sum = (await _api.GetJsonAsync("/api/telemetry/metrics/json-logger/Billing/invoices.sent")).Body;
        Assert.False(sum.GetProperty("instruments")[0].GetProperty("isCumulative").GetBoolean());
        Assert.Equal(4, sum.GetProperty("points")[0].GetProperty("value").GetDouble());
        var later = await _api.GetJsonAsync("/api/telemetry/metrics/json-logger/Billing/invoices.sent?since=2025-11-23T10:00:01Z");
        Assert.Empty(later.Body.GetProperty("points").EnumerateArray());
    }
}
