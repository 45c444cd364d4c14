using System.Text.Json;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Contacts.Data;

/// <summary>Column conventions of Contacts' own; lists of value objects are <see cref="JsonListColumns"/>.</summary>
internal static class JsonColumns
{
    /// <summary>As the API writes them: camelCase names, enums in kebab case.</summary>
    public static readonly JsonSerializerOptions Options = JsonListColumns.Options;

    /// <summary>An enum kept by its API name (<c>sms</c>), so the column reads like the API.</summary>
    public static PropertyBuilder<TEnum?> HasNameColumn<TEnum>(this PropertyBuilder<TEnum?> property) where TEnum : struct, Enum =>
        property.HasMaxLength(30).HasConversion(
            value => KindNames.Of(value!.Value),
            name => KindNames.Parse<TEnum>(name));
}
