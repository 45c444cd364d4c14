using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Catalog;

/// <summary>
/// Something a tenant sells. The SKU is unique within the tenant, compared exactly as written (after trimming). Products
/// are never deleted, because quotes name them: one no longer sold is made inactive, and new quote lines refuse it.
/// </summary>
public sealed class Product : UnownedAuditedEntity
{
    public const int SkuMaxLength = 64;
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public bool Active { get; set; } = true;
}
