namespace CrmPlatform.Contracts.Service.V1;

/// <summary>
/// A knowledge-base article became visible in the help centre, or its published text changed: <see cref="Revision"/>
/// counts the published states (1 at first publication). Carries what a link or a digest needs, not the text.
/// </summary>
public sealed record KnowledgeArticlePublished(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    int Revision, string Title, string Language, Guid? CategoryId, Guid TranslationGroupId) : IIntegrationEvent;
