using System.Text.Json;
using System.Text.Json.Nodes;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// <c>/api/v1/custom-fields</c>: the fields a tenant adds to its people and organizations. Everyone reads the
/// definitions (clients render forms from them); admins define them. A field or an option that records still use
/// cannot be removed (409 with how many use it): clear the values first.
/// </summary>
public static class CustomFieldsApi
{
    private const string Resource = "custom field";

    public static RouteGroupBuilder MapCustomFieldsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/custom-fields").WithTags("Custom fields");
        api.MapGet("/", ListCustomFields).Lists(ListFields).RequirePermission(Permissions.CustomFields, Operation.Read);
        api.MapGet("/{id:guid}", GetCustomField).RequirePermission(Permissions.CustomFields, Operation.Read);
        api.MapPost("/", CreateCustomField).RequirePermission(Permissions.CustomFields, Operation.Create);
        api.MapPut("/{id:guid}", UpdateCustomField).RequirePermission(Permissions.CustomFields, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteCustomField).RequirePermission(Permissions.CustomFields, Operation.Delete);
        return api;
    }

    private static readonly ListFields<CustomFieldDefinition> ListFields = new ListFields<CustomFieldDefinition>()
        .Filter("entity", f => f.Entity)
        .Filter("key", f => f.Key)
        .Filter("type", f => f.Type)
        .Sort("key", f => f.Key)
        .Sort("label", f => f.Label);

    public static async Task<Results<Ok<CursorPage<CustomFieldResponse>>, ValidationProblem>> ListCustomFields(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<CustomFieldDefinition>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.CustomFieldDefinitions.AsNoTracking(), CustomFieldResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<CustomFieldResponse>, ProblemHttpResult>> GetCustomField(
        Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var field = await db.CustomFieldDefinitions.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (field is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, field.Version);
        return TypedResults.Ok(CustomFieldResponse.From(field));
    }

    public static async Task<Results<Created<CustomFieldResponse>, ValidationProblem, ProblemHttpResult>> CreateCustomField(
        CustomFieldRequest request, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } field)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await db.CustomFieldDefinitions.CountAsync(f => f.Entity == field.Entity, cancellationToken) >= CustomFieldDefinition.MaxPerEntity)
        {
            return ApiProblems.Conflict($"A tenant has at most {CustomFieldDefinition.MaxPerEntity} custom fields per kind of record.");
        }
        db.CustomFieldDefinitions.Add(field);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"There already is a custom field '{field.Key}' for {KindNames.Of(field.Entity)} records.");
        }
        ETags.Set(response, field.Version);
        return TypedResults.Created($"/api/v1/custom-fields/{field.Id}", CustomFieldResponse.From(field));
    }

    public static async Task<Results<Ok<CustomFieldResponse>, ValidationProblem, ProblemHttpResult>> UpdateCustomField(
        Guid id, CustomFieldRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } changed)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var field = await db.CustomFieldDefinitions.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (field is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, field.Version, out _) is { } precondition)
        {
            return precondition;
        }
        errors.When(changed.Entity != field.Entity, "entity", "entity cannot change; define a new field instead.")
            .When(changed.Key != field.Key, "key", "key cannot change; define a new field instead.")
            .When(changed.Type != field.Type, "type", "type cannot change; define a new field instead.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        foreach (var removed in field.Options.Except(changed.Options, StringComparer.OrdinalIgnoreCase))
        {
            if (await RecordsChoosingAsync(db, field, removed, cancellationToken) is var count and > 0)
            {
                return ApiProblems.Conflict($"{count} records still have '{removed}' in {field.Label}; change them before removing the option.",
                    new Dictionary<string, object?> { ["option"] = removed, ["records"] = count });
            }
        }

        field.Label = changed.Label;
        field.Options = changed.Options;
        field.Required = changed.Required;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, field.Version);
        return TypedResults.Ok(CustomFieldResponse.From(field));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCustomField(
        Guid id, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var field = await db.CustomFieldDefinitions.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (field is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, field.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await RecordsWithValueAsync(db, field, cancellationToken) is var count and > 0)
        {
            return ApiProblems.Conflict($"{count} records still have a value for {field.Label}; clear them before deleting the field.",
                new Dictionary<string, object?> { ["records"] = count });
        }
        db.CustomFieldDefinitions.Remove(field);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        return TypedResults.NoContent();
    }

    // Counted across the tenant, whoever owns the records: a value the caller cannot see still uses the field.

    private static Task<int> RecordsWithValueAsync(ContactsDbContext db, CustomFieldDefinition field, CancellationToken cancellationToken) =>
        field.Entity == CustomFieldEntity.Person
            ? db.People.IgnoreQueryFilters().CountAsync(
                p => p.TenantId == db.CurrentTenantId && EF.Functions.JsonExists(p.CustomFields, field.Key), cancellationToken)
            : db.Organizations.IgnoreQueryFilters().CountAsync(
                o => o.TenantId == db.CurrentTenantId && EF.Functions.JsonExists(o.CustomFields, field.Key), cancellationToken);

    private static Task<int> RecordsChoosingAsync(ContactsDbContext db, CustomFieldDefinition field, string option, CancellationToken cancellationToken)
    {
        JsonNode value = field.Type == CustomFieldType.MultiChoice ? new JsonArray(option) : JsonValue.Create(option);
        // A document, not a string: the parameter must reach PostgreSQL as jsonb.
        var contained = JsonDocument.Parse(new JsonObject { [field.Key] = value }.ToJsonString());
        return field.Entity == CustomFieldEntity.Person
            ? db.People.IgnoreQueryFilters().CountAsync(
                p => p.TenantId == db.CurrentTenantId && EF.Functions.JsonContains(p.CustomFields, contained), cancellationToken)
            : db.Organizations.IgnoreQueryFilters().CountAsync(
                o => o.TenantId == db.CurrentTenantId && EF.Functions.JsonContains(o.CustomFields, contained), cancellationToken);
    }
}
