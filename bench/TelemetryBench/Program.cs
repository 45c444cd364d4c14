using System.Diagnostics;
using System.Globalization;
using CrmPlatform.AppHost.Telemetry;
using CrmPlatform.AppHost.Telemetry.Otlp;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Options;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/TelemetryBench -- [seconds] [senders]
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var senders = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var duration = TimeSpan.FromSeconds(seconds);

// More distinct traces than the store keeps, so resending a batch never lands on a trace still in the store.
const int Batches = 250;
Console.Error.WriteLine($"preparing {Batches} batches of {Workload.BatchSize} spans");
var payloads = Enumerable.Range(0, Batches).Select(b => Workload.Traces(b).ToByteArray()).ToArray();
Console.Error.WriteLine($"batch: {payloads.Average(p => p.Length) / 1024:F0} KiB of protobuf");

var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
var rows = new List<(string Measure, Rate Rate)>();
foreach (var (name, stage) in Stages.All(payloads))
{
    Console.Error.WriteLine($"in process: {name}");
    rows.Add(($"{name}, 1 thread", Rate.Measure(duration, 1, stage)));
}

foreach (var (name, stage) in Stages.All(payloads).Where(s => s.Name.StartsWith("baseline") || s.Name.Contains("store")))
{
    Console.Error.WriteLine($"in process, {senders} threads: {name}");
    rows.Add(($"{name}, {senders} threads", Rate.Measure(duration, senders, stage)));
}

await using (var host = await TelemetryReceiverHost.StartAsync())
{
    foreach (var (name, transport) in new (string, Func<TelemetryReceiverHost, Transport>)[]
    {
        ("OTLP/gRPC (the services' transport)", Transport.Grpc),
        ("OTLP/HTTP protobuf", Transport.Http),
    })
    {
        // One client (one connection) per sender, as each service has its own exporter.
        var clients = Enumerable.Range(0, senders).Select(_ => transport(host)).ToArray();
        Console.Error.WriteLine($"receiver: {name}");
        var next = -1;
        rows.Add(($"{name}, {senders} senders", Rate.Measure(duration, senders, worker =>
            clients[worker].Send(payloads[(Interlocked.Increment(ref next) & int.MaxValue) % Batches]))));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        host.Store.Clear();
    }
}

Console.Error.WriteLine("memory at the default limits");
var memory = StoreMemory.MeasureAll();

Console.WriteLine($"Spans ingested, batches of {Workload.BatchSize} spans with 10 attributes, {Workload.SpansPerTrace} spans per trace, {seconds:F0} s per row after 2 s of warm-up");
Console.WriteLine($"({Environment.ProcessorCount} cores, load average {load} at the start and {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end):");
Console.WriteLine();
Console.WriteLine("| path | spans/s | ms per batch |");
Console.WriteLine("|---|---|---|");
foreach (var (measure, rate) in rows)
{
    Console.WriteLine($"| {measure} | {rate.SpansPerSecond:N0} | {rate.MillisecondsPerBatch:F2} |");
}

Console.WriteLine();
Console.WriteLine("Managed memory held by a full store at the default limits (GC.GetTotalMemory after a full collection):");
Console.WriteLine();
Console.WriteLine("| content | held | per record |");
Console.WriteLine("|---|---|---|");
foreach (var (content, bytes, records) in memory)
{
    Console.WriteLine($"| {content} | {bytes / 1024.0 / 1024:F1} MiB | {bytes / (double)records:F0} B |");
}

/// <summary>Spans per second through <c>send</c>, which sends or processes one batch.</summary>
internal sealed record Rate(double SpansPerSecond, double MillisecondsPerBatch)
{
    /// <param name="send">Given the worker's index (0 to concurrency - 1).</param>
    public static Rate Measure(TimeSpan duration, int concurrency, Func<int, Task> send)
    {
        Run(TimeSpan.FromSeconds(2), concurrency, send);
        var (batches, elapsed) = Run(duration, concurrency, send);
        return new Rate(batches * Workload.BatchSize / elapsed.TotalSeconds, elapsed.TotalMilliseconds * concurrency / batches);
    }

    public static Rate Measure(TimeSpan duration, int concurrency, Action process) =>
        Measure(duration, concurrency, _ => { process(); return Task.CompletedTask; });

    private static (long Batches, TimeSpan Elapsed) Run(TimeSpan duration, int concurrency, Func<int, Task> send)
    {
        long batches = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await send(worker);
                Interlocked.Increment(ref batches);
            }
        })).ToArray();
        Task.WaitAll(workers);
        return (batches, clock.Elapsed);
    }
}

/// <summary>The receiver's steps without a transport, one thread: what parsing, converting and storing cost by themselves.</summary>
internal static class Stages
{
    public static IEnumerable<(string Name, Action Stage)> All(byte[][] payloads)
    {
        var options = Options.Create(new TelemetryLimits());
        var converter = new OtlpConverter(options);
        var requests = payloads.Select(ExportTraceServiceRequest.Parser.ParseFrom).ToArray();
        var converted = requests.Select(r => converter.ConvertSpans(r).Items).ToArray();
        var next = -1;
        int Next(int count) => (Interlocked.Increment(ref next) & int.MaxValue) % count;
        var store = new TelemetryStore(options);
        var ingestion = new OtlpIngestion(converter, new TelemetryStore(options));

        yield return ("baseline: TelemetryStore.AddSpans of converted spans", () => store.AddSpans(converted[Next(converted.Length)]));
        yield return ("protobuf parse only", () => ExportTraceServiceRequest.Parser.ParseFrom(payloads[Next(payloads.Length)]));
        yield return ("conversion only (parsed request to SpanData)", () => converter.ConvertSpans(requests[Next(requests.Length)]));
        yield return ("parse + convert", () => converter.ConvertSpans(ExportTraceServiceRequest.Parser.ParseFrom(payloads[Next(payloads.Length)])));
        yield return ("parse + convert + store, no transport", () => ingestion.Export(ExportTraceServiceRequest.Parser.ParseFrom(payloads[Next(payloads.Length)])));
    }
}
