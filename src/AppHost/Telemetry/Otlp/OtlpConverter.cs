using System.Collections.ObjectModel;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Common.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Resource.V1;
using Google.Protobuf.Collections;
using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>What one export request became: the records to store, the senders' resources, and what was refused and why.</summary>
public sealed record OtlpBatch<T>(IReadOnlyList<T> Items, IReadOnlyList<OtlpResource> Resources, long Rejected, string? ErrorMessage);

/// <summary>A sender and its resource attributes (<c>service.name</c>, <c>host.name</c>, <c>telemetry.sdk.version</c>, ...).</summary>
public sealed record OtlpResource(TelemetrySource Source, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Turns OTLP export requests into the store's model; one converter for both transports (gRPC and HTTP, protobuf or
/// JSON), so a record reads the same whichever way it came. Applies <see cref="TelemetryLimits"/>' attribute and event
/// limits. Thread-safe: requests are converted concurrently.
/// </summary>
public sealed partial class OtlpConverter(IOptions<TelemetryLimits> options)
{
    public const string ServiceNameKey = "service.name";
    public const string ServiceInstanceIdKey = "service.instance.id";

    /// <summary>What the SDKs name a resource without <c>service.name</c>.</summary>
    public const string UnknownService = "unknown_service";

    private static readonly IReadOnlyDictionary<string, string> NoAttributes = ReadOnlyDictionary<string, string>.Empty;

    private readonly TelemetryLimits _limits = options.Value;
    private readonly StringPool _strings = new();
    private readonly Lock _sourcesLock = new();
    private readonly Dictionary<(string, string), TelemetrySource> _sources = [];

    /// <summary>With another string pool (the benchmark measures what sharing saves).</summary>
    internal OtlpConverter(IOptions<TelemetryLimits> options, StringPool strings)
        : this(options) => _strings = strings;

    /// <summary>The sender from <c>service.name</c> and <c>service.instance.id</c> (the service name when absent).</summary>
    public OtlpResource ResourceOf(Resource? resource)
    {
        // Read before the attribute limits apply: a long service name must not be cut into another service's.
        string? Identity(string key) => resource?.Attributes.FirstOrDefault(a => a.Key == key) is { } attribute ? OtlpValues.ToText(attribute.Value) : null;
        var name = Identity(ServiceNameKey) is { Length: > 0 } n ? n : UnknownService;
        var instance = Identity(ServiceInstanceIdKey) is { Length: > 0 } i ? i : name;
        return new OtlpResource(Source(name, instance), Attributes(resource?.Attributes));
    }

    /// <summary>
    /// Attribute values as text, at most <see cref="TelemetryLimits.MaxAttributeCount"/> (the first ones, as senders put
    /// the important ones first) each cut to <see cref="TelemetryLimits.MaxAttributeLength"/>; a repeated key keeps its first value.
    /// </summary>
    internal IReadOnlyDictionary<string, string> Attributes(RepeatedField<KeyValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return NoAttributes;
        }

        var pairs = new KeyValuePair<string, string>[Math.Min(attributes.Count, _limits.MaxAttributeCount)];
        var count = 0;
        foreach (var attribute in attributes)
        {
            if (count == pairs.Length)
            {
                break;
            }

            if (attribute.Key.Length == 0 || Contains(pairs.AsSpan(0, count), attribute.Key))
            {
                continue;
            }

            pairs[count++] = new(_strings.Share(attribute.Key), Text(attribute.Value));
        }

        return new AttributeMap(count == pairs.Length ? pairs : pairs[..count]);

        static bool Contains(ReadOnlySpan<KeyValuePair<string, string>> pairs, string key)
        {
            foreach (var pair in pairs)
            {
                if (pair.Key == key)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>An attribute value as text, cut to the length limit, shared when it repeats.</summary>
    internal string Text(AnyValue? value)
    {
        var text = OtlpValues.ToText(value);
        return _strings.Share(text.Length > _limits.MaxAttributeLength ? text[.._limits.MaxAttributeLength] : text);
    }

    internal string Share(string value) => _strings.Share(value);

    /// <summary>One instance per sender, so a full store does not hold 10,000 copies of the same two strings.</summary>
    private TelemetrySource Source(string name, string instance)
    {
        lock (_sourcesLock)
        {
            if (!_sources.TryGetValue((name, instance), out var source))
            {
                // A sender that changes its instance id at every start would grow this without end: start again past a bound.
                if (_sources.Count >= 10_000)
                {
                    _sources.Clear();
                }

                _sources[(name, instance)] = source = new TelemetrySource(name, instance);
            }

            return source;
        }
    }

    private static OtlpBatch<T> Batch<T>(List<T> items, List<OtlpResource> resources, long rejected, string? error) =>
        new(items, resources, rejected, rejected > 0 ? error : null);
}
