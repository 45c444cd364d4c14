using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.CannedResponses;

/// <summary>
/// A reply agents reuse, a Liquid template over the ticket, its requester and the agent. Shared with the tenant's
/// agents, or personal to <see cref="OwnerId"/> (whom alone it is visible to). Saved only when it parses.
/// </summary>
public sealed class CannedResponse : UnownedAuditedEntity
{
    public const int NameMaxLength = 120;
    public const int BodyMaxLength = 20_000;

    public string Name { get; set; } = "";
    public string Body { get; set; } = "";
    public string Format { get; set; } = ResponseFormats.Text;
    public string Language { get; set; } = Knowledge.ArticleLanguages.English;
    /// <summary>Null for a shared response; the agent's id for a personal one.</summary>
    public string? OwnerId { get; set; }
}

public static class CannedResponsesModel
{
    public static ModelBuilder AddCannedResponses(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CannedResponse>(response =>
        {
            response.ToTable("canned_responses");
            response.Property(r => r.Name).HasMaxLength(CannedResponse.NameMaxLength);
            response.Property(r => r.Body).HasMaxLength(CannedResponse.BodyMaxLength);
            response.Property(r => r.Format).HasMaxLength(10);
            response.Property(r => r.Language).HasMaxLength(5);
            response.Property(r => r.OwnerId).HasMaxLength(200);
            // One name per language among the shared ones, and per agent among each agent's own.
            response.HasIndex(r => new { r.TenantId, r.OwnerId, r.Language, r.Name }).IsUnique().AreNullsDistinct(false);
            response.HasIndex(r => new { r.TenantId, r.CreatedAt, r.Id });
        });
        return modelBuilder;
    }
}
