using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Full-text and trigram search over people and organizations, with filters, sorts, paging and scopes.</summary>
public sealed class SearchTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    /// <summary>A made-up word no other test uses, so searches find only what a test created.</summary>
    private static string Word(int length = 9) =>
        char.ToUpperInvariant((char)('a' + Random.Shared.Next(26))) + new string([.. Enumerable.Range(0, length - 1).Select(_ => (char)('a' + Random.Shared.Next(26)))]);

    private async Task<JsonElement> PersonAsync(string firstName, string lastName, object? extra = null, HttpClient? client = null)
    {
        var body = JsonSerializer.SerializeToNode(new { firstName, lastName, email = $"{Guid.NewGuid():N}@example.com" })!.AsObject();
        foreach (var (key, value) in extra is null ? [] : JsonSerializer.SerializeToNode(extra)!.AsObject().ToList())
        {
            body[key] = value?.DeepClone();
        }
        if (body.ContainsKey("emails"))
        {
            body.Remove("email");
        }
        var answer = await (client ?? _client).PostJsonAsync("/api/v1/people", body.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body;
    }

    private async Task<List<Guid>> SearchAsync(string query, HttpClient? client = null, string resource = "people")
    {
        var answer = await (client ?? _client).GetJsonAsync($"/api/v1/{resource}/search?{query}");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{query}: {answer.Body}");
        return [.. answer.Body.GetProperty("items").EnumerateArray().Select(p => p.Id())];
    }

    private static string Q(string text) => $"q={Uri.EscapeDataString(text)}";

    [Fact]
    public async Task Full_text_finds_people_by_name_email_phone_organization_and_tag()
    {
        var (last, orgWord, tag) = (Word(), Word(), Word().ToLowerInvariant());
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = $"{orgWord} Holdings" })).Body.Id();
        var email = $"{Word().ToLowerInvariant()}@example.com";
        var person = (await PersonAsync("Ada", last, new
        {
            emails = new[] { new { address = email } },
            phones = new[] { new { number = "+44 20 7946 0123" } },
            organizationId = organization,
            tags = new[] { tag },
        })).Id();

        Assert.Equal([person], await SearchAsync(Q($"ada {last}")));
        Assert.Equal([person], await SearchAsync(Q(email)));
        Assert.Contains(person, await SearchAsync(Q("+44 20 7946 0123")));
        Assert.Equal([person], await SearchAsync(Q($"{orgWord} holdings")));
        Assert.Equal([person], await SearchAsync(Q(tag)));
    }

    [Fact]
    public async Task A_misspelled_name_is_found_by_trigram_similarity()
    {
        var tag = Word().ToLowerInvariant();
        var person = (await PersonAsync("Ludwig", "Wittgenstein", new { tags = new[] { tag } })).Id();
        await PersonAsync("Bertrand", "Russell", new { tags = new[] { tag } });

        Assert.Equal([person], await SearchAsync($"{Q("Wittgenstien")}&filter[tag]={tag}"));
        Assert.Equal([person], await SearchAsync($"{Q("witgenstein")}&filter[tag]={tag}"));
        Assert.Equal([person], await SearchAsync($"{Q("wittg")}&filter[tag]={tag}"));
        // Two consonants swapped: another sound, but one typing slip.
        Assert.Equal([person], await SearchAsync($"{Q("Wittgesntein")}&filter[tag]={tag}"));
    }

    [Fact]
    public async Task The_word_itself_comes_first_then_other_spellings_then_beginnings_across_pages()
    {
        var stem = Word(7);
        var (exact, slip, longer) = (stem + "ns", stem + "sn", stem + "nsmann");
        var spelt = (await PersonAsync("Spelt", slip)).Id();
        var begun = (await PersonAsync("Begun", longer)).Id();
        var found = (await PersonAsync("Exact", exact)).Id();

        var walked = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync($"/api/v1/people/search?{Q(exact)}&limit=1{(cursor is null ? "" : $"&cursor={cursor}")}");
            walked.AddRange(page.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));
            cursor = page.Body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal([found, spelt, begun], walked);
        // In another order the same three are found.
        Assert.Equal([begun, found, spelt], await SearchAsync($"{Q(exact)}&sort=firstName"));
    }

    [Fact]
    public async Task A_name_word_stays_in_the_tenants_dictionary_while_someone_has_it()
    {
        var (shared, own, renamed) = (Word(), Word(7) + "ab", Word(7) + "ns");
        var person = await PersonAsync(own, shared);
        var other = await PersonAsync("Other", shared);
        Assert.Equal(Folded(own, shared), await DictionaryAsync(own, shared, renamed));

        var email = person.GetProperty("emails")[0].GetProperty("address").GetString();
        var answer = await _client.PutJsonAsync($"/api/v1/people/{person.Id()}", new { firstName = renamed, lastName = shared, email }, person.ETag());
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(Folded(shared, renamed), await DictionaryAsync(own, shared, renamed));
        // The new name is found misspelt, by way of the dictionary.
        Assert.Equal([person.Id()], await SearchAsync(Q(renamed[..^2] + "sn")));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{other.Id()}", other.ETag())).Status);
        Assert.Equal(Folded(shared, renamed), await DictionaryAsync(own, shared, renamed));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{person.Id()}", answer.Body.ETag())).Status);
        Assert.Empty(await DictionaryAsync(own, shared, renamed));
    }

    private static List<string> Folded(params string[] words) => [.. words.Select(w => w.ToLowerInvariant()).Order(StringComparer.Ordinal)];

    private Task<List<string>> DictionaryAsync(params string[] words) =>
        PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.SqlQueryRaw<string>(
            "SELECT word AS \"Value\" FROM person_name_words WHERE word = ANY(@words) ORDER BY word COLLATE \"C\"",
            new NpgsqlParameter("words", Folded(words).ToArray())).ToListAsync());

    [Fact]
    public async Task Search_combines_with_filters_and_sorts()
    {
        var word = Word();
        var customer = (await PersonAsync("Zed", word, new { lifecycleStage = "customer" })).Id();
        var lead = (await PersonAsync("Amy", word, new { lifecycleStage = "lead" })).Id();
        var otherCustomer = (await PersonAsync("Bob", Word(), new { lifecycleStage = "customer" })).Id();

        Assert.Equal([customer], await SearchAsync($"{Q(word)}&filter[lifecycleStage]=customer"));
        Assert.Equal([lead, customer], await SearchAsync($"{Q(word)}&sort=firstName"));
        Assert.Equal([customer, lead], await SearchAsync($"{Q(word)}&sort=-lifecycleStage"));
        Assert.DoesNotContain(otherCustomer, await SearchAsync($"{Q(word)}&filter[lifecycleStage]=customer"));
    }

    [Fact]
    public async Task Results_come_best_match_first_and_page_with_a_cursor()
    {
        var word = Word();
        var inName = (await PersonAsync("Named", word)).Id();
        var inTags = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            inTags.Add((await PersonAsync("Tagged", Word(), new { tags = new[] { word } })).Id());
        }

        var first = await _client.GetJsonAsync($"/api/v1/people/search?{Q(word)}&limit=2");
        var walked = first.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()).ToList();
        var cursor = first.Body.GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            var page = await _client.GetJsonAsync($"/api/v1/people/search?{Q(word)}&limit=2&cursor={cursor}");
            walked.AddRange(page.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));
            cursor = page.Body.GetProperty("nextCursor").GetString();
        }

        Assert.Equal(inName, walked[0]);
        Assert.Equal(inTags.Order(), walked.Skip(1).Order());
        Assert.Equal(5, walked.Distinct().Count());
    }

    [Fact]
    public async Task Other_tenants_people_are_never_found_and_record_scopes_hold()
    {
        var word = Word();
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Contacts, otherToken);
        var theirs = (await PersonAsync("Their", word, client: other)).Id();
        var mine = (await PersonAsync("Mine", word, new { ownerId = "rep-search" })).Id();
        var colleagues = (await PersonAsync("Colleague", word)).Id();

        Assert.Equal(new[] { colleagues, mine }.Order(), (await SearchAsync(Q(word))).Order());
        Assert.Equal([theirs], await SearchAsync(Q(word), other));
        Assert.Equal([theirs], await SearchAsync(Q(word.ToLowerInvariant()[..^1]), other));
        var rep = Platform.ClientFor(Platform.Contacts, await Platform.Identity.SignedTokenAsync("rep-search", TenantContext.DefaultTenantId, Roles.SalesRep));
        Assert.Equal([mine], await SearchAsync(Q(word), rep));
    }

    [Fact]
    public async Task Renaming_an_organization_is_searchable_on_its_people_at_once()
    {
        var (before, after) = (Word(), Word());
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = before })).Body;
        var person = await PersonAsync("Staff", Word(), new { organizationId = organization.Id() });

        Assert.Equal([person.Id()], await SearchAsync(Q(before)));
        await _client.PutJsonAsync($"/api/v1/organizations/{organization.Id()}", new { name = after }, organization.ETag());

        Assert.Equal([person.Id()], await SearchAsync(Q(after)));
        Assert.Empty(await SearchAsync(Q(before)));
        // The person's own record is unchanged by it.
        Assert.Equal(1, (await _client.GetJsonAsync($"/api/v1/people/{person.Id()}")).Body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Organizations_are_searched_by_name_domain_and_tags()
    {
        var name = Word();
        var organization = (await _client.PostJsonAsync("/api/v1/organizations",
            new { name = $"{name} Logistics", domain = $"{name.ToLowerInvariant()}.example", tags = new[] { "freight" } })).Body.Id();

        Assert.Equal([organization], await SearchAsync(Q($"{name} logistics"), resource: "organizations"));
        Assert.Equal([organization], await SearchAsync(Q($"{name.ToLowerInvariant()}.example"), resource: "organizations"));
        Assert.Equal([organization], await SearchAsync(Q(name[..^1] + "x"), resource: "organizations"));
        Assert.Equal([organization], await SearchAsync($"{Q(name)}&filter[tag]=freight", resource: "organizations"));
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=ada&filter[shoeSize]=9", "filter[shoeSize]")]
    [InlineData("q=ada&sort=shoeSize", "sort")]
    public async Task A_missing_query_or_an_unknown_field_answers_400(string query, string field)
    {
        var answer = await _client.GetJsonAsync($"/api/v1/people/search?{query}");
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task The_services_own_role_created_pg_trgm_without_being_a_superuser()
    {
        var (superuser, owner) = await PlatformServices.QueryAsync(Platform.Contacts, async db => (
            await db.Database.SqlQueryRaw<bool>("SELECT rolsuper AS \"Value\" FROM pg_roles WHERE rolname = current_user").SingleAsync(),
            await db.Database.SqlQueryRaw<bool>(
                "SELECT e.extowner = r.oid AS \"Value\" FROM pg_extension e, pg_roles r WHERE e.extname = 'pg_trgm' AND r.rolname = current_user").SingleAsync()));

        Assert.False(superuser);
        Assert.True(owner);
    }
}
