using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// The names enums have in the API, events and text columns: kebab case (<c>former-customer</c>) unless a member names
/// itself (<c>1-10</c>), exactly as the API's JSON writes them.
/// </summary>
public static class KindNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => Names<TEnum>.ByValue[value];

    public static bool TryParse<TEnum>(string name, out TEnum value) where TEnum : struct, Enum =>
        Names<TEnum>.ByName.TryGetValue(name.Trim().ToLowerInvariant(), out value);

    /// <summary>For names read back from the database, which only ever holds names written by <see cref="Of{TEnum}"/>.</summary>
    public static TEnum Parse<TEnum>(string name) where TEnum : struct, Enum => Names<TEnum>.ByName[name];

    public static IEnumerable<string> All<TEnum>() where TEnum : struct, Enum => Names<TEnum>.ByName.Keys;

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>().ToDictionary(value => value, NameOf);
        public static readonly Dictionary<string, TEnum> ByName = ByValue.ToDictionary(pair => pair.Value, pair => pair.Key);

        private static string NameOf(TEnum value) =>
            typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
    }
}
