using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Create-or-update by another system's id: <c>PUT /api/v1/people/by-external-id/{source}/{externalId}</c> (and
/// organizations) answers 201 when it created the record and 200 when it updated it; the same request again changes
/// nothing. <c>If-Match</c> is optional here (a sync job does not know versions; with it, a stale version is a 412) and
/// <c>If-None-Match: *</c> makes it create-only. Upserts of one external id run one after another (an advisory lock
/// per tenant, source and id), so concurrent ones make one record. <c>GET</c> on the same path reads the record.
/// </summary>
public static class ExternalIdsApi
{
    public static void MapExternalIdsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/people/by-external-id/{source}/{externalId}", GetPerson).WithName("getPersonByExternalId").WithTags("People")
            .RequirePermission(Permissions.People, Operation.Read);
        app.MapPut("/api/v1/people/by-external-id/{source}/{externalId}", UpsertPerson).WithName("upsertPersonByExternalId").WithTags("People")
            .RequirePermission(Permissions.People, Operation.Create).RequirePermission(Permissions.People, Operation.Update);
        app.MapGet("/api/v1/organizations/by-external-id/{source}/{externalId}", GetOrganization).WithName("getOrganizationByExternalId").WithTags("Organizations")
            .RequirePermission(Permissions.Organizations, Operation.Read);
        app.MapPut("/api/v1/organizations/by-external-id/{source}/{externalId}", UpsertOrganization).WithName("upsertOrganizationByExternalId").WithTags("Organizations")
            .RequirePermission(Permissions.Organizations, Operation.Create).RequirePermission(Permissions.Organizations, Operation.Update);
    }

    public static async Task<Results<Ok<PersonResponse>, ValidationProblem, ProblemHttpResult>> GetPerson(
        string source, string externalId, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (Validate(ref source, externalId) is { IsValid: false } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(
            p => db.PersonExternalIds.Any(e => e.Source == source && e.ExternalId == externalId && e.PersonId == p.Id), cancellationToken);
        if (person is null)
        {
            return NotFound("person", source, externalId);
        }
        ETags.Set(response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    public static async Task<Results<Created<PersonResponse>, Ok<PersonResponse>, ValidationProblem, ProblemHttpResult>> UpsertPerson(
        string source, string externalId, PersonRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (Validate(ref source, externalId) is { IsValid: false } idErrors)
        {
            return TypedResults.ValidationProblem(idErrors);
        }
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(db, "person", source, externalId, cancellationToken);
        var mapping = await db.PersonExternalIds.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Source == source && e.ExternalId == externalId, cancellationToken);
        if (mapping is null)
        {
            if (HasIfMatch(http.Request))
            {
                return NothingToMatch("person", source, externalId);
            }
            var created = new Person();
            db.PersonExternalIds.Add(new PersonExternalId { Source = source, ExternalId = externalId, PersonId = created.Id });
            if (await PeopleApi.WriteAsync(db, created, values, isNew: true, cancellationToken) is { } problem)
            {
                return problem;
            }
            await transaction.CommitAsync(cancellationToken);
            ETags.Set(http.Response, created.Version);
            return TypedResults.Created($"/api/v1/people/{created.Id}", PersonResponse.From(created));
        }

        var person = await db.People.SingleOrDefaultAsync(p => p.Id == mapping.PersonId, cancellationToken);
        if (person is null)
        {
            return NotFound("person", source, externalId);
        }
        if (CheckPreconditions(http.Request, person.Version) is { } precondition)
        {
            return precondition;
        }
        if (await PeopleApi.WriteAsync(db, person, values, isNew: false, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> GetOrganization(
        string source, string externalId, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (Validate(ref source, externalId) is { IsValid: false } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(
            o => db.OrganizationExternalIds.Any(e => e.Source == source && e.ExternalId == externalId && e.OrganizationId == o.Id), cancellationToken);
        if (organization is null)
        {
            return NotFound("organization", source, externalId);
        }
        ETags.Set(response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    public static async Task<Results<Created<OrganizationResponse>, Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> UpsertOrganization(
        string source, string externalId, OrganizationRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (Validate(ref source, externalId) is { IsValid: false } idErrors)
        {
            return TypedResults.ValidationProblem(idErrors);
        }
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(db, "organization", source, externalId, cancellationToken);
        var mapping = await db.OrganizationExternalIds.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Source == source && e.ExternalId == externalId, cancellationToken);
        if (mapping is null)
        {
            if (HasIfMatch(http.Request))
            {
                return NothingToMatch("organization", source, externalId);
            }
            var created = new Organization();
            db.OrganizationExternalIds.Add(new OrganizationExternalId { Source = source, ExternalId = externalId, OrganizationId = created.Id });
            if (await OrganizationsApi.WriteAsync(db, created, values, isNew: true, cancellationToken) is { } problem)
            {
                return problem;
            }
            await transaction.CommitAsync(cancellationToken);
            ETags.Set(http.Response, created.Version);
            return TypedResults.Created($"/api/v1/organizations/{created.Id}", OrganizationResponse.From(created));
        }

        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == mapping.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return NotFound("organization", source, externalId);
        }
        if (CheckPreconditions(http.Request, organization.Version) is { } precondition)
        {
            return precondition;
        }
        if (await OrganizationsApi.WriteAsync(db, organization, values, isNew: false, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    /// <summary>Sources are case-insensitive (stored lower-case); external ids are kept exactly as the other system writes them.</summary>
    internal static FieldErrors Validate(ref string source, string externalId)
    {
        source = source.Trim().ToLowerInvariant();
        return new FieldErrors()
            .When(!ExternalIds.SourcePattern().IsMatch(source), "source",
                $"source is 1 to {ExternalIds.SourceMaxLength} lower-case letters, digits, '.', '_' or '-' (salesforce, erp-eu).")
            .When(externalId.Length is 0 or > ExternalIds.IdMaxLength || externalId.Any(char.IsControl), "externalId",
                $"externalId is 1 to {ExternalIds.IdMaxLength} characters without control characters.");
    }

    private static Task LockAsync(ContactsDbContext db, string entity, string source, string externalId, CancellationToken cancellationToken) =>
        db.LockForTransactionAsync($"external-id:{db.CurrentTenantId}:{entity}:{source}:{externalId}", cancellationToken);

    private static bool HasIfMatch(HttpRequest request) => !string.IsNullOrWhiteSpace(request.Headers.IfMatch);

    /// <summary>For an existing record: <c>If-None-Match: *</c> (create only) fails, and an <c>If-Match</c> given must hold.</summary>
    private static ProblemHttpResult? CheckPreconditions(HttpRequest request, int version)
    {
        if (request.Headers.IfNoneMatch.ToString().Trim() == "*")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
                detail: "A record with this external id exists, and If-None-Match: * asked to create only.");
        }
        return HasIfMatch(request) ? ETags.CheckIfMatch(request, version, out _) : null;
    }

    private static ProblemHttpResult NothingToMatch(string resource, string source, string externalId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
            detail: $"No {resource} has the {source} id '{externalId}', so If-Match cannot hold; leave it out to create one.");

    private static ProblemHttpResult NotFound(string resource, string source, string externalId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: $"No {resource} with the {source} id '{externalId}'.");
}
