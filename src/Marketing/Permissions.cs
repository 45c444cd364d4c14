using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing;

/// <summary>Who may do what in Marketing. Whether a person may be contacted is a question anyone working with customers may ask.</summary>
public static class Permissions
{
    /// <summary>May we contact this person for this purpose on this channel (from the consent replica).</summary>
    public const string Contactability = "contactability";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(Contactability, Operation.Read, [.. Roles.All]);
}
