using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Duplicates;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Bulk;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Item = CrmPlatform.Contacts.Apis.BulkItem<CrmPlatform.Contacts.Model.Organization, CrmPlatform.Contacts.Apis.OrganizationValues>;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Up to 1,000 organizations, each an <see cref="OrganizationRequest"/> with optional <c>id</c>, <c>matchBy</c>
/// (<c>id</c>, <c>domain</c> or <c>externalId</c>; default: <c>id</c> when given, else <c>externalId</c> when given,
/// else <c>domain</c>, and an item without a domain then creates) and <c>externalId</c> (<c>{ "system", "value" }</c>).
/// </summary>
public sealed record BulkOrganizationsRequest(IReadOnlyList<JsonElement>? Items);

/// <summary>
/// <c>POST /api/v1/organizations/bulk</c>: create-or-update many organizations in one transaction, each item checked by
/// the rules of a single write (parent known and no cycle, not a likely duplicate of another organization) with one
/// query per key kind for the whole request; new organizations, their external ids and events go by COPY. A domain
/// several organizations share matches none of them: the item must name which by id or external id.
/// </summary>
public static class BulkOrganizationsApi
{
    private static readonly Type[] BulkWritten = [typeof(Organization), typeof(OrganizationExternalId), typeof(OutboxMessage)];

    public static void MapBulkOrganizationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/organizations/bulk", UpsertOrganizations).WithName("bulkUpsertOrganizations").WithTags("Organizations")
            .WithSummary("Creates or updates up to 1,000 organizations, answering per item")
            .RequirePermission(Permissions.Organizations, Operation.Create).RequirePermission(Permissions.Organizations, Operation.Update);
    }

    public static async Task<Results<Ok<BulkResponse>, ValidationProblem, ProblemHttpResult>> UpsertOrganizations(
        BulkOrganizationsRequest request, ContactsDbContext db, OutboxSignal outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (BulkKeys.CheckCount(request.Items, "organizations") is { } badCount)
        {
            return badCount;
        }
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken);
        var defaultCountry = await ContactSettings.DefaultCountryAsync(db, cancellationToken);
        var items = request.Items!.Select((element, index) => Read(index, element, customFields, defaultCountry)).ToList();

        await MatchAsync(db, items, cancellationToken);
        await CheckLikelyDuplicatesAsync(db, items, cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await CheckParentsAsync(db, items, cancellationToken);
            foreach (var item in items.Where(i => i.IsOpen))
            {
                var isNew = item.Record is null;
                item.Record ??= new Organization();
                item.Values!.ApplyTo(item.Record);
                item.Status = isNew ? StatusCodes.Status201Created : StatusCodes.Status200OK;
                if (isNew)
                {
                    db.Organizations.Add(item.Record);
                    if (item.ExternalKey is { } key)
                    {
                        db.OrganizationExternalIds.Add(new OrganizationExternalId { Source = key.Source, ExternalId = key.Value, OrganizationId = item.Record.Id });
                    }
                }
            }
            await BulkWrite.CommitAsync(db, items, BulkWritten, o => o.Created(), o => o.Updated(), clock.GetUtcNow().UtcDateTime, outbox, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Some of these organizations were changed by someone else while this request ran; send it again.");
        }
        catch (Exception ex) when (ex.IsUniqueViolation() || ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("Another write took one of these external ids, or deleted a parent organization, while this request ran; send it again.");
        }
        return TypedResults.Ok(BulkResponse.Of([.. items.Select(i => i.Result(o => o.Id))]));
    }

    private static Item Read(int index, JsonElement element, IReadOnlyCollection<CustomFieldDefinition> customFields, string? defaultCountry) =>
        BulkKeys.ReadItem<OrganizationRequest, Organization, OrganizationValues>(index, element, "domain", organization => (organization.Read(customFields, defaultCountry, out var errors), errors),
            values => values.Domain is not null);

    /// <summary>
    /// Finds which organization each item is, with one query per key kind. An item whose organization or external id
    /// an earlier item already claimed is a 409, as is a domain that several organizations share.
    /// </summary>
    private static async Task MatchAsync(ContactsDbContext db, List<Item> items, CancellationToken cancellationToken)
    {
        var open = items.Where(i => i.IsOpen).ToList();
        var domains = open.Where(i => i.MatchBy == "domain" && i.Values!.Domain is not null).Select(i => i.Values!.Domain!).Distinct().ToList();
        // Scoped like every read: an organization the caller may not see is not a match.
        var byDomain = (await db.Organizations.AsNoTracking().Where(o => o.Domain != null && domains.Contains(o.Domain))
                .Select(o => new { o.Id, o.Domain }).ToListAsync(cancellationToken))
            .ToLookup(o => o.Domain!, o => o.Id);
        var externalValues = open.Where(i => i.ExternalKey is not null).Select(i => i.ExternalKey!.Value.Value).Distinct().ToList();
        var mapped = externalValues.Count == 0 ? [] : (await db.OrganizationExternalIds.AsNoTracking()
                .Where(e => externalValues.Contains(e.ExternalId)).ToListAsync(cancellationToken))
            .ToDictionary(e => (e.Source, e.ExternalId), e => e.OrganizationId);

        var targets = new Dictionary<Item, Guid?>();
        foreach (var item in open)
        {
            var sharing = item.MatchBy == "domain" && item.Values!.Domain is { } domain ? byDomain[domain].ToList() : [];
            if (sharing.Count > 1)
            {
                item.Fail(ApiProblems.Conflict($"{sharing.Count} organizations have the domain {item.Values!.Domain}; name the one to update by id or external id."));
                continue;
            }
            targets[item] = item.MatchBy switch
            {
                "id" => item.Id,
                "externalId" => mapped.TryGetValue(item.ExternalKey!.Value, out var byKey) ? byKey : null,
                _ => sharing.Count == 1 ? sharing[0] : null,
            };
        }
        var ids = targets.Values.OfType<Guid>().Concat(targets.Keys.Where(i => i.Id is not null).Select(i => i.Id!.Value)).Distinct().ToList();
        var organizations = await db.Organizations.Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);

        var claimedOrganizations = new Dictionary<Guid, int>();
        var claimedKeys = new Dictionary<(string, string), int>();
        var claimedDomains = new Dictionary<string, int>();
        foreach (var (item, target) in targets)
        {
            if (!item.TryTarget(target, organizations, o => o.Id, "organization", "This external id belongs to an organization you may not change.", out var organization))
            {
                continue;
            }
            var first = 0;
            var domain = item.MatchBy == "domain" ? item.Values!.Domain : null;
            if (organization is not null && claimedOrganizations.TryGetValue(organization.Id, out first)
                || item.ExternalKey is { } key && claimedKeys.TryGetValue(key, out first)
                || domain is not null && claimedDomains.TryGetValue(domain, out first))
            {
                item.Fail(ApiProblems.Conflict($"Item {first} of this request already writes this organization, this domain or this external id."));
                continue;
            }
            // An organization found by id or domain keeps the external ids it has; a new mapping is only made on create.
            if (organization is not null && item.MatchBy != "externalId")
            {
                item.ExternalKey = null;
            }
            item.Record = organization;
            if (organization is not null)
            {
                claimedOrganizations[organization.Id] = item.Index;
            }
            if (item.ExternalKey is { } claimed)
            {
                claimedKeys[claimed] = item.Index;
            }
            if (domain is not null)
            {
                claimedDomains[domain] = item.Index;
            }
        }
    }

    /// <summary>New organizations that strongly match an existing one are refused, as a single create without <c>allowDuplicates</c> is.</summary>
    private static async Task CheckLikelyDuplicatesAsync(ContactsDbContext db, List<Item> items, CancellationToken cancellationToken)
    {
        var probeOf = items.Where(i => i.IsOpen && i.Record is null).ToDictionary(_ => Guid.CreateVersion7());
        if (probeOf.Count == 0)
        {
            return;
        }
        var matches = await DuplicateDetection.MatchNewOrganizationsAsync(db,
            [.. probeOf.Select(p => ((Guid?)p.Key, p.Value.Values!.Name, p.Value.Values.Domain))], cancellationToken);
        var strong = matches.Where(m => m.Score >= DuplicateRules.Strong).ToList();
        var candidateIds = strong.Select(m => m.CandidateId).Distinct().ToList();
        var visible = await db.Organizations.AsNoTracking().Where(o => candidateIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        foreach (var match in strong.Where(m => visible.ContainsKey(m.CandidateId)).GroupBy(m => m.ProbeId!.Value).Select(g => g.MaxBy(m => m.Score)!))
        {
            probeOf[match.ProbeId!.Value].Fail(ApiProblems.Conflict(
                $"This organization looks like the existing organization '{visible[match.CandidateId]}' ({match.CandidateId}, score {match.Score}); update that one by id instead."));
        }
    }

    /// <summary>
    /// Parents must exist for the caller, and a new parent must not make the tree a cycle, counting the other moves in
    /// this request (A under B and B under A in one request is refused for the second). Runs under the hierarchy lock.
    /// </summary>
    private static async Task CheckParentsAsync(ContactsDbContext db, List<Item> items, CancellationToken cancellationToken)
    {
        var withParent = items.Where(i => i.IsOpen && i.Values!.ParentOrganizationId is not null).ToList();
        if (withParent.Count == 0)
        {
            return;
        }
        await db.LockAsync(cancellationToken);
        var parentIds = withParent.Select(i => i.Values!.ParentOrganizationId!.Value).Distinct().ToList();
        var known = (await db.Organizations.AsNoTracking().Where(o => parentIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToHashSet();
        var moved = new Dictionary<Guid, Guid>();
        foreach (var item in withParent)
        {
            var parent = item.Values!.ParentOrganizationId!.Value;
            if (!known.Contains(parent))
            {
                item.Fail(ApiProblems.Unprocessable($"Organization '{parent}' does not exist.",
                    new Dictionary<string, string[]> { ["parentOrganizationId"] = [$"No organization with id '{parent}'."] }));
            }
            else if (item.Record is { } organization && parent != organization.ParentOrganizationId)
            {
                if ((await AncestorsAfterMovesAsync(db, parent, moved, cancellationToken)).Contains(organization.Id))
                {
                    item.Fail(ApiProblems.Unprocessable("An organization cannot be its own parent or ancestor.",
                        new Dictionary<string, string[]> { ["parentOrganizationId"] = ["This would make the hierarchy a cycle."] }));
                    continue;
                }
                moved[organization.Id] = parent;
            }
        }
    }

    /// <summary>An organization and its ancestors as the tree will be once <paramref name="moved"/> (id → new parent) are applied.</summary>
    private static async Task<HashSet<Guid>> AncestorsAfterMovesAsync(ContactsDbContext db, Guid start, Dictionary<Guid, Guid> moved, CancellationToken cancellationToken)
    {
        var seen = new HashSet<Guid>();
        Guid? next = start;
        while (next is { } node && seen.Add(node))
        {
            if (moved.TryGetValue(node, out var newParent))
            {
                next = newParent;
                continue;
            }
            next = null;
            foreach (var ancestor in await db.AncestorsAsync(node, cancellationToken))
            {
                if (!seen.Add(ancestor.Id))
                {
                    break;
                }
                if (moved.TryGetValue(ancestor.Id, out var movedParent))
                {
                    next = movedParent;
                    break;
                }
            }
        }
        return seen;
    }
}
