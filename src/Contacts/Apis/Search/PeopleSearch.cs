using System.Linq.Expressions;
using System.Text.RegularExpressions;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Matching;
using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// What <c>?q=</c> finds among people, in tiers, each a GIN index lookup:
/// <list type="number">
/// <item>the words themselves: full text on <c>search_vector</c> (name, addresses, phone numbers, organization, tags;
/// <c>websearch_to_tsquery</c> syntax, so "quoted phrases" and -exclusions work), a phone number's digits as the
/// beginning of a stored number, and the name's words folded in <c>name_keys</c> (Mueller is Müller);</item>
/// <item>the name's words spelt otherwise: <c>name_keys</c> with each word's spellings from the tenant's dictionary of
/// name words (<see cref="NameSearchKeys"/>: Muller finds Müller, Maier finds Meier and Mayer), one edit away, then
/// two, each a tier of its own for a single word;</item>
/// <item>beginnings of words: <c>wittg</c> finds Wittgenstein, <c>acm</c> the people of Acme.</item>
/// </list>
/// Every match of a tier ranks above every match of the next (<see cref="Relevance"/>; within a tier, name before
/// address before organization and tags), so a page in relevance order asks a tier only while it is not full: a common
/// name's first page comes from its few hundred exact matches, without ranking the thousands of names that begin like
/// it. A search with operators (quotes, -exclusions, or) means exactly what it says: the first tier only.
/// </summary>
internal sealed partial class PeopleSearch
{
    /// <summary>The text search configuration of the search columns: no stemming, no stop words.</summary>
    public const string Configuration = "simple";

    /// <summary>Beginnings shorter than this match too large a part of any tenant to be worth ranking.</summary>
    private const int MinBeginningLength = 3;

    private const NpgsqlTsRankingNormalization WithinOne = NpgsqlTsRankingNormalization.DivideByItselfPlusOne;

    private PeopleSearch(Expression<Func<Person, bool>>[] tiers, Expression<Func<Person, bool>> matching, Expression<Func<Person, double>> relevance) =>
        (Tiers, Matching, Relevance) = (tiers, matching, relevance);

    /// <summary>The tiers, best first, each without the rows of the tiers before it.</summary>
    public IReadOnlyList<Expression<Func<Person, bool>>> Tiers { get; }

    /// <summary>Any tier: what the search finds in any other order (and what an export of it writes).</summary>
    public Expression<Func<Person, bool>> Matching { get; }

    /// <summary>The tier (the best highest, beginnings 0) plus a rank within it below 1.</summary>
    public Expression<Func<Person, double>> Relevance { get; }

    public static async Task<PeopleSearch> ForAsync(ContactsDbContext db, string text, CancellationToken cancellationToken)
    {
        var digits = PhoneDigits(text);
        var plain = !Operators().IsMatch(text);
        var words = plain ? NameSearchKeys.Words(text) : null;
        var dictionary = words is null ? [] : await NameSearchKeys.Candidates(db.PersonNameWords, words).ToListAsync(cancellationToken);
        // The name's words folded, then with spellings one edit away, then two: each a tier of its own, so that a
        // slip (Schmdit) fills its page with the one name it means before the names two edits away are read.
        // Two words and more intersect to a handful of people at any level, where a round trip per level costs more
        // than it saves: folded, then every spelling.
        var levels = words is { Length: > 1 } ? [0, NameMatching.MaxEdits(int.MaxValue)] : SpellingTiers;
        var spellings = words is null ? [] : levels.Select(edits => NameSearchKeys.Query(words, dictionary, edits)).Distinct().ToList();
        var keys = spellings.LastOrDefault();
        var beginnings = plain ? Beginnings(text) : null;

        Expression<Func<Person, bool>> exact = p => p.SearchVector.Matches(EF.Functions.WebSearchToTsQuery(Configuration, text))
            || (digits != null && p.SearchVector.Matches(EF.Functions.ToTsQuery(Configuration, digits)));
        Expression<Func<Person, double>> withinTier = p => (p.SearchVector.Rank(EF.Functions.WebSearchToTsQuery(Configuration, text), WithinOne)
            + (keys != null ? p.NameKeys.Rank(EF.Functions.ToTsQuery(Configuration, keys), WithinOne) : 0f)
            + (beginnings != null ? p.SearchVector.Rank(EF.Functions.ToTsQuery(Configuration, beginnings), WithinOne) : 0f)) / 3.0;

        var person = Expression.Parameter(typeof(Person), "p");
        // Folded, the name's words are the words themselves once more (Mueller is Müller): one tier with them.
        var written = spellings.Count > 0 ? Expression.OrElse(Body(exact, person), Body(Spelt(spellings[0]), person)) : Body(exact, person);
        List<Expression> matches = [written, .. spellings.Skip(1).Select(query => Body(Spelt(query), person))];
        if (beginnings is not null)
        {
            Expression<Func<Person, bool>> begun = p => p.SearchVector.Matches(EF.Functions.ToTsQuery(Configuration, beginnings));
            matches.Add(Body(begun, person));
        }
        var tiers = matches.Select((match, i) => Lambda(matches.Take(i).Aggregate(match, (tier, better) => Expression.AndAlso(tier, Expression.Not(better))), person));
        Expression tierRank = Expression.Constant(0.0);
        for (var i = matches.Count - 1; i >= 0; i--)
        {
            tierRank = Expression.Condition(matches[i], Expression.Constant((double)(matches.Count - 1 - i)), tierRank);
        }
        return new PeopleSearch(
            [.. tiers],
            Lambda(matches.Aggregate(Expression.OrElse), person),
            Expression.Lambda<Func<Person, double>>(Expression.Add(tierRank, Body(withinTier, person)), person));
    }

    private static readonly int[] SpellingTiers = [0, 1, NameMatching.MaxEdits(int.MaxValue)];

    private static Expression<Func<Person, bool>> Spelt(string keys) => p => p.NameKeys.Matches(EF.Functions.ToTsQuery(Configuration, keys));

    private static Expression Body(LambdaExpression lambda, ParameterExpression person) =>
        ReplacingExpressionVisitor.Replace(lambda.Parameters[0], person, lambda.Body);

    private static Expression<Func<Person, bool>> Lambda(Expression body, ParameterExpression person) =>
        Expression.Lambda<Func<Person, bool>>(body, person);

    /// <summary>Every word as a prefix (<c>wittg:*</c>), or null when a word is too short to begin anything worth ranking.</summary>
    private static string? Beginnings(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();
        return words.Count == 0 || words.Any(w => w.Length < MinBeginningLength) ? null : string.Join(" & ", words.Select(w => w + ":*"));
    }

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

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    /// <summary><c>websearch_to_tsquery</c>'s operators: a quote, a word excluded with a leading minus, or the word "or".</summary>
    [GeneratedRegex(@"""|(^|\s)-\S|(^|\s)or(\s|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Operators();
}
