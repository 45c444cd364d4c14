using System.Collections.Concurrent;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// Shares one instance of strings that repeat across records (attribute keys, span and scope names, values such as
/// <c>GET</c>, a route or a user agent): every OTLP message is parsed into new strings, and without this a full store
/// holds the same key a million times. A string is shared from its second sighting on, so the many values seen once
/// (ids, paths with ids) never enter the pool; both sets are bounded.
/// </summary>
internal sealed class StringPool(int capacity = 50_000, int maxLength = 256)
{
    private readonly ConcurrentDictionary<string, string> _shared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _seenOnce = new(StringComparer.Ordinal);

    // Counted here: ConcurrentDictionary.Count takes every lock of the dictionary, far too slow for every attribute.
    private int _sharedCount;
    private int _seenOnceCount;

    /// <summary>A pool that shares nothing (to measure what sharing saves).</summary>
    public static StringPool None => new(capacity: 0);

    public string Share(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (_shared.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (value.Length > maxLength || Volatile.Read(ref _sharedCount) >= capacity)
        {
            return value;
        }

        if (_seenOnce.TryRemove(value, out var first))
        {
            Interlocked.Decrement(ref _seenOnceCount);
            shared = _shared.GetOrAdd(value, first);
            if (ReferenceEquals(shared, first))
            {
                Interlocked.Increment(ref _sharedCount);
            }

            return shared;
        }

        // Forgetting the candidates costs one more unshared copy of the values that do repeat, nothing else.
        if (Interlocked.Increment(ref _seenOnceCount) > capacity)
        {
            _seenOnce.Clear();
            Volatile.Write(ref _seenOnceCount, 0);
        }
        else
        {
            _seenOnce.TryAdd(value, value);
        }

        return value;
    }
}
