using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing;

/// <summary>Who may do what in Marketing. Whether a person may be contacted is a question anyone working with customers may ask.</summary>
public static class Permissions
{
    /// <summary>May we contact this person for this purpose on this channel (from the consent replica).</summary>
    public const string Contactability = "contactability";

    /// <summary>Segments and static lists: audiences are marketers' work (and admins').</summary>
    public const string Segments = "segments";

    /// <summary>Web form definitions: marketers and admins build them; read-only users may look.</summary>
    public const string Forms = "forms";

    /// <summary>Email templates: marketers' work (and admins').</summary>
    public const string EmailTemplates = "email-templates";

    /// <summary>Campaigns, their sending and statistics: marketers and admins.</summary>
    public const string Campaigns = "campaigns";

    /// <summary>The suppression list (unsubscribes, bounces, complaints): marketers and admins.</summary>
    public const string Suppressions = "suppressions";

    /// <summary>Journeys and the paths of the people in them: marketers' work (and admins').</summary>
    public const string Journeys = "journeys";

    /// <summary>Revenue attributed to campaigns and channels: marketers and admins.</summary>
    public const string Attribution = "attribution";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(Contactability, Operation.Read, [.. Roles.All])
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(Segments, [Operation.Read, Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.Marketing)
        .Allow(Forms, Operation.Read, Roles.Admin, Roles.Marketing, Roles.ReadOnly)
        .Allow(Forms, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.Marketing)
        .Allow(EmailTemplates, [Operation.Read, Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.Marketing)
        .Allow(Campaigns, [Operation.Read, Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.Marketing)
        .Allow(Suppressions, [Operation.Read, Operation.Create, Operation.Delete], Roles.Admin, Roles.Marketing)
        .Allow(Journeys, [Operation.Read, Operation.Create, Operation.Update], Roles.Admin, Roles.Marketing)
        .Allow(Attribution, Operation.Read, Roles.Admin, Roles.Marketing);
}
