using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts;

/// <summary>Who may do what in Contacts. Everyone working with customers reads and records them; only managers delete.</summary>
public static class Permissions
{
    public const string People = "people";
    public const string Organizations = "organizations";
    /// <summary>A person's consents: recorded by whoever talks to customers, append-only (no update or delete).</summary>
    public const string Consents = "consents";
    public const string CustomFields = "custom-fields";
    /// <summary>Data subject requests: an access export holds everything about a person, an erasure cannot be undone.</summary>
    public const string Gdpr = "gdpr-requests";
    public const string RetentionPolicy = "retention-policy";
    /// <summary>The tenant's defaults for contact data (default country and locale).</summary>
    public const string ContactSettings = "contact-settings";
    /// <summary>The review list of likely duplicates; dismissing a pair needs what deleting needs.</summary>
    public const string Duplicates = "duplicates";
    /// <summary>Asking for a duplicate scan of the whole tenant now.</summary>
    public const string DuplicateScans = "duplicate-scans";
    /// <summary>Merges: reading one; undoing one needs what deleting (and merging) needs.</summary>
    public const string Merges = "merges";

    private static readonly string[] Everyone = [.. Roles.All];
    private static readonly string[] CustomerFacing = [Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ServiceAgent];
    private static readonly string[] Managers = [Roles.Admin, Roles.SalesManager];

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(People, Operation.Read, Everyone)
        .Allow(People, [Operation.Create, Operation.Update], CustomerFacing)
        .Allow(People, Operation.Delete, Managers)
        .Allow(Organizations, Operation.Read, Everyone)
        .Allow(Organizations, [Operation.Create, Operation.Update], CustomerFacing)
        .Allow(Organizations, Operation.Delete, Managers)
        .Allow(Consents, Operation.Read, Everyone)
        .Allow(Consents, Operation.Create, CustomerFacing)
        // Custom fields shape every tenant's records: everyone reads the definitions, admins change them.
        .Allow(CustomFields, Operation.Read, Everyone)
        .Allow(CustomFields, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        // Privacy work is the admins' alone (least privilege: no customer-facing role needs it); an API client can be
        // given just these scopes (gdpr-requests:*, retention-policy:*) for a privacy tool.
        .Allow(Gdpr, [Operation.Read, Operation.Create], Roles.Admin)
        .Allow(RetentionPolicy, [Operation.Read, Operation.Update, Operation.Create], Roles.Admin)
        // Everyone may see what is assumed for their records; admins decide it.
        .Allow(ContactSettings, Operation.Read, Everyone)
        .Allow(ContactSettings, Operation.Update, Roles.Admin)
        .Allow(Duplicates, Operation.Read, Everyone)
        .Allow(Duplicates, Operation.Delete, Managers)
        .Allow(DuplicateScans, Operation.Create, Roles.Admin)
        .Allow(Merges, Operation.Read, Everyone)
        .Allow(Merges, Operation.Create, Managers);
}
