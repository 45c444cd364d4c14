using System.Text.Json;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using NpgsqlTypes;

namespace CrmPlatform.Contacts.Model;

/// <summary>What people and organizations share: tags, classification, custom fields and the search columns.</summary>
public abstract class CustomerRecord : AuditedEntity
{
    /// <summary>Normalized and sorted (<see cref="Model.Tags"/>).</summary>
    public string[] Tags { get; set; } = [];

    public string? Segment { get; set; }
    public string? Industry { get; set; }
    public Rating? Rating { get; set; }
    public LifecycleStage? LifecycleStage { get; set; }

    public Classification Classification
    {
        get => new(Segment, Industry, Rating, LifecycleStage);
        set => (Segment, Industry, Rating, LifecycleStage) = (value.Segment, value.Industry, value.Rating, value.LifecycleStage);
    }

    /// <summary>
    /// What full-text search matches: a generated column (see the migration <c>Search</c>) over the record's names,
    /// contact points and tags, weighted per entity there.
    /// </summary>
    [AuditIgnored]
    public NpgsqlTsVector SearchVector { get; private set; } = null!;

    /// <summary>The same words as one lower-case text, for trigram similarity (misspellings, prefixes); generated.</summary>
    [AuditIgnored]
    public string SearchText { get; private set; } = "";

    /// <summary>The tenant's custom fields: a JSON object of normalized values (<see cref="CustomFieldValues"/>).</summary>
    public JsonDocument CustomFields { get; private set; } = CustomFieldValues.Empty;

    /// <summary>Replaces the values when they differ, so that rewriting the same values is no change.</summary>
    public void SetCustomFields(JsonDocument values)
    {
        if (!CustomFieldValues.AreEqual(CustomFields, values))
        {
            CustomFields = values;
        }
    }
}
