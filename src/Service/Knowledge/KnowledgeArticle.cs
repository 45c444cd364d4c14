using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Tenancy;
using NpgsqlTypes;

namespace CrmPlatform.Service.Knowledge;

/// <summary>
/// A help article, written in Markdown by agents. The HTML and the plain text are derived on every save (the HTML
/// sanitized), so readers never run the renderer and search never sees Markdown syntax. Translations of one article share
/// a <see cref="TranslationGroupId"/>, one article per language in a group.
/// </summary>
public sealed class KnowledgeArticle : UnownedAuditedEntity
{
    public const int TitleMaxLength = 300;
    public const int SummaryMaxLength = 1_000;
    public const int BodyMaxLength = 200_000;

    public string Title { get; set; } = "";
    public string? Summary { get; set; }
    public string BodyMarkdown { get; set; } = "";
    public string BodyHtml { get; set; } = "";
    public string BodyText { get; set; } = "";
    public string Language { get; set; } = ArticleLanguages.English;
    public string Status { get; set; } = ArticleStatuses.Draft;
    public Guid? CategoryId { get; set; }
    public Guid TranslationGroupId { get; set; }
    /// <summary>The number of the latest published revision; 0 until first published.</summary>
    public int Revision { get; set; }
    public DateTime? PublishedAt { get; set; }

    /// <summary>Computed by PostgreSQL from title (weight A), summary (B) and text (C) in the article's language.</summary>
    public NpgsqlTsVector SearchVector { get; set; } = null!;

    /// <summary>Sets the Markdown and what is derived from it.</summary>
    public void Write(string title, string? summary, string markdown)
    {
        Title = title;
        Summary = summary;
        BodyMarkdown = markdown;
        BodyHtml = ArticleMarkdown.ToSafeHtml(markdown);
        BodyText = ArticleMarkdown.ToPlainText(markdown);
    }

    public bool IsPublished => Status == ArticleStatuses.Published;

    public KnowledgeArticlePublished Published() =>
        new(Guid.CreateVersion7(), PublishedAt ?? UpdatedAt, TenantId, Id, Version, Revision, Title, Language, CategoryId, TranslationGroupId);

    /// <summary>What readers see now, kept so that a later published change does not lose it.</summary>
    public KnowledgeArticleRevision Snapshot(DateTime publishedAt, string publishedBy) => new()
    {
        ArticleId = Id,
        Number = Revision,
        Title = Title,
        Summary = Summary,
        BodyMarkdown = BodyMarkdown,
        BodyHtml = BodyHtml,
        Language = Language,
        PublishedAt = publishedAt,
        PublishedBy = publishedBy,
    };
}

/// <summary>One published state of an article; append-only.</summary>
public sealed class KnowledgeArticleRevision : Entity
{
    public Guid ArticleId { get; set; }
    public int Number { get; set; }
    public string Title { get; set; } = "";
    public string? Summary { get; set; }
    public string BodyMarkdown { get; set; } = "";
    public string BodyHtml { get; set; } = "";
    public string Language { get; set; } = "";
    public DateTime PublishedAt { get; set; }
    public string PublishedBy { get; set; } = "";
}

public sealed class KnowledgeCategory : UnownedAuditedEntity
{
    public const int NameMaxLength = 120;
    public const int DescriptionMaxLength = 1_000;

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public int Position { get; set; }
}

public static class ArticleStatuses
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All = [Draft, Published, Archived];
}

/// <summary>The languages search has a stemmer configured for: the seed customers write German, the rest English.</summary>
public static class ArticleLanguages
{
    public const string German = "de";
    public const string English = "en";

    public static readonly IReadOnlyList<string> All = [German, English];

    /// <summary>The PostgreSQL text search configuration of a language.</summary>
    public static string SearchConfiguration(string language) => language == German ? "german" : "english";
}
