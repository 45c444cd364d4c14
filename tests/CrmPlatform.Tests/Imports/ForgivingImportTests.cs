using System.Net;
using System.Text;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Imports;

/// <summary>
/// Files as customers have them, through the import API: a German Excel export (Windows-1252, <c>;</c>, German
/// headers, umlauts) and an English one (UTF-8 with a byte order mark); the detected encoding and delimiter, the
/// guessed mapping, the preview, the dry run accepting partial addresses with what it assumed counted, and the people
/// stored with correct umlauts and their assumed country and incomplete addresses marked.
/// </summary>
public sealed class ForgivingImportTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    private const string SettingsUrl = "/api/v1/contact-settings";

    /// <summary>A tenant of its own: its default country is the test's alone.</summary>
    private async Task<HttpClient> NewTenantClientAsync() => Platform.ClientFor(Platform.Contacts, (await Platform.Identity.NewTenantAsync()).Token);

    private static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}@example.de";

    private static async Task SetDefaultCountryAsync(HttpClient client, string? country)
    {
        var current = await client.GetJsonAsync(SettingsUrl);
        var put = await client.PutJsonAsync(SettingsUrl, new { defaultCountry = country, defaultLocale = "de-DE" }, current.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, put.Status);
    }

    private static Dictionary<string, string> Mapping(JsonElement job) =>
        job.GetProperty("mapping").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task A_German_Excel_export_in_Windows_1252_with_semicolons_is_read_mapped_previewed_and_imported_with_its_assumptions()
    {
        var client = await NewTenantClientAsync();
        await SetDefaultCountryAsync(client, "DE");
        var (juergen, baerbel, oezguer) = (NewEmail("juergen"), NewEmail("baerbel"), NewEmail("oezguer"));
        var söhne = await client.PostJsonAsync("/api/v1/organizations", new { name = "Müller & Söhne GmbH" }).CreatedAsync();
        // What Excel writes in Germany for "CSV (Trennzeichen-getrennt)": Windows-1252, semicolons, CRLF, quotes where needed.
        var file = Windows1252.GetBytes(string.Join("\r\n",
            "Anrede;Vorname;Nachname;E-Mail;Firma;Straße;Hausnummer;PLZ;Ort;Telefon",
            $"Herr;Jürgen;Müller;{juergen};Müller & Söhne GmbH;Königstraße;12;50667;Köln;0221 1234567",
            $"Frau;Bärbel;Groß;{baerbel};;;;;München;",
            $"Herr;Özgür;Weiß;{oezguer};\"Weiß; Partner\";;;80331;München;+49 89 1234567",
            ""));
        Assert.Contains((byte)0xFC, file); // ü as one byte: not UTF-8

        var upload = await client.UploadAsync("fileName=Kontakte.csv", file, "text/csv");
        Assert.Equal(HttpStatusCode.Created, upload.Status);
        var job = upload.Body;
        Assert.Equal(("windows-1252", ";"), (job.Str("encoding"), job.Str("delimiter")));
        Assert.Equal(["Anrede", "Vorname", "Nachname", "E-Mail", "Firma", "Straße", "Hausnummer", "PLZ", "Ort", "Telefon"], Strings(job.GetProperty("columns")));
        Assert.Equal(new Dictionary<string, string>
        {
            ["Vorname"] = "firstName", ["Nachname"] = "lastName", ["E-Mail"] = "email", ["Firma"] = "organizationName", ["Straße"] = "street",
            ["Hausnummer"] = "houseNumber", ["PLZ"] = "postalCode", ["Ort"] = "city", ["Telefon"] = "phone",
        }, Mapping(job));

        var preview = await client.GetJsonAsync($"/api/v1/imports/{job.Id()}/preview");
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal(("windows-1252", ";", "DE"), (preview.Body.Str("encoding"), preview.Body.Str("delimiter"), preview.Body.Str("defaultCountry")));
        var rows = preview.Body.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Empty(row.GetProperty("problems").EnumerateArray()));
        Assert.Equal("Weiß; Partner", rows[2].GetProperty("values").Str("Firma"));
        var first = rows[0].GetProperty("person");
        Assert.Equal(("Jürgen", "Müller"), (first.Str("firstName"), first.Str("lastName")));
        var address = first.GetProperty("addresses")[0];
        Assert.Equal(("Königstraße 12", "50667", "Köln", "DE"), (address.Str("street"), address.Str("postalCode"), address.Str("city"), address.Str("country")));
        Assert.Equal(["country"], Strings(address.GetProperty("assumed")));
        Assert.False(address.GetProperty("incomplete").GetBoolean());
        var phone = first.GetProperty("phones")[0];
        Assert.Equal(("+492211234567", "DE"), (phone.Str("number"), phone.Str("assumedCountry")));
        var cityOnly = rows[1].GetProperty("person").GetProperty("addresses")[0];
        Assert.True(cityOnly.GetProperty("incomplete").GetBoolean());
        Assert.Equal(["street", "postalCode"], Strings(cityOnly.GetProperty("missing")));
        // Written with its country code: nothing assumed about the number.
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("person").GetProperty("phones")[0].GetProperty("assumedCountry").ValueKind);
        Assert.Null(await client.PersonByEmailAsync(juergen));

        var dry = await client.RunAsync(job.Id(), "dry-run");
        Assert.Equal((3, 3, 0), (dry.Total("rows"), dry.Total("created"), dry.Total("rejected")));
        var assumptions = dry.GetProperty("assumptions");
        Assert.Equal(("DE", 3, 1, 2), (assumptions.Str("defaultCountry"), assumptions.GetProperty("addressCountries").GetInt32(),
            assumptions.GetProperty("phoneCountries").GetInt32(), assumptions.GetProperty("incompleteAddresses").GetInt32()));
        Assert.Null(await client.PersonByEmailAsync(juergen));

        var run = await client.RunAsync(job.Id());
        Assert.Equal((3, 0), (run.Total("created"), run.Total("rejected")));
        Assert.Equal(3, run.GetProperty("assumptions").GetProperty("addressCountries").GetInt32());

        var stored = (await client.GetJsonAsync($"/api/v1/people/{(await client.PersonByEmailAsync(juergen))!.Value.Id()}")).Body;
        Assert.Equal(("Jürgen", "Müller", "+492211234567"), (stored.Str("firstName"), stored.Str("lastName"), stored.Str("phone")));
        Assert.Equal("DE", stored.GetProperty("phones")[0].Str("assumedCountry"));
        var storedAddress = stored.GetProperty("addresses")[0];
        Assert.Equal(("Königstraße 12", "Köln", "DE"), (storedAddress.Str("street"), storedAddress.Str("city"), storedAddress.Str("country")));
        Assert.Equal(["country"], Strings(storedAddress.GetProperty("assumed")));
        var groß = (await client.PersonByEmailAsync(baerbel))!.Value;
        Assert.Equal(("Bärbel", "Groß"), (groß.Str("firstName"), groß.Str("lastName")));
        Assert.True(groß.GetProperty("addresses")[0].GetProperty("incomplete").GetBoolean());
        var weiß = (await client.PersonByEmailAsync(oezguer))!.Value;
        Assert.Equal(("Özgür", "Weiß", "80331", "München"), (weiß.Str("firstName"), weiß.Str("lastName"),
            weiß.GetProperty("addresses")[0].Str("postalCode"), weiß.GetProperty("addresses")[0].Str("city")));
        // Firma: the organization of that name (any case), or a new one named as the file wrote it.
        Assert.Equal(söhne.Id(), stored.GetProperty("organizationId").GetGuid());
        Assert.Equal(JsonValueKind.Null, groß.GetProperty("organizationId").ValueKind);
        var partner = (await client.GetJsonAsync($"/api/v1/organizations/{weiß.GetProperty("organizationId").GetGuid()}")).Body;
        Assert.Equal("Weiß; Partner", partner.Str("name"));
        Assert.Single((await client.GetJsonAsync("/api/v1/organizations")).Body.GetProperty("items").EnumerateArray(), o => o.Str("name") == "Weiß; Partner");
    }

    [Fact]
    public async Task Rows_of_the_same_file_are_scored_against_each_other_and_likely_duplicates_are_reported_with_their_reasons()
    {
        var client = await NewTenantClientAsync();
        await SetDefaultCountryAsync(client, "DE");
        var domain = $"{Guid.NewGuid():N}.de";
        var anna = NewEmail("anna");
        var file = Windows1252.GetBytes(string.Join("\r\n",
            "Vorname;Nachname;E-Mail;Telefon",
            $"Jürgen;Müller;jm@{domain};0221 1234567",
            $"Juergen;Mueller;j.mueller@{domain};+49 221 1234567",
            $"Anna;Schneider;{anna};",
            $"Anna;Schnieder;{anna.Replace("@", "+news@")};",
            $"Karl;Meier;{NewEmail("karl")};",
            $"Karl;Maier;{NewEmail("maier")};",
            ""));
        var id = (await client.UploadAsync("fileName=Messe.csv", file, "text/csv")).Body.Id();

        var dry = await client.RunAsync(id, "dry-run");
        Assert.Equal((4, 2), (dry.Total("created"), dry.Total("duplicates")));
        var report = await (await client.GetAsync($"/api/v1/imports/{id}/duplicates")).Content.ReadAsStringAsync();
        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(["2", "4"], lines.Select(l => l.Split(',')[0]));
        // Each with the row it repeats and why: folded names and one phone; one address key and a Kölner code a swap apart.
        Assert.Contains("same person as row 1", lines[0]);
        Assert.Contains("names equal after folding", lines[0]);
        Assert.Contains("+492211234567", lines[0]);
        Assert.Contains("same person as row 3", lines[1]);
        Assert.Contains("Kölner Phonetik", lines[1]);
        Assert.Contains("1 edit", lines[1]);

        var run = await client.RunAsync(id);
        Assert.Equal((4, 2), (run.Total("created"), run.Total("duplicates")));
        Assert.Null(await client.PersonByEmailAsync($"j.mueller@{domain}"));
        Assert.NotNull(await client.PersonByEmailAsync($"jm@{domain}"));
        Assert.NotNull(await client.PersonByEmailAsync(anna));
    }

    [Fact]
    public async Task An_English_export_in_UTF_8_with_a_byte_order_mark_is_accepted_without_a_country_and_takes_the_imports_default_when_given()
    {
        var client = await NewTenantClientAsync();
        var (chloe, sam) = (NewEmail("chloe"), NewEmail("sam"));
        var file = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(string.Join("\r\n",
            "First,Last,Mail,City,Tags",
            $"Chloë,Brontë,{chloe},Haworth,\"vip, newsletter\"",
            $"Sam,Smith,{sam},London,",
            ""))).ToArray();

        var upload = await client.UploadAsync("fileName=contacts.csv", file, "text/csv");
        Assert.Equal(HttpStatusCode.Created, upload.Status);
        var job = upload.Body;
        Assert.Equal(("utf-8-bom", ","), (job.Str("encoding"), job.Str("delimiter")));
        Assert.Equal(["First", "Last", "Mail", "City", "Tags"], Strings(job.GetProperty("columns")));
        Assert.Equal(new Dictionary<string, string>
        {
            ["First"] = "firstName", ["Last"] = "lastName", ["Mail"] = "email", ["City"] = "city", ["Tags"] = "tags",
        }, Mapping(job));

        // The tenant has no default country: a city without one is kept, marked incomplete, nothing assumed.
        var dry = await client.RunAsync(job.Id(), "dry-run");
        Assert.Equal((2, 2, 0), (dry.Total("rows"), dry.Total("created"), dry.Total("rejected")));
        var assumptions = dry.GetProperty("assumptions");
        Assert.Equal((JsonValueKind.Null, 0, 2), (assumptions.GetProperty("defaultCountry").ValueKind,
            assumptions.GetProperty("addressCountries").GetInt32(), assumptions.GetProperty("incompleteAddresses").GetInt32()));
        var preview = (await client.GetJsonAsync($"/api/v1/imports/{job.Id()}/preview?rows=1")).Body;
        var address = Assert.Single(preview.GetProperty("rows").EnumerateArray()).GetProperty("person").GetProperty("addresses")[0];
        Assert.Equal(JsonValueKind.Null, address.GetProperty("country").ValueKind);
        Assert.Equal(["street", "postalCode", "country"], Strings(address.GetProperty("missing")));

        // The import names its own default country (this list is British); the run applies it and says so.
        var settings = await client.PutJsonAsync($"/api/v1/imports/{job.Id()}/mapping", new { defaultCountry = "gb" }, null);
        Assert.Equal(HttpStatusCode.OK, settings.Status);
        Assert.Equal("GB", settings.Body.Str("defaultCountry"));
        var run = await client.RunAsync(job.Id());
        Assert.Equal((2, 0), (run.Total("created"), run.Total("rejected")));
        Assert.Equal(("GB", 2, 2), (run.GetProperty("assumptions").Str("defaultCountry"),
            run.GetProperty("assumptions").GetProperty("addressCountries").GetInt32(), run.GetProperty("assumptions").GetProperty("incompleteAddresses").GetInt32()));

        var person = (await client.PersonByEmailAsync(chloe))!.Value;
        Assert.Equal(("Chloë", "Brontë"), (person.Str("firstName"), person.Str("lastName")));
        Assert.Equal(["newsletter", "vip"], Strings(person.GetProperty("tags")));
        var stored = person.GetProperty("addresses")[0];
        Assert.Equal(("Haworth", "GB"), (stored.Str("city"), stored.Str("country")));
        Assert.Equal(["country"], Strings(stored.GetProperty("assumed")));
        Assert.Equal(["street", "postalCode"], Strings(stored.GetProperty("missing")));
    }

    [Fact]
    public async Task Headers_are_guessed_from_German_and_English_names_in_any_case_and_punctuation()
    {
        var client = await NewTenantClientAsync();
        // No person field holds a salutation: a custom field labelled like the column takes it.
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/custom-fields",
            new { entity = "person", key = "salutation", label = "Anrede", type = "text" })).Status);
        var email = NewEmail("anna");
        var german = (await client.UploadCsvAsync(
            $"Anrede;VORNAME;name;e_mail;Str.;PLZ;Stadt;Land;Mobil;Position;Titel\nFrau;Anna;Schäfer;{email};Hauptstr. 5;10115;Berlin;Deutschland;0171 1234567;Einkauf;Dr.\n",
            "fileName=liste.csv")).Body;
        // Name beside Vorname is the last name, as German lists write it; Titel (Dr.) has no field of either kind here.
        Assert.Equal(new Dictionary<string, string>
        {
            ["Anrede"] = "custom.salutation", ["VORNAME"] = "firstName", ["name"] = "lastName", ["e_mail"] = "email", ["Str."] = "street",
            ["PLZ"] = "postalCode", ["Stadt"] = "city", ["Land"] = "country", ["Mobil"] = "mobile", ["Position"] = "jobTitle",
        }, Mapping(german));
        var row = (await client.GetJsonAsync($"/api/v1/imports/{german.Id()}/preview")).Body.GetProperty("rows")[0];
        Assert.Empty(row.GetProperty("problems").EnumerateArray());
        var person = row.GetProperty("person");
        Assert.Equal(("Frau", "Einkauf"), (person.GetProperty("customFields").Str("salutation"), person.Str("jobTitle")));
        var address = person.GetProperty("addresses")[0];
        // "Deutschland" is a country the file gives, not an assumption; the mobile number is read in it.
        Assert.Equal(("DE", 0), (address.Str("country"), address.GetProperty("assumed").GetArrayLength()));
        var mobile = person.GetProperty("phones")[0];
        Assert.Equal(("+491711234567", "mobile", JsonValueKind.Null), (mobile.Str("number"), mobile.Str("type"), mobile.GetProperty("assumedCountry").ValueKind));

        var full = (await client.UploadCsvAsync($"Full Name,Email Address,Zip Code,Town\n\"Müller, Jürgen\",{NewEmail("j")},50667,Köln\nAnna Maria Schmidt,{NewEmail("a")},,Bonn\n",
            "fileName=names.csv")).Body;
        Assert.Equal(new Dictionary<string, string>
        {
            ["Full Name"] = "fullName", ["Email Address"] = "email", ["Zip Code"] = "postalCode", ["Town"] = "city",
        }, Mapping(full));
        var people = (await client.GetJsonAsync($"/api/v1/imports/{full.Id()}/preview")).Body.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("person")).ToList();
        Assert.Equal(("Jürgen", "Müller"), (people[0].Str("firstName"), people[0].Str("lastName")));
        Assert.Equal(("Anna Maria", "Schmidt"), (people[1].Str("firstName"), people[1].Str("lastName")));
        (await client.GetJsonAsync($"/api/v1/imports/{full.Id()}/preview?rows=0")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_people_API_keeps_partial_addresses_and_applies_the_tenants_default_country_as_an_assumption()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var client = Platform.ClientFor(Platform.Contacts, token);

        // Unset: no assumption. A city alone is kept, without a country, and says what it lacks.
        var settings = await client.GetJsonAsync(SettingsUrl);
        Assert.Equal((HttpStatusCode.OK, 0, JsonValueKind.Null), (settings.Status, settings.Body.GetProperty("version").GetInt32(),
            settings.Body.GetProperty("defaultCountry").ValueKind));
        var berlin = await client.PostJsonAsync("/api/v1/people", new { firstName = "Ada", lastName = "Partial", email = NewEmail("ada"), addresses = new[] { new { city = "Berlin" } } });
        Assert.Equal(HttpStatusCode.Created, berlin.Status);
        var address = berlin.Body.GetProperty("addresses")[0];
        Assert.Equal((JsonValueKind.Null, true, 0), (address.GetProperty("country").ValueKind, address.GetProperty("incomplete").GetBoolean(),
            address.GetProperty("assumed").GetArrayLength()));
        Assert.Equal(["street", "postalCode", "country"], Strings(address.GetProperty("missing")));
        // A national number still needs a country to be read in.
        var noRegion = await client.PostJsonAsync("/api/v1/people", new { firstName = "Ada", lastName = "Phone", email = NewEmail("p"), phone = "030 1234567" });
        noRegion.AssertProblem(HttpStatusCode.BadRequest);

        (await client.PutJsonAsync(SettingsUrl, new { defaultCountry = "Germany" }, settings.Body.ETag())).AssertProblem(HttpStatusCode.BadRequest);
        (await client.PutJsonAsync(SettingsUrl, new { defaultCountry = "DE" }, "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var put = await client.PutJsonAsync(SettingsUrl, new { defaultCountry = "de", defaultLocale = "DE-de" }, settings.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(("DE", "de-DE", 1), (put.Body.Str("defaultCountry"), put.Body.Str("defaultLocale"), put.Body.GetProperty("version").GetInt32()));
        // Everyone reads it; only admins change it.
        var rep = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(tenantId, Roles.SalesRep));
        Assert.Equal("DE", (await rep.GetJsonAsync(SettingsUrl)).Body.Str("defaultCountry"));
        (await rep.PutJsonAsync(SettingsUrl, new { defaultCountry = "FR" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);

        var assumed = await client.PostJsonAsync("/api/v1/people", new
        {
            firstName = "Ada", lastName = "Assumed", email = NewEmail("assumed"), phone = "030 1234567",
            addresses = new[] { new { postalCode = "10117", city = "Berlin" } },
        });
        Assert.Equal(HttpStatusCode.Created, assumed.Status);
        address = assumed.Body.GetProperty("addresses")[0];
        Assert.Equal(("DE", true), (address.Str("country"), address.GetProperty("incomplete").GetBoolean()));
        Assert.Equal(["country"], Strings(address.GetProperty("assumed")));
        Assert.Equal(["street"], Strings(address.GetProperty("missing")));
        Assert.Equal(("+49301234567", "DE"), (assumed.Body.Str("phone"), assumed.Body.GetProperty("phones")[0].Str("assumedCountry")));
        var fetched = (await client.GetJsonAsync($"/api/v1/people/{assumed.Body.Id()}")).Body;
        Assert.Equal(["country"], Strings(fetched.GetProperty("addresses")[0].GetProperty("assumed")));

        // A country the client gives is not an assumption, nor is a number written with its country code.
        var explicitCountry = await client.PostJsonAsync("/api/v1/people", new
        {
            firstName = "Ada", lastName = "Explicit", email = NewEmail("explicit"), phone = "+33 1 23 45 67 89",
            addresses = new[] { new { street = "1 Rue de Rivoli", postalCode = "75001", city = "Paris", country = "FR" } },
        });
        Assert.Equal(HttpStatusCode.Created, explicitCountry.Status);
        address = explicitCountry.Body.GetProperty("addresses")[0];
        Assert.Equal(("FR", false, 0), (address.Str("country"), address.GetProperty("incomplete").GetBoolean(), address.GetProperty("assumed").GetArrayLength()));
        Assert.Equal(JsonValueKind.Null, explicitCountry.Body.GetProperty("phones")[0].GetProperty("assumedCountry").ValueKind);
    }
}
