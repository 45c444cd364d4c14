using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>
/// One refresh token of a family (all tokens descending from one authorization code). Each use replaces it with a new
/// one; presenting a replaced token again means it was stolen, so the whole family is revoked (OAuth 2.1 §4.3.1).
/// </summary>
public sealed class RefreshToken : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string TokenHash { get; init; } = "";
    public Guid FamilyId { get; init; }
    public Guid TenantId { get; set; }
    public Guid UserId { get; init; }
    public string ClientId { get; init; } = "";
    public string? Scope { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? ReplacedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
