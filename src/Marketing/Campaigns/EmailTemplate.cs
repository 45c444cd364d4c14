using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>One language's subject, HTML and text of a template (Liquid, rendered by Fluid).</summary>
/// <param name="Language">A BCP 47 tag (<c>de</c>, <c>de-CH</c>); matched to the person's language, then its primary subtag.</param>
public sealed record TemplateVariant(string Language, string Subject, string Html, string Text);

/// <summary>
/// A campaign email: the default subject, HTML and text parts, and variants in other languages. A person gets the
/// variant of their language (from Contacts), else the default.
/// </summary>
public sealed class EmailTemplate : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int SubjectMaxLength = 1000;
    public const int BodyMaxLength = 200_000;

    public string Name { get; set; } = "";
    /// <summary>The default parts' language (for the preview and the statistics; any person without a variant gets them).</summary>
    public string Language { get; set; } = "en";
    public string Subject { get; set; } = "";
    public string Html { get; set; } = "";
    public string Text { get; set; } = "";
    public IReadOnlyList<TemplateVariant> Variants { get; set; } = [];

    /// <summary>The parts for a person of <paramref name="language"/>: an exact variant, one of its primary language, else the default.</summary>
    public TemplateVariant For(string? language)
    {
        if (!string.IsNullOrWhiteSpace(language))
        {
            var primary = language.Split('-')[0];
            var match = Variants.FirstOrDefault(v => string.Equals(v.Language, language, StringComparison.OrdinalIgnoreCase))
                ?? Variants.FirstOrDefault(v => string.Equals(v.Language.Split('-')[0], primary, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                return match;
            }
        }
        return new TemplateVariant(Language, Subject, Html, Text);
    }
}

public static class EmailTemplateModel
{
    public static ModelBuilder AddEmailTemplates(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EmailTemplate>(template =>
        {
            template.ToTable("email_templates");
            template.HasKey(t => t.Id);
            template.HasIndex(t => new { t.TenantId, t.CreatedAt, t.Id });
            template.Property(t => t.Name).HasMaxLength(EmailTemplate.NameMaxLength);
            template.Property(t => t.Language).HasMaxLength(35);
            template.Property(t => t.Subject).HasMaxLength(EmailTemplate.SubjectMaxLength);
            template.Property(t => t.Variants).HasJsonColumn();
        });
        return modelBuilder;
    }
}
