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
/// <c>GET /api/v1/people/search?q=</c> and <c>/organizations/search?q=</c>: full-text search on the generated
/// <c>search_vector</c> (whole words, any order: <c>websearch_to_tsquery</c> syntax, so "quoted phrases" and -exclusions
/// work) or trigram word similarity on <c>search_text</c> (misspellings and beginnings of words), ranked by both. The
/// lists' filters and sorts apply (<c>?sort=</c> replaces the default <c>-relevance</c>), pages are keyset pages like
/// every list's, and the tenant and record-scope filters hold as everywhere. People are also found by their name's
/// folded words and sounds (<c>name_keys</c>, <see cref="NameSearchKeys"/>): Mueller and Muller find Müller, Schnieder
/// finds Schneider, Maier finds Meier and Mayer, through the same GIN index lookup as the rest.
/// </summary>
public static class SearchApi
{
    public const int QueryMaxLength = 200;

    /// <summary>The text search configuration of the search columns: no stemming, no stop words.</summary>
    private const string Configuration = "simple";

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
        Expression<Func<Person, double>> relevance = NameSearchKeys.Query(text) is { } keys
            ? p => p.SearchVector.Rank(EF.Functions.WebSearchToTsQuery(Configuration, text)) + EF.Functions.TrigramsWordSimilarity(text, p.SearchText)
                + p.NameKeys.Rank(EF.Functions.ToTsQuery(Configuration, keys))
            : p => p.SearchVector.Rank(EF.Functions.WebSearchToTsQuery(Configuration, text)) + EF.Functions.TrigramsWordSimilarity(text, p.SearchText);
        fields.Sort("relevance", relevance);
        if (!ListQuery<Person>.TryParse(request.Query, fields, out var list, out var errors, defaultSort: "-relevance"))
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await list.ToPageAsync(db.People.AsNoTracking().Where(PeopleMatching(text)), PersonResponse.From, cancellationToken));
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

    /// <summary>What <c>?q=</c> finds among people (the export applies it too).</summary>
    internal static Expression<Func<Person, bool>> PeopleMatching(string text) => (PhoneDigits(text), NameSearchKeys.Query(text)) switch
    {
        ({ } digits, _) => p => p.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text))
            || EF.Functions.TrigramsAreWordSimilar(text, p.SearchText)
            || p.SearchVector.Matches(EF.Functions.ToTsQuery(Configuration, digits)),
        (null, { } keys) => p => p.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text))
            || EF.Functions.TrigramsAreWordSimilar(text, p.SearchText)
            || p.NameKeys.Matches(EF.Functions.ToTsQuery(Configuration, keys)),
        _ => p => p.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text))
            || EF.Functions.TrigramsAreWordSimilar(text, p.SearchText),
    };

    internal static Expression<Func<Organization, bool>> OrganizationsMatching(string text) => o =>
        o.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text)) || EF.Functions.TrigramsAreWordSimilar(text, o.SearchText);

    internal static readonly Dictionary<string, string[]> QueryError = new()
    {
        ["q"] = [$"q is the text to search for: 1 to {QueryMaxLength} characters."],
    };

    internal static string? Read(string? q) => string.IsNullOrWhiteSpace(q) || q.Trim().Length > QueryMaxLength ? null : q.Trim();

    /// <summary>
    /// A query that is a phone number (digits, spaces, +, -, parentheses, at least six digits) also matches the numbers
    /// that begin with its digits, as stored: E.164 without the '+' (<c>+44 20 7946</c> finds <c>+442079460000</c>).
    /// </summary>
    private static string? PhoneDigits(string text)
    {
        if (!text.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')' or '.'))
        {
            return null;
        }
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        return digits.Length >= 6 ? digits + ":*" : null;
    }
}
