using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service.Knowledge;

/// <summary>An article as written; <see cref="TranslationOf"/> (on create only) makes it a translation of that article.</summary>
public sealed record ArticleRequest(
    string? Title, string? Summary, string? Body, string? Language, string? Status, Guid? CategoryId, Guid? TranslationOf = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("title", Title, KnowledgeArticle.TitleMaxLength)
        .MaxLength("summary", Summary, KnowledgeArticle.SummaryMaxLength)
        .Required("body", Body, KnowledgeArticle.BodyMaxLength)
        .When(Language is null || !ArticleLanguages.All.Contains(Language), "language",
            $"language must be one of: {string.Join(", ", ArticleLanguages.All)}.")
        .When(Status is not null && !ArticleStatuses.All.Contains(Status), "status",
            $"status must be one of: {string.Join(", ", ArticleStatuses.All)}.");

    /// <summary>Whether applying this request changes what readers of a published article see.</summary>
    public bool ChangesContentOf(KnowledgeArticle article) =>
        article.Title != Title!.Trim() || article.Summary != Normalized(Summary) || article.BodyMarkdown != Body || article.Language != Language;

    public void ApplyTo(KnowledgeArticle article)
    {
        article.Write(Title!.Trim(), Normalized(Summary), Body!);
        article.Language = Language!;
        article.Status = Status ?? ArticleStatuses.Draft;
        article.CategoryId = CategoryId;
    }

    private static string? Normalized(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

public sealed record ArticleResponse(
    Guid Id, string Title, string? Summary, string Body, string BodyHtml, string Language, string Status, Guid? CategoryId,
    Guid TranslationGroupId, int Revision, DateTime? PublishedAt,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static ArticleResponse From(KnowledgeArticle a) => new(
        a.Id, a.Title, a.Summary, a.BodyMarkdown, a.BodyHtml, a.Language, a.Status, a.CategoryId, a.TranslationGroupId, a.Revision,
        a.PublishedAt, a.CreatedAt, a.CreatedBy, a.UpdatedAt, a.UpdatedBy, a.Version);
}

public sealed record RevisionSummary(int Number, string Title, string Language, DateTime PublishedAt, string PublishedBy);

public sealed record RevisionResponse(
    Guid ArticleId, int Number, string Title, string? Summary, string Body, string BodyHtml, string Language, DateTime PublishedAt, string PublishedBy)
{
    public static RevisionResponse From(KnowledgeArticleRevision r) =>
        new(r.ArticleId, r.Number, r.Title, r.Summary, r.BodyMarkdown, r.BodyHtml, r.Language, r.PublishedAt, r.PublishedBy);
}

public sealed record TranslationResponse(Guid Id, string Language, string Title, string Status);

public sealed record SuggestionRequest(string? Subject, string? Description, string? Language, int? Limit)
{
    public const int DescriptionMaxLength = 50_000;

    public FieldErrors Validate() => new FieldErrors()
        .When(string.IsNullOrWhiteSpace(Subject) && string.IsNullOrWhiteSpace(Description), "subject", "subject or description is required.")
        .MaxLength("subject", Subject, KnowledgeArticle.TitleMaxLength * 2)
        .MaxLength("description", Description, DescriptionMaxLength)
        .When(Language is not null && !ArticleLanguages.All.Contains(Language), "language",
            $"language must be one of: {string.Join(", ", ArticleLanguages.All)}.")
        .When(Limit is < 1 or > ArticleSearch.MaxLimit, "limit", $"limit is from 1 to {ArticleSearch.MaxLimit}.");
}

/// <summary>A short, unpaged list: { "items": [...] }.</summary>
public sealed record ItemList<T>(IReadOnlyList<T> Items);
