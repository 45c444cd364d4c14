using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// A record's attributes: a few to a few dozen pairs, written once, read rarely. An array of pairs takes less than half
/// the memory of a <see cref="Dictionary{TKey,TValue}"/> (about 200 bytes rather than 440 for ten attributes, which
/// is 24 MiB over a full store of spans); lookups scan it, which is as fast at this size.
/// </summary>
internal sealed class AttributeMap(KeyValuePair<string, string>[] pairs) : IReadOnlyDictionary<string, string>
{
    public int Count => pairs.Length;

    public IEnumerable<string> Keys => pairs.Select(p => p.Key);

    public IEnumerable<string> Values => pairs.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var pair in pairs)
        {
            if (pair.Key == key)
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
