using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>A person's emails, phones, addresses, language, communication preferences, tags and owner.</summary>
public sealed class PersonContactDetailsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    /// <summary>These tests are about contact details, not duplicates: the same names and numbers recur on purpose.</summary>
    private const string PeopleUrl = "/api/v1/people?allowDuplicates=true";

    private static string NewAddress(string name = "person") => $"{name}.{Guid.NewGuid():N}@example.com";

    private static object Person(object? emails = null, object? phones = null, object? addresses = null, string? phoneRegion = null,
        string? language = null, object? communicationPreferences = null, string[]? tags = null, string? ownerId = null,
        string? email = null, string firstName = "Ada", string lastName = "Lovelace") => new
    {
        firstName,
        lastName,
        email,
        emails = emails ?? (email is null ? new[] { new { address = NewAddress(), type = "work", primary = true } } : null),
        phones,
        phoneRegion,
        addresses,
        language,
        communicationPreferences,
        tags,
        ownerId,
    };

    private static void AssertFieldError(ApiAnswer answer, string field)
    {
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _),
            $"errors name {field}: {answer.Body.GetProperty("errors")}");
    }

    [Fact]
    public async Task Emails_are_trimmed_and_lower_cased_and_the_primary_comes_first_and_is_the_email_field()
    {
        var work = NewAddress("Work").ToUpperInvariant();
        var home = NewAddress("home");
        var created = await _client.PostJsonAsync(PeopleUrl, Person(emails: new object[]
        {
            new { address = $"  {home} ", type = "home" },
            new { address = work, type = "work", primary = true },
        }));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var emails = created.Body.GetProperty("emails").EnumerateArray().ToList();
        Assert.Equal([work.ToLowerInvariant(), home], emails.Select(e => e.Str("address")));
        Assert.Equal(["work", "home"], emails.Select(e => e.Str("type")));
        Assert.Equal([true, false], emails.Select(e => e.GetProperty("primary").GetBoolean()));
        Assert.Equal(work.ToLowerInvariant(), created.Body.Str("email"));

        var read = await _client.GetJsonAsync($"/api/v1/people/{created.Body.Id()}");
        Assert.Equal(created.Body.GetProperty("emails").ToString(), read.Body.GetProperty("emails").ToString());
    }

    [Fact]
    public async Task The_single_email_field_still_works_and_becomes_the_only_primary_address()
    {
        var address = NewAddress();
        var created = await _client.PostJsonAsync(PeopleUrl, Person(email: $" {address.ToUpperInvariant()} "));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var only = Assert.Single(created.Body.GetProperty("emails").EnumerateArray());
        Assert.Equal(address, only.Str("address"));
        Assert.True(only.GetProperty("primary").GetBoolean());

        var disagreeing = await _client.PostJsonAsync(PeopleUrl,
            Person(email: NewAddress(), emails: new[] { new { address = NewAddress(), type = "work", primary = true } }));
        AssertFieldError(disagreeing, "email");
        var agreeing = await _client.PostJsonAsync(PeopleUrl,
            Person(email: "  Same." + address, emails: new[] { new { address = "same." + address, type = "work", primary = true } }));
        Assert.Equal(HttpStatusCode.Created, agreeing.Status);
    }

    [Fact]
    public async Task Phones_are_normalized_to_e164_reading_national_numbers_in_the_phone_region_or_the_first_addresses_country()
    {
        var withRegion = await _client.PostJsonAsync(PeopleUrl, Person(phoneRegion: "de", phones: new object[]
        {
            new { number = "030 12345678", type = "work", primary = true },
            new { number = "+1 (650) 253-0000", type = "mobile" },
        }));
        Assert.Equal(HttpStatusCode.Created, withRegion.Status);
        Assert.Equal(["+493012345678", "+16502530000"], withRegion.Body.GetProperty("phones").EnumerateArray().Select(p => p.Str("number")));
        Assert.Equal("+493012345678", withRegion.Body.Str("phone"));

        var fromAddress = await _client.PostJsonAsync(PeopleUrl, Person(
            addresses: new[] { new { type = "home", street = "10 Downing Street", city = "London", postalCode = "SW1A 2AA", country = "GB" } },
            phones: new[] { new { number = "020 7946 0000", type = "home" } }));
        Assert.Equal(HttpStatusCode.Created, fromAddress.Status);
        Assert.Equal("+442079460000", fromAddress.Body.Str("phone"));

        var shorthand = await _client.PostJsonAsync(PeopleUrl, new { firstName = "A", lastName = "B", email = NewAddress(), phone = "+44 20 7946 0000" });
        Assert.Equal("+442079460000", shorthand.Body.Str("phone"));
        Assert.Equal("+442079460000", Assert.Single(shorthand.Body.GetProperty("phones").EnumerateArray()).Str("number"));
    }

    [Fact]
    public async Task An_invalid_phone_answers_400_naming_the_entry_and_stores_nothing()
    {
        var address = NewAddress();
        var invalid = await _client.PostJsonAsync(PeopleUrl, Person(
            emails: new[] { new { address, type = "work", primary = true } },
            phones: new object[] { new { number = "+44 20 7946 0000", primary = true }, new { number = "12" } }));
        AssertFieldError(invalid, "phones[1].number");

        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(phones: new[] { new { number = "030 12345678" } })), "phones[0].number");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, new { firstName = "A", lastName = "B", email = NewAddress(), phone = "not a number" }), "phone");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(phoneRegion: "XX", phones: new[] { new { number = "030 12345678" } })), "phoneRegion");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(phones: new[] { new { number = "+4930123456", type = "fax" } })), "phones[0].type");

        Assert.False(await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.AnyAsync(p => p.NormalizedEmail == address)));
    }

    [Fact]
    public async Task With_several_entries_exactly_one_is_primary()
    {
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(emails: new object[]
        {
            new { address = NewAddress(), type = "work" }, new { address = NewAddress(), type = "home" },
        })), "emails");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(emails: new object[]
        {
            new { address = NewAddress(), primary = true }, new { address = NewAddress(), primary = true },
        })), "emails");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(phones: new object[]
        {
            new { number = "+4930123456" }, new { number = "+4930123457" },
        })), "phones");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(emails: Array.Empty<object>())), "emails");
        var twice = NewAddress();
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(emails: new object[]
        {
            new { address = twice, primary = true }, new { address = twice.ToUpperInvariant() },
        })), "emails[1].address");

        // A single entry is the primary whatever it says.
        var single = await _client.PostJsonAsync(PeopleUrl, Person(phones: new[] { new { number = "+4930123456", primary = false } }));
        Assert.Equal(HttpStatusCode.Created, single.Status);
        Assert.True(Assert.Single(single.Body.GetProperty("phones").EnumerateArray()).GetProperty("primary").GetBoolean());
        Assert.Equal("+4930123456", single.Body.Str("phone"));
    }

    [Fact]
    public async Task An_address_another_person_has_as_a_secondary_email_answers_409_naming_them()
    {
        var primary = NewAddress();
        var secondary = NewAddress();
        var owner = await _client.PostJsonAsync(PeopleUrl, Person(firstName: "Mary", lastName: "Jackson",
            emails: new object[] { new { address = primary, primary = true }, new { address = secondary, type = "home" } }));
        Assert.Equal(HttpStatusCode.Created, owner.Status);

        var asPrimary = await _client.PostJsonAsync(PeopleUrl, Person(email: secondary.ToUpperInvariant()));
        asPrimary.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(owner.Body.Id(), asPrimary.Body.GetProperty("existingPerson").GetProperty("id").GetGuid());
        Assert.Contains("Mary Jackson", asPrimary.Body.Str("detail"));
        Assert.Equal(secondary, asPrimary.Body.Str("email"));

        var asSecondary = await _client.PostJsonAsync(PeopleUrl, Person(
            emails: new object[] { new { address = NewAddress(), primary = true }, new { address = secondary } }));
        asSecondary.AssertProblem(HttpStatusCode.Conflict);

        var other = (await _client.PostJsonAsync(PeopleUrl, Person())).Body;
        var update = await _client.PutJsonAsync($"/api/v1/people/{other.Id()}", Person(
            emails: new object[] { new { address = other.Str("email"), primary = true }, new { address = secondary } }), other.ETag());
        update.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.PersonEmails.CountAsync(e => e.Address == secondary)));

        // Giving up an address frees it.
        var freed = await _client.PutJsonAsync($"/api/v1/people/{owner.Body.Id()}", Person(emails: new[] { new { address = primary } }), owner.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, freed.Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(PeopleUrl, Person(email: secondary))).Status);
    }

    [Fact]
    public async Task Of_concurrent_creates_with_the_same_secondary_address_one_wins()
    {
        var shared = NewAddress();
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _client.PostJsonAsync(PeopleUrl,
            Person(emails: new object[] { new { address = NewAddress(), primary = true }, new { address = shared } }))));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => a.AssertProblem(HttpStatusCode.Conflict));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.PersonEmails.CountAsync(e => e.Address == shared)));
    }

    [Fact]
    public async Task The_email_filter_matches_every_address_of_a_person()
    {
        var secondary = NewAddress();
        var person = (await _client.PostJsonAsync(PeopleUrl, Person(
            emails: new object[] { new { address = NewAddress(), primary = true }, new { address = secondary } }))).Body;

        var found = await _client.GetJsonAsync($"/api/v1/people?filter[email]={Uri.EscapeDataString(secondary.ToUpperInvariant())}");
        Assert.Equal([person.Id()], found.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));

        var byPhone = await _client.PostJsonAsync(PeopleUrl, Person(phones: new object[]
        {
            new { number = "+4930123456", primary = true }, new { number = "+49 30 55512345" },
        }));
        var phoneFound = await _client.GetJsonAsync($"/api/v1/people?filter[phone]={Uri.EscapeDataString("+49 (30) 555 123 45")}");
        Assert.Contains(byPhone.Body.Id(), phoneFound.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));
    }

    [Fact]
    public async Task Addresses_are_typed_and_countries_must_be_iso_alpha2_codes()
    {
        var created = await _client.PostJsonAsync(PeopleUrl, Person(addresses: new object[]
        {
            new { type = "billing", street = " Unter den Linden 1 ", city = "Berlin", postalCode = "10117", region = "Berlin", country = "de" },
            new { city = "Paris", country = "FR" },
        }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var addresses = created.Body.GetProperty("addresses").EnumerateArray().ToList();
        Assert.Equal("billing", addresses[0].Str("type"));
        Assert.Equal("Unter den Linden 1", addresses[0].Str("street"));
        Assert.Equal("DE", addresses[0].Str("country"));
        Assert.Equal("work", addresses[1].Str("type"));
        Assert.Equal(JsonValueKind.Null, addresses[1].GetProperty("street").ValueKind);

        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(addresses: new[] { new { city = "Berlin", country = "Germany" } })), "addresses[0].country");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(addresses: new[] { new { city = "Nowhere", country = "XX" } })), "addresses[0].country");
        // A missing country is no error: the address is kept, marked incomplete (ForgivingImportTests has the details).
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(PeopleUrl, Person(addresses: new[] { new { city = "Berlin", country = (string?)null } }))).Status);
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(addresses: new[] { new { region = "Bavaria", country = "DE" } })), "addresses[0]");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(addresses: new[] { new { type = "holiday", city = "Rome", country = "IT" } })), "addresses[0].type");
    }

    [Fact]
    public async Task Language_is_a_bcp47_tag_in_its_conventional_case()
    {
        var created = await _client.PostJsonAsync(PeopleUrl, Person(language: "ZH-hant-tw"));
        Assert.Equal("zh-Hant-TW", created.Body.Str("language"));
        Assert.Equal("es-419", (await _client.PostJsonAsync(PeopleUrl, Person(language: "es-419"))).Body.Str("language"));
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(language: "English")), "language");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(language: "en_GB")), "language");
    }

    [Fact]
    public async Task Communication_preferences_are_kept_filterable_and_may_not_contradict_themselves()
    {
        var created = await _client.PostJsonAsync(PeopleUrl, Person(
            phones: new[] { new { number = "+4930123456" } },
            communicationPreferences: new { preferredChannel = "sms", doNotEmail = true }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var preferences = created.Body.GetProperty("communicationPreferences");
        Assert.Equal("sms", preferences.Str("preferredChannel"));
        Assert.True(preferences.GetProperty("doNotEmail").GetBoolean());
        Assert.False(preferences.GetProperty("doNotCall").GetBoolean());

        var noEmail = await _client.GetJsonAsync("/api/v1/people?filter[doNotEmail]=true&filter[preferredChannel]=sms&limit=200");
        Assert.Contains(created.Body.Id(), noEmail.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));

        var field = "communicationPreferences.preferredChannel";
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(communicationPreferences: new { preferredChannel = "email", doNotEmail = true })), field);
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(
            phones: new[] { new { number = "+4930123456" } }, communicationPreferences: new { preferredChannel = "phone", doNotCall = true })), field);
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(communicationPreferences: new { preferredChannel = "phone" })), field);
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(communicationPreferences: new { preferredChannel = "mail" })), field);
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(communicationPreferences: new { preferredChannel = "pigeon" })), field);
    }

    [Fact]
    public async Task Tags_are_normalized_deduplicated_sorted_and_filterable()
    {
        var marker = $"Campaign {Guid.NewGuid():N}";
        var created = await _client.PostJsonAsync(PeopleUrl, Person(tags: ["  VIP ", "vip", $"{marker.ToUpperInvariant()}", "Key   Account"]));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal([marker.ToLowerInvariant(), "key account", "vip"], created.Body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var found = await _client.GetJsonAsync($"/api/v1/people?filter[tag]={Uri.EscapeDataString(" " + marker + " ")}");
        Assert.Equal([created.Body.Id()], found.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));

        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(tags: [new string('x', 51)])), "tags[0]");
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(tags: ["ok", " "])), "tags[1]");
    }

    [Fact]
    public async Task The_owner_is_the_creator_unless_given_and_can_be_reassigned()
    {
        var mine = await _client.PostJsonAsync(PeopleUrl, Person());
        Assert.Equal("test-admin", mine.Body.Str("ownerId"));

        var assigned = await _client.PostJsonAsync(PeopleUrl, Person(ownerId: "user-42"));
        Assert.Equal("user-42", assigned.Body.Str("ownerId"));
        var body = Person(emails: new[] { new { address = assigned.Body.Str("email") } });

        // Left out, the owner stays; given, the record moves.
        var kept = await _client.PutJsonAsync($"/api/v1/people/{assigned.Body.Id()}", body, assigned.Body.ETag());
        Assert.Equal("user-42", kept.Body.Str("ownerId"));
        var moved = await _client.PutJsonAsync($"/api/v1/people/{assigned.Body.Id()}",
            Person(emails: new[] { new { address = assigned.Body.Str("email") } }, ownerId: "user-7"), kept.Body.ETag());
        Assert.Equal("user-7", moved.Body.Str("ownerId"));
        Assert.Equal(HttpStatusCode.OK, moved.Status);

        var byOwner = await _client.GetJsonAsync("/api/v1/people?filter[ownerId]=user-7&limit=200");
        Assert.Contains(assigned.Body.Id(), byOwner.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));
        AssertFieldError(await _client.PostJsonAsync(PeopleUrl, Person(ownerId: " ")), "ownerId");

        var audit = await _client.GetJsonAsync($"/api/v1/audit?entityType=person&entityId={assigned.Body.Id()}");
        var reassignment = audit.Body.GetProperty("items").EnumerateArray().Last().GetProperty("changes").GetProperty("ownerId");
        Assert.Equal("user-42", reassignment.Str("from"));
        Assert.Equal("user-7", reassignment.Str("to"));
    }

    [Fact]
    public async Task Rewriting_the_same_details_is_no_change_and_a_changed_list_is_audited_as_json()
    {
        var created = (await _client.PostJsonAsync(PeopleUrl, Person(
            phones: new[] { new { number = "+4930123456" } }, tags: ["b", "a"],
            addresses: new[] { new { city = "Berlin", country = "DE" } }))).Body;
        var same = Person(emails: new[] { new { address = created.Str("email") } }, phones: new[] { new { number = "+49 30 123456" } },
            tags: ["A", "B"], addresses: new[] { new { city = "Berlin", country = "de" } });

        var unchanged = await _client.PutJsonAsync($"/api/v1/people/{created.Id()}", same, created.ETag());
        Assert.Equal(1, unchanged.Body.GetProperty("version").GetInt32());

        var second = NewAddress();
        var changed = await _client.PutJsonAsync($"/api/v1/people/{created.Id()}", Person(
            emails: new object[] { new { address = created.Str("email"), primary = true }, new { address = second, type = "home" } }), created.ETag());
        Assert.Equal(2, changed.Body.GetProperty("version").GetInt32());

        var audit = await _client.GetJsonAsync($"/api/v1/audit?entityType=person&entityId={created.Id()}");
        var entries = audit.Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["created", "updated"], entries.Select(e => e.Str("action")));
        var emails = entries[1].GetProperty("changes").GetProperty("emails");
        Assert.Equal(second, emails.GetProperty("to")[1].Str("address"));
        Assert.Equal("home", emails.GetProperty("to")[1].Str("type"));
        Assert.Equal(1, emails.GetProperty("from").GetArrayLength());
    }

    [Fact]
    public async Task Person_events_carry_the_new_fields()
    {
        var created = (await _client.PostJsonAsync(PeopleUrl, Person(
            emails: new object[] { new { address = NewAddress(), primary = true }, new { address = NewAddress(), type = "home" } },
            phones: new[] { new { number = "+4930123456", type = "mobile" } },
            addresses: new[] { new { city = "Berlin", country = "DE" } },
            language: "de-DE", tags: ["vip"], communicationPreferences: new { doNotCall = true }))).Body;

        var payload = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
            .Where(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{created.Id()}\"}}"))
            .Select(m => m.Payload).SingleAsync());
        var person = JsonDocument.Parse(payload).RootElement.GetProperty("person");

        Assert.Equal(created.Str("email"), person.Str("email"));
        Assert.Equal(2, person.GetProperty("emails").GetArrayLength());
        Assert.Equal("home", person.GetProperty("emails")[1].Str("type"));
        Assert.Equal("+4930123456", person.Str("phone"));
        Assert.Equal("mobile", person.GetProperty("phones")[0].Str("type"));
        Assert.Equal("DE", person.GetProperty("addresses")[0].Str("country"));
        Assert.Equal("de-DE", person.Str("language"));
        Assert.True(person.GetProperty("doNotCall").GetBoolean());
        Assert.Equal("vip", person.GetProperty("tags")[0].GetString());
        Assert.Equal("test-admin", person.Str("ownerId"));
    }

    [Fact]
    public async Task Sales_shows_the_primary_email_after_the_primary_changes()
    {
        var first = NewAddress();
        var second = NewAddress();
        var created = (await _client.PostJsonAsync(PeopleUrl, Person(
            emails: new object[] { new { address = first, primary = true }, new { address = second } }))).Body;
        await _client.PutJsonAsync($"/api/v1/people/{created.Id()}", Person(
            emails: new object[] { new { address = first }, new { address = second, primary = true } }), created.ETag());

        var contact = await Eventually.ReturnsAsync(() => PlatformServices.DirectoryEntryAsync(Platform.Sales, created.Id()),
            c => c?.Version == 2, "Sales holds version 2");
        Assert.Equal(second, contact!.Email);
        Assert.Equal("Ada Lovelace", contact.DisplayName);
    }
}
