using System.Text.Json;
using System.Text.Json.Nodes;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// The fields a caller may take from one of the merged records, and how: each field is the survivor's unless the
/// request names another record for it (<c>fields: { "jobTitle": "&lt;id&gt;" }</c>), or unless the survivor has none, in
/// which case the first merged record (in the request's order) that has one gives it. Custom fields the same way per
/// key (<c>custom.{key}</c>). Lists that identify a record (emails, phones) and tags are not chosen but united: losing
/// an address would lose the way to recognize the person.
/// </summary>
internal sealed class MergeFields<TRecord> where TRecord : CustomerRecord
{
    private readonly Dictionary<string, (Func<TRecord, bool> HasValue, Action<TRecord, TRecord> Copy)> _fields = new(StringComparer.Ordinal);

    public const string CustomPrefix = "custom.";

    public MergeFields<TRecord> Field(string name, Func<TRecord, bool> hasValue, Action<TRecord, TRecord> copy)
    {
        _fields[name] = (hasValue, copy);
        return this;
    }

    public MergeFields<TRecord> Field(string name, Func<TRecord, string?> value, Action<TRecord, TRecord> copy) =>
        Field(name, r => !string.IsNullOrEmpty(value(r)), copy);

    public bool Knows(string name) => _fields.ContainsKey(name) || (name.StartsWith(CustomPrefix, StringComparison.Ordinal) && name.Length > CustomPrefix.Length);

    /// <summary>Applies the choices to the survivor; <paramref name="sources"/> are the merged records, in request order.</summary>
    public void Apply(TRecord survivor, IReadOnlyList<TRecord> sources, IReadOnlyDictionary<string, Guid> choices)
    {
        foreach (var (name, (hasValue, copy)) in _fields)
        {
            var source = choices.TryGetValue(name, out var chosen)
                ? sources.FirstOrDefault(s => s.Id == chosen)
                : hasValue(survivor) ? null : sources.FirstOrDefault(hasValue);
            if (source is not null)
            {
                copy(survivor, source);
            }
        }
        survivor.Tags = Model.Tags.NormalizeAll(sources.SelectMany(s => s.Tags).Concat(survivor.Tags));
        survivor.SetCustomFields(CustomFields(survivor, sources, choices));
    }

    private static JsonDocument CustomFields(TRecord survivor, IReadOnlyList<TRecord> sources, IReadOnlyDictionary<string, Guid> choices)
    {
        var values = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var record in sources.Reverse().Append(survivor))
        {
            foreach (var (key, value) in CustomFieldValues.ToDictionary(record.CustomFields))
            {
                values[key] = value;
            }
        }
        foreach (var (name, id) in choices.Where(c => c.Key.StartsWith(CustomPrefix, StringComparison.Ordinal)))
        {
            var key = name[CustomPrefix.Length..];
            var source = sources.Append(survivor).First(r => r.Id == id);
            if (CustomFieldValues.ToDictionary(source.CustomFields).TryGetValue(key, out var value))
            {
                values[key] = value;
            }
            else
            {
                values.Remove(key);
            }
        }
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = JsonNode.Parse(value.GetRawText());
        }
        return JsonSerializer.SerializeToDocument(json);
    }
}
