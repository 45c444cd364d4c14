using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Knowledge;

public static class KnowledgeModel
{
    /// <summary>
    /// The search document of an article, in the configuration of its language: title outweighs summary outweighs text.
    /// A stored generated column, so it can never disagree with the text it was made from.
    /// </summary>
    private const string SearchVectorSql = """
        setweight(to_tsvector(CASE language WHEN 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, coalesce(title, '')), 'A')
        || setweight(to_tsvector(CASE language WHEN 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, coalesce(summary, '')), 'B')
        || setweight(to_tsvector(CASE language WHEN 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, coalesce(body_text, '')), 'C')
        """;

    public static ModelBuilder AddKnowledgeBase(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<KnowledgeCategory>(category =>
        {
            category.ToTable("knowledge_categories");
            category.Property(c => c.Name).HasMaxLength(KnowledgeCategory.NameMaxLength);
            category.Property(c => c.Description).HasMaxLength(KnowledgeCategory.DescriptionMaxLength);
            category.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
            category.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
        });
        modelBuilder.Entity<KnowledgeArticle>(article =>
        {
            article.ToTable("knowledge_articles");
            article.Property(a => a.Title).HasMaxLength(KnowledgeArticle.TitleMaxLength);
            article.Property(a => a.Summary).HasMaxLength(KnowledgeArticle.SummaryMaxLength);
            article.Property(a => a.Language).HasMaxLength(5);
            article.Property(a => a.Status).HasMaxLength(12);
            // Stored EXTERNAL (migration KnowledgeSearchVectorUncompressed): ranking reads it for every match.
            article.Property(a => a.SearchVector).HasColumnType("tsvector").HasComputedColumnSql(SearchVectorSql, stored: true);
            article.HasIndex(a => a.SearchVector).HasMethod("GIN");
            // A category with articles cannot go: its articles would silently lose their place in the help centre.
            article.HasOne<KnowledgeCategory>().WithMany().HasForeignKey(a => a.CategoryId).OnDelete(DeleteBehavior.Restrict);
            article.HasIndex(a => new { a.TenantId, a.TranslationGroupId, a.Language }).IsUnique();
            article.HasIndex(a => new { a.TenantId, a.CreatedAt, a.Id });
            article.HasIndex(a => new { a.TenantId, a.Status, a.Language });
            article.HasIndex(a => a.CategoryId);
        });
        modelBuilder.Entity<KnowledgeArticleRevision>(revision =>
        {
            revision.ToTable("knowledge_article_revisions");
            revision.Property(r => r.Title).HasMaxLength(KnowledgeArticle.TitleMaxLength);
            revision.Property(r => r.Summary).HasMaxLength(KnowledgeArticle.SummaryMaxLength);
            revision.Property(r => r.Language).HasMaxLength(5);
            revision.Property(r => r.PublishedBy).HasMaxLength(200);
            // Deleting an article deletes its history with it: an admin's delete is meant to remove the content.
            revision.HasOne<KnowledgeArticle>().WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
            revision.HasIndex(r => new { r.ArticleId, r.Number }).IsUnique();
        });
        return modelBuilder;
    }
}
