using System.Net;
using System.Text.Json;
using CrmPlatform.Contacts.Matching;
using CrmPlatform.Tests.Imports;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static CrmPlatform.Tests.Duplicates.DuplicateData;

namespace CrmPlatform.Tests.Duplicates;

/// <summary>
/// German-aware matching through the real API (issue 15's proof): Müller/Mueller/Muller, Meier/Maier/Mayer,
/// Schneider/Schnieder, Strasse/Straße and Jürgen/Juergen as duplicates on create, after a scan, in an import, and in
/// search, each with the explanation of its rule; names that merely share a sound or nothing are no match. Each test
/// works in a tenant of its own, so real names meet only the test's own people.
/// </summary>
public sealed class GermanMatchingTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<HttpClient> NewTenantClientAsync() => Platform.ClientFor(Platform.Contacts, (await Platform.Identity.NewTenantAsync()).Token);

    private static object German(string firstName, string lastName, string? phone = null) => Person(firstName, lastName, phone: phone);

    private static JsonElement NameReason(JsonElement reasons) =>
        reasons.EnumerateArray().Single(r => r.Str("rule") is NameMatching.FoldedName or NameMatching.SoundsAlike or "similar-name");

    public static TheoryData<string, string, string, string, string, int, string> ProofPairs => new()
    {
        { "Jürgen", "Müller", "Juergen", "Mueller", "folded-name", 50, "names equal after folding: Juergen Mueller = Jürgen Müller (juergen mueller)" },
        { "Anna", "Müller", "Anna", "Muller", "sounds-alike", 50, "last name sounds alike (Kölner Phonetik 657, 1 edit): Muller ~ Müller" },
        { "Anna", "Mueller", "Anna", "Muller", "sounds-alike", 50, "last name sounds alike (Kölner Phonetik 657, 1 edit): Muller ~ Mueller" },
        { "Hans", "Meier", "Hans", "Maier", "sounds-alike", 50, "last name sounds alike (Kölner Phonetik 67, 1 edit): Maier ~ Meier" },
        { "Hans", "Maier", "Hans", "Mayer", "sounds-alike", 50, "last name sounds alike (Kölner Phonetik 67, 1 edit): Mayer ~ Maier" },
        { "Hans", "Meier", "Hans", "Mayer", "sounds-alike", 40, "last name sounds alike (Kölner Phonetik 67, 2 edits): Mayer ~ Meier" },
        { "Eva", "Schneider", "Eva", "Schnieder", "sounds-alike", 50, "last name sounds alike (Kölner Phonetik 8627, 1 edit): Schnieder ~ Schneider" },
        { "Karl", "Straße", "Karl", "Strasse", "folded-name", 50, "names equal after folding: Karl Strasse = Karl Straße (karl strasse)" },
        { "Jürgen", "Weber", "Juergen", "Weber", "folded-name", 50, "names equal after folding: Juergen Weber = Jürgen Weber (juergen weber)" },
    };

    [Theory]
    [MemberData(nameof(ProofPairs))]
    public async Task On_create_a_German_spelling_of_a_name_with_the_same_phone_is_a_409_explaining_the_name_rule(
        string firstA, string lastA, string firstB, string lastB, string rule, int points, string explanation)
    {
        var client = await NewTenantClientAsync();
        var phone = NewPhone();
        var existing = await client.PostJsonAsync("/api/v1/people", German(firstA, lastA, phone)).CreatedAsync();

        var again = await client.PostJsonAsync("/api/v1/people", German(firstB, lastB, phone));
        again.AssertProblem(HttpStatusCode.Conflict);
        var candidate = Assert.Single(again.Body.GetProperty("duplicates").EnumerateArray());
        Assert.Equal((existing.Id(), 50 + points), (candidate.Id(), candidate.GetProperty("score").GetInt32()));
        var name = NameReason(candidate.GetProperty("reasons"));
        Assert.Equal((rule, points, explanation), (name.Str("rule"), name.GetProperty("points").GetInt32(), name.Str("explanation")));
        Assert.Equal([$"{firstB} {lastB}", $"{firstA} {lastA}"], name.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task On_create_a_folded_name_alone_is_listed_for_review_and_other_names_are_not()
    {
        var client = await NewTenantClientAsync();
        var jurgen = (await client.PostJsonAsync("/api/v1/people", German("Jürgen", "Müller")).CreatedAsync()).Id();
        var juergen = (await client.PostJsonAsync("/api/v1/people", German("Juergen", "Mueller")).CreatedAsync()).Id();
        var pair = await PairAsync(client, "person", jurgen, juergen);
        Assert.Equal(("possible", 50), (pair!.Value.Str("strength"), pair.Value.GetProperty("score").GetInt32()));
        Assert.Equal("names equal after folding: Juergen Mueller = Jürgen Müller (juergen mueller)", NameReason(pair.Value.GetProperty("reasons")).Str("explanation"));

        // The same phone and a different name: the phone's 50 points only, created, with no name rule among the reasons.
        var phone = NewPhone();
        var schmidt = (await client.PostJsonAsync("/api/v1/people", German("Eva", "Schmidt", phone)).CreatedAsync()).Id();
        var schneider = (await client.PostJsonAsync("/api/v1/people", German("Eva", "Schneider", phone)).CreatedAsync()).Id();
        Assert.Equal(["same-phone"], (await PairAsync(client, "person", schmidt, schneider))!.Value.GetProperty("reasons").Rules());

        // Miller sounds like Müller, two edits away: not listed on the name alone.
        var miller = (await client.PostJsonAsync("/api/v1/people", German("Jürgen", "Miller")).CreatedAsync()).Id();
        Assert.Null(await PairAsync(client, "person", jurgen, miller));
    }

    private Task ForgetPairsAsync(IEnumerable<Guid> ids)
    {
        var all = ids.ToArray();
        return PlatformServices.QueryAsync(Platform.Contacts, db =>
            db.Database.ExecuteSqlAsync($"DELETE FROM duplicate_pairs WHERE record_id = ANY({all}) OR other_id = ANY({all})"));
    }

    [Fact]
    public async Task The_scan_pairs_German_spellings_with_their_explanations_and_leaves_other_names_alone()
    {
        var client = await NewTenantClientAsync();
        var people = new Dictionary<string, Guid>();
        foreach (var (first, last) in new[]
        {
            ("Jürgen", "Müller"), ("Juergen", "Mueller"), ("Anna", "Müller"), ("Anna", "Muller"), ("Hans", "Meier"), ("Hans", "Maier"),
            ("Hans", "Mayer"), ("Eva", "Schneider"), ("Eva", "Schnieder"), ("Eva", "Schmidt"), ("Karl", "Straße"), ("Karl", "Strasse"),
        })
        {
            people[$"{first} {last}"] = (await client.PostJsonAsync("/api/v1/people?allowDuplicates=true", German(first, last)).CreatedAsync()).Id();
        }
        // As if they had been stored before German matching existed.
        await ForgetPairsAsync(people.Values);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJsonAsync("/api/v1/duplicates/scan", new { })).Status);
        var expected = new (string A, string B, string Explanation)[]
        {
            ("Jürgen Müller", "Juergen Mueller", "juergen mueller"),
            ("Anna Müller", "Anna Muller", "last name sounds alike (Kölner Phonetik 657, 1 edit)"),
            ("Hans Meier", "Hans Maier", "last name sounds alike (Kölner Phonetik 67, 1 edit)"),
            ("Hans Maier", "Hans Mayer", "last name sounds alike (Kölner Phonetik 67, 1 edit)"),
            ("Eva Schneider", "Eva Schnieder", "last name sounds alike (Kölner Phonetik 8627, 1 edit)"),
            ("Karl Straße", "Karl Strasse", "names equal after folding"),
        };
        foreach (var (a, b, explanation) in expected)
        {
            var pair = await Eventually.ReturnsAsync(() => PairAsync(client, "person", people[a], people[b]), p => p is not null, $"the scan pairs {a} and {b}");
            Assert.Equal(50, pair!.Value.GetProperty("score").GetInt32());
            Assert.Contains(explanation, NameReason(pair.Value.GetProperty("reasons")).Str("explanation"));
        }
        // Two edits apart (40 points), another sound, or another first name: no pair on the name alone.
        Assert.Null(await PairAsync(client, "person", people["Hans Meier"], people["Hans Mayer"]));
        Assert.Null(await PairAsync(client, "person", people["Eva Schneider"], people["Eva Schmidt"]));
        Assert.Null(await PairAsync(client, "person", people["Jürgen Müller"], people["Anna Müller"]));
        Assert.Equal(expected.Length, (await client.GetJsonAsync("/api/v1/duplicates?kind=person&limit=200")).Items().Count);
    }

    [Fact]
    public async Task An_import_sets_aside_rows_that_are_German_spellings_of_existing_people_with_the_explanation()
    {
        var client = await NewTenantClientAsync();
        var (phone1, phone2, phone3) = (NewPhone(), NewPhone(), NewPhone());
        var jurgen = (await client.PostJsonAsync("/api/v1/people", German("Jürgen", "Müller", phone1)).CreatedAsync()).Id();
        var maier = (await client.PostJsonAsync("/api/v1/people", German("Hans", "Maier", phone2)).CreatedAsync()).Id();
        await client.PostJsonAsync("/api/v1/people", German("Eva", "Schmidt", phone3)).CreatedAsync();
        var id = (await client.UploadCsvAsync($"""
            firstName,lastName,email,phone
            Juergen,Mueller,{NewEmail()},{phone1}
            Hans,Meier,{NewEmail()},{phone2}
            Eva,Schneider,{NewEmail()},{phone3}
            Grete,Schnieder,{NewEmail()},
            """)).Body.Id();

        var run = await client.RunAsync(id);
        Assert.Equal((2, 2), (run.Total("created"), run.Total("duplicates")));
        var report = await (await client.GetAsync($"/api/v1/imports/{id}/duplicates")).Content.ReadAsStringAsync();
        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,", lines[1]);
        Assert.Contains($"Likely the existing person '{jurgen}' (score 100)", lines[1]);
        Assert.Contains("names equal after folding: Juergen Mueller = Jürgen Müller (juergen mueller)", lines[1]);
        Assert.StartsWith("2,", lines[2]);
        Assert.Contains($"'{maier}' (score 100)", lines[2]);
        Assert.Contains("last name sounds alike (Kölner Phonetik 67, 1 edit): Meier ~ Maier", lines[2]);
        // Schneider shares Schmidt's phone only; Schnieder shares nothing but a sound with nobody here: both created.
        Assert.Single((await client.GetJsonAsync("/api/v1/people?filter[lastName]=Schneider")).Items());
        Assert.Single((await client.GetJsonAsync("/api/v1/people?filter[lastName]=Schnieder")).Items());
    }

    [Fact]
    public async Task An_import_sets_aside_a_name_that_sounds_like_someone_in_the_same_organization_and_lets_in_the_same_name_elsewhere()
    {
        var client = await NewTenantClientAsync();
        var acme = (await client.PostJsonAsync("/api/v1/organizations", new { name = "Acme Maschinenbau" }).CreatedAsync()).Id();
        var other = (await client.PostJsonAsync("/api/v1/organizations", new { name = "Other Werke" }).CreatedAsync()).Id();
        var klaus = (await client.PostJsonAsync("/api/v1/people", Person("Klaus", "Weber", organizationId: acme)).CreatedAsync()).Id();
        var id = (await client.UploadCsvAsync($"""
            firstName,lastName,email,organizationId
            Claus,Weber,{NewEmail()},{acme}
            Klaus,Weber,{NewEmail()},{other}
            """)).Body.Id();

        var run = await client.RunAsync(id);

        // Only the name and the organization in common: a sound-alike (50) and the organization (40) are a strong
        // match; the same name in another company is 50 at most, worth a review but not setting aside.
        Assert.Equal((1, 1), (run.Total("created"), run.Total("duplicates")));
        var report = await (await client.GetAsync($"/api/v1/imports/{id}/duplicates")).Content.ReadAsStringAsync();
        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("1,", lines[1]);
        Assert.Contains($"Likely the existing person '{klaus}' (score 90)", lines[1]);
        Assert.Contains("first name sounds alike", lines[1]);
        var webers = (await client.GetJsonAsync("/api/v1/people?filter[lastName]=Weber")).Items();
        Assert.Equal(new[] { acme, other }.Order(), webers.Select(p => p.GetProperty("organizationId").GetGuid()).Order());
    }

    private static async Task<List<string>> SearchNamesAsync(HttpClient client, string query)
    {
        var answer = await client.GetJsonAsync($"/api/v1/people/search?q={Uri.EscapeDataString(query)}&limit=50");
        Assert.True(answer.Status == HttpStatusCode.OK, $"{query}: {answer.Body}");
        return [.. answer.Items().Select(p => $"{p.Str("firstName")} {p.Str("lastName")}").Order()];
    }

    [Fact]
    public async Task Search_finds_names_however_they_are_spelt_in_German()
    {
        var client = await NewTenantClientAsync();
        foreach (var (first, last) in new[]
        {
            ("Jürgen", "Müller"), ("Hans", "Meier"), ("Ute", "Maier"), ("Olaf", "Mayer"), ("Eva", "Schneider"), ("Eva", "Schmidt"),
            ("Karl", "Straße"), ("Paul", "Becker"),
        })
        {
            await client.PostJsonAsync("/api/v1/people?allowDuplicates=true", German(first, last)).CreatedAsync();
        }

        Assert.Equal(["Jürgen Müller"], await SearchNamesAsync(client, "Mueller"));
        Assert.Equal(["Jürgen Müller"], await SearchNamesAsync(client, "Muller"));
        Assert.Equal(["Jürgen Müller"], await SearchNamesAsync(client, "Juergen Muller"));
        Assert.Equal(["Eva Schneider"], await SearchNamesAsync(client, "Schnieder"));
        Assert.Equal(["Hans Meier", "Olaf Mayer", "Ute Maier"], await SearchNamesAsync(client, "Maier"));
        Assert.Equal(["Hans Meier", "Olaf Mayer", "Ute Maier"], await SearchNamesAsync(client, "Mayer"));
        Assert.Equal(["Hans Meier"], await SearchNamesAsync(client, "Hans Maier"));
        Assert.Equal(["Karl Straße"], await SearchNamesAsync(client, "Strasse"));
        Assert.Equal(["Jürgen Müller"], await SearchNamesAsync(client, "Juergen"));
        // Another sound finds nothing of these; the best match comes first.
        Assert.Empty(await SearchNamesAsync(client, "Schulz"));
        var ranked = (await client.GetJsonAsync($"/api/v1/people/search?q=Meier")).Items();
        Assert.Equal("Meier", ranked[0].Str("lastName"));
    }

    private sealed record Folded(string Name, string Fold, string Code);

    [Fact]
    public async Task The_database_folds_and_codes_names_exactly_as_the_matching_component_does()
    {
        var random = new Random(15);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜßẞ  -'.éÉçñłØåœ" + NameFolding.Accented + NameFolding.Separators;
        var names = new List<string>
        {
            "Müller-Lüdenscheidt", "Meier", "Maier", "Mayer", "Schneider", "Schnieder", "Straße", "Strasse", "Jürgen", "Juergen",
            "Wikipedia", "Breschnew", "Xaver", "Celle", "Carl", "Philipp", "Dechsel", "Ærøskøbing", "  O'Neil  ", "",
            NameFolding.Accented, NameFolding.Separators + "x" + NameFolding.Separators,
        };
        names.AddRange(Enumerable.Range(0, 2000).Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 16)).Select(_ => alphabet[random.Next(alphabet.Length)])])));

        var rows = await PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.SqlQueryRaw<Folded>(
            "SELECT n AS name, crm_fold_name(n) AS fold, crm_koelner(n) AS code FROM unnest(@names) n",
            new NpgsqlParameter("names", names.ToArray())).ToListAsync());

        Assert.Equal(names.Count, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal((row.Name, NameFolding.Fold(row.Name), KoelnerPhonetik.Encode(row.Name)), (row.Name, row.Fold, row.Code));
        }
    }

    [Fact]
    public async Task Name_search_and_name_blocking_are_index_lookups_over_thousands_of_people()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync();
        var client = Platform.ClientFor(Platform.Contacts, token);
        var seed = (await client.PostJsonAsync("/api/v1/people", German("Jürgen", "Müller")).CreatedAsync()).Id();
        var plans = await PlatformServices.QueryAsync(Platform.Contacts, async db =>
        {
            // 5,000 copies of the seed with other names.
            await PeopleCopies.InsertAsync(db, seed, 5000, new Dictionary<string, string>
            {
                // Made-up surnames of many sounds, as a real tenant's are: a sound is a small part of them.
                ["last_name"] = "initcap(translate(substr(md5(i::text), 1, 8), '0123456789', 'klmnprstuw'))",
                ["first_name"] = "(ARRAY['Jürgen','Anna','Hans','Eva','Karl'])[1 + i % 5]",
            });
            // The predicates German matching adds, as EF Core renders them: search's name keys and the rules' name blocking.
            var keysSql = $"SELECT id FROM people WHERE tenant_id = '{tenant}' AND name_keys @@ to_tsquery('simple', '{NameSearchKeys.Query(["muller"], ["mueller"])}')";
            var blockingSql = $"SELECT id FROM people WHERE tenant_id = '{tenant}' AND name_sound = crm_name_sound('Juergen', 'Mueller') LIMIT 50";
            return (Keys: await PeopleCopies.ExplainAsync(db, keysSql), Blocking: await PeopleCopies.ExplainAsync(db, blockingSql));
        });
        Assert.True(plans.Keys.Contains("ix_people_name_keys") && !plans.Keys.Contains("Seq Scan"), plans.Keys);
        Assert.True(plans.Blocking.Contains("ix_people_tenant_id_name_sound") && !plans.Blocking.Contains("Seq Scan"), plans.Blocking);
        Assert.Contains("Jürgen Müller", await SearchNamesAsync(client, "Muller"));
    }
}
