using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Exports;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// <c>GET /api/v1/people/export?format=csv|xlsx|json</c> (and organizations): every record the list endpoint would
/// page through with the same <c>filter[...]</c>, <c>sort</c> and, as in search, <c>q</c>, streamed from the reader to
/// the response. The tenant and record-scope filters hold as in the lists. JSON is an array of the API's own records.
/// </summary>
public static class ExportsApi
{
    public static void MapExportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/people/export", ExportPeople).WithTags("People").ProducesExport<PersonResponse>().RequirePermission(Permissions.People, Operation.Read);
        app.MapGet("/api/v1/organizations/export", ExportOrganizations).WithTags("Organizations").ProducesExport<OrganizationResponse>()
            .RequirePermission(Permissions.Organizations, Operation.Read);
    }

    /// <summary>
    /// The 200 in every format <see cref="ExportWriter"/> writes, with the media types it writes them as. One
    /// <c>Produces</c> per status gives every media type one schema, so the JSON one is set apart: an array of records.
    /// </summary>
    private static RouteHandlerBuilder ProducesExport<TRecord>(this RouteHandlerBuilder endpoint)
    {
        var mediaTypes = Enum.GetValues<ExportFormat>().Select(format => ExportWriter.ContentType(format).Split(';')[0]).ToArray();
        return endpoint.Produces(StatusCodes.Status200OK, typeof(string), mediaTypes[0], mediaTypes[1..])
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                // A reference to the record's component (which the record's own endpoints define), not an inline copy.
                var ok = operation.Responses![StatusCodes.Status200OK.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                ok.Content![System.Net.Mime.MediaTypeNames.Application.Json].Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(typeof(TRecord).Name, context.Document),
                };
                return Task.CompletedTask;
            });
    }

    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportPeople(
        string? format, string? q, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
        var fields = CustomFieldQueries.NamesCustomFields(http.Request.Query) ? PeopleApi.ListFields.WithCustomFields(customFields) : PeopleApi.ListFields;
        if (Read(format, q, http.Request.Query, fields, out var list) is not { } exportFormat)
        {
            return TypedResults.ValidationProblem(list.Errors);
        }
        var people = db.People.AsNoTracking();
        if (q is not null)
        {
            people = people.Where((await PeopleSearch.ForAsync(db, SearchApi.Read(q)!, cancellationToken)).Matching);
        }
        await ExportWriter.WriteAsync(http, exportFormat, "people", list.Query!.Apply(people), ExportColumns.People(customFields),
            PersonResponse.From, Json(http), cancellationToken);
        return TypedResults.Empty;
    }

    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportOrganizations(
        string? format, string? q, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken);
        var fields = await OrganizationsApi.FieldsForAsync(db, http.Request, cancellationToken);
        if (Read(format, q, http.Request.Query, fields, out var list) is not { } exportFormat)
        {
            return TypedResults.ValidationProblem(list.Errors);
        }
        var organizations = db.Organizations.AsNoTracking();
        if (q is not null)
        {
            organizations = organizations.Where(SearchApi.OrganizationsMatching(SearchApi.Read(q)!));
        }
        await ExportWriter.WriteAsync(http, exportFormat, "organizations", list.Query!.Apply(organizations), ExportColumns.Organizations(customFields),
            OrganizationResponse.From, Json(http), cancellationToken);
        return TypedResults.Empty;
    }

    private static System.Text.Json.JsonSerializerOptions Json(HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    private sealed record ParsedList<T>(ListQuery<T>? Query, FieldErrors Errors) where T : class, Persistence.Tenancy.IKeysetOrdered;

    /// <summary>The format and the list's parameters; <c>limit</c> does not apply to an export (it is every row).</summary>
    private static ExportFormat? Read<T>(string? format, string? q, IQueryCollection query, ListFields<T> fields, out ParsedList<T> list)
        where T : class, Persistence.Tenancy.IKeysetOrdered
    {
        var errors = new FieldErrors();
        var exportFormat = ContactDetailsInput.Kind(errors, "format", format ?? "csv", (ExportFormat?)null);
        if (q is not null && SearchApi.Read(q) is null)
        {
            foreach (var (field, messages) in SearchApi.QueryError)
            {
                errors[field] = messages;
            }
        }
        var withoutLimit = new QueryCollection(query.Where(p => p.Key is not ("limit" or "format" or "q")).ToDictionary(p => p.Key, p => p.Value));
        ListQuery<T>.TryParse(withoutLimit, fields, out var parsed, out var listErrors);
        foreach (var (field, messages) in listErrors)
        {
            errors[field] = messages;
        }
        list = new ParsedList<T>(parsed, errors);
        return errors.IsValid ? exportFormat : null;
    }
}
