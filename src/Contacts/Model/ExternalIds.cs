using System.Text.RegularExpressions;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// A record's id in another system (<c>salesforce</c>, <c>erp</c>…), so that system can create-or-update by its own id.
/// One record per source and id in a tenant (the primary key), and one id per source for a record.
/// </summary>
public static partial class ExternalIds
{
    public const int SourceMaxLength = 50;
    public const int IdMaxLength = 200;

    /// <summary>Lower-case letters and digits, then also ., _ or -.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,49}$", RegexOptions.CultureInvariant)]
    public static partial Regex SourcePattern();
}

public sealed class PersonExternalId : ITenantOwned
{
    public Guid TenantId { get; set; }
    public string Source { get; init; } = "";
    public string ExternalId { get; init; } = "";
    public Guid PersonId { get; init; }
}

public sealed class OrganizationExternalId : ITenantOwned
{
    public Guid TenantId { get; set; }
    public string Source { get; init; } = "";
    public string ExternalId { get; init; } = "";
    public Guid OrganizationId { get; init; }
}
