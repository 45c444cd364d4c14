using System.Linq.Expressions;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Matching;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// <c>GET /api/v1/people/search?q=</c> and <c>/organizations/search?q=</c>. People: in tiers of relevance, the words
/// themselves, the name spelt otherwise, beginnings of words (<see cref="PeopleSearch"/>). Organizations: full text on
/// the generated <c>search_vector</c> (whole words, any order: <c>websearch_to_tsquery</c> syntax, so "quoted phrases"
/// and -exclusions work) or trigram word similarity on <c>search_text</c> (misspellings and beginnings of words), ranked
/// by both. The lists' filters and sorts apply (<c>?sort=</c> replaces the default <c>-relevance</c>), pages are keyset
/// pages like every list's, and the tenant and record-scope filters hold as everywhere.
/// </summary>
public static class SearchApi
{
    public const int QueryMaxLength = 200;

    private const string Configuration = PeopleSearch.Configuration;

    public static void MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/people/search", SearchPeople).Lists(PeopleApi.ListFields, "relevance").WithTags("People").RequirePermission(Permissions.People, Operation.Read);
        app.MapGet("/api/v1/organizations/search", SearchOrganizations).Lists(OrganizationsApi.ListFields, "relevance").WithTags("Organizations")
            .RequirePermission(Permissions.Organizations, Operation.Read);
    }

    public static async Task<Results<Ok<CursorPage<PersonResponse>>, ValidationProblem>> SearchPeople(
        string? q, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (Read(q) is not { } text)
        {
            return TypedResults.ValidationProblem(QueryError);
        }
        var fields = CustomFieldQueries.NamesCustomFields(request.Query)
            ? PeopleApi.ListFields.WithCustomFields(await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken))
            : PeopleApi.ListFields.Copy();
        var search = await PeopleSearch.ForAsync(db, text, cancellationToken);
        fields.Sort("relevance", search.Relevance);
        if (!ListQuery<Person>.TryParse(request.Query, fields, out var list, out var errors, defaultSort: "-relevance"))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var people = db.People.AsNoTracking();
        return TypedResults.Ok(list.IsSortedBy("relevance", descending: true)
            ? await list.ToPageAsync(search.Tiers.Select(tier => people.Where(tier)), PersonResponse.From, cancellationToken)
            : await list.ToPageAsync(people.Where(search.Matching), PersonResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<CursorPage<OrganizationResponse>>, ValidationProblem>> SearchOrganizations(
        string? q, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (Read(q) is not { } text)
        {
            return TypedResults.ValidationProblem(QueryError);
        }
        var fields = (await OrganizationsApi.FieldsForAsync(db, request, cancellationToken)).Copy();
        fields.Sort("relevance", (Organization o) =>
            o.SearchVector.Rank(EF.Functions.WebSearchToTsQuery(Configuration, text)) + EF.Functions.TrigramsWordSimilarity(text, o.SearchText));
        if (!ListQuery<Organization>.TryParse(request.Query, fields, out var list, out var errors, defaultSort: "-relevance"))
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await list.ToPageAsync(db.Organizations.AsNoTracking().Where(OrganizationsMatching(text)), OrganizationResponse.From, cancellationToken));
    }

    internal static Expression<Func<Organization, bool>> OrganizationsMatching(string text) => o =>
        o.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text)) || EF.Functions.TrigramsAreWordSimilar(text, o.SearchText);

    internal static readonly Dictionary<string, string[]> QueryError = new()
    {
        ["q"] = [$"q is the text to search for: 1 to {QueryMaxLength} characters."],
    };

    internal static string? Read(string? q) => string.IsNullOrWhiteSpace(q) || q.Trim().Length > QueryMaxLength ? null : q.Trim();
}
