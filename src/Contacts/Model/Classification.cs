namespace CrmPlatform.Contacts.Model;

/// <summary>How warm a contact is. Stored as its rank, so sorting goes cold to hot.</summary>
public enum Rating
{
    Cold = 1,
    Warm = 2,
    Hot = 3,
}

/// <summary>Where a contact is in the customer lifecycle. Stored as its rank, so sorting follows the funnel.</summary>
public enum LifecycleStage
{
    Subscriber = 1,
    Lead = 2,
    Customer = 3,
    FormerCustomer = 4,
}

/// <summary>
/// How a tenant classifies people and organizations: a segment and an industry (free text of the tenant's), a rating
/// and a lifecycle stage. All optional; all filterable and sortable in lists.
/// </summary>
public sealed record Classification(string? Segment, string? Industry, Rating? Rating, LifecycleStage? LifecycleStage)
{
    public const int TextMaxLength = 100;
}
