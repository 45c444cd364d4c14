using System.Collections.Concurrent;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// Shares one instance of strings that repeat across records (attribute keys, span and scope names, short values such
/// as <c>GET</c> or a route): every OTLP message is parsed into new strings, and without this a full store would hold
/// the same key a million times. Bounded, so high-cardinality values cannot grow it without end.
/// </summary>
internal sealed class StringPool(int capacity = 100_000, int maxLength = 128)
{
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Share(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (value.Length > maxLength)
        {
            return value;
        }

        if (_strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return _strings.Count < capacity ? _strings.GetOrAdd(value, value) : value;
    }
}
