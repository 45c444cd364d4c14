namespace CrmPlatform.Identity.Model;

/// <summary>A customer organisation using the CRM; every record in every service belongs to exactly one.</summary>
public sealed class Tenant
{
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public DateTime CreatedAt { get; init; }
}
