using System.Text.Json;
using System.Net;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Tests.Contacts;

public sealed class PeopleApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    [Fact]
    public async Task Create_answers_201_with_location_and_the_person_reads_back_in_camel_case_with_utc_timestamps()
    {
        var created = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: "Grace.Hopper@Example.com"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/people/{id}", created.Response.Headers.Location?.ToString());
        Assert.Equal(1, created.Body.GetProperty("version").GetInt32());
        Assert.EndsWith("Z", created.Body.Str("createdAt"));

        var read = await _client.GetJsonAsync($"/api/v1/people/{id}");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        // Addresses are kept trimmed and lower-cased (they compare that way anyway).
        Assert.Equal("grace.hopper@example.com", read.Body.Str("email"));
        Assert.Equal("Ada", read.Body.Str("firstName"));
        Assert.Equal(created.Body.Str("createdAt"), read.Body.Str("createdAt"));
    }

    [Fact]
    public async Task Invalid_input_answers_400_with_field_errors_and_stores_nothing()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var answer = await _client.PostJsonAsync("/api/v1/people", new { firstName = "", lastName = new string('x', 101), email = "not-an-email" });

        answer.AssertProblem(HttpStatusCode.BadRequest);
        var errors = answer.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("firstName", out _));
        Assert.True(errors.TryGetProperty("lastName", out _));
        Assert.True(errors.TryGetProperty("email", out _));

        var missingEmail = await _client.PostJsonAsync("/api/v1/people", new { firstName = "A", lastName = "B" });
        missingEmail.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(missingEmail.Body.GetProperty("errors").TryGetProperty("email", out _));

        Assert.False(await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.AnyAsync(p => p.FirstName == "" || p.Email == email)));
    }

    /// <summary>The problem speaks the API's words: the field as written and the JSON type it takes, no .NET type or parameter names.</summary>
    [Theory]
    [InlineData("{\"firstName\":", null, "The request body is not valid JSON (line 1, position 14).")]
    [InlineData("{\"firstName\": 12, \"lastName\": \"B\", \"email\": \"a@b.co\"}", "firstName", "firstName must be a string.")]
    [InlineData("{\"firstName\": \"A\", \"lastName\": \"B\", \"email\": \"a@b.co\", \"organizationId\": \"not-a-guid\"}", "organizationId", "organizationId must be a UUID string.")]
    [InlineData("{\"firstName\": \"A\", \"lastName\": \"B\", \"email\": \"a@b.co\", \"addresses\": [{\"city\": true}]}", "addresses[0].city", "addresses[0].city must be a string.")]
    [InlineData("{\"firstName\": \"A\", \"lastName\": \"B\", \"email\": \"a@b.co\", \"tags\": \"vip\"}", "tags", "tags must be an array.")]
    [InlineData("[]", null, "The request body must be an object.")]
    [InlineData("", null, "A JSON request body is required.")]
    public async Task Malformed_json_answers_400_problem_in_the_apis_words(string body, string? field, string detail)
    {
        var answer = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/people", body);

        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(detail, answer.Body.Str("detail"));
        if (field is not null)
        {
            Assert.Equal([detail], answer.Body.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        }
        Assert.DoesNotContain("System.", answer.Body.GetRawText());
        Assert.DoesNotContain("PersonRequest", answer.Body.GetRawText());
    }

    [Fact]
    public async Task Duplicate_email_in_another_case_answers_409_naming_the_existing_person_and_stores_nothing()
    {
        var email = $"{Guid.NewGuid():N}@Example.com";
        var first = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email, firstName: "Katherine", lastName: "Johnson"));
        Assert.Equal(HttpStatusCode.Created, first.Status);

        var second = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email.ToUpperInvariant()));

        second.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(first.Body.Id(), second.Body.GetProperty("existingPerson").GetProperty("id").GetGuid());
        Assert.Contains("Katherine Johnson", second.Body.Str("detail"));
        var stored = await PlatformServices.QueryAsync(Platform.Contacts,
            db => db.People.CountAsync(p => p.NormalizedEmail == email.ToLowerInvariant()));
        Assert.Equal(1, stored);
    }

    [Fact]
    public async Task Changing_email_to_one_taken_by_someone_else_answers_409()
    {
        var taken = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var other = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;

        var answer = await _client.PutJsonAsync($"/api/v1/people/{other.Id()}", Api.NewPerson(email: taken.Str("email")), other.ETag());

        answer.AssertProblem(HttpStatusCode.Conflict);
        var reread = await _client.GetJsonAsync($"/api/v1/people/{other.Id()}");
        Assert.Equal(other.Str("email"), reread.Body.Str("email"));
    }

    [Fact]
    public async Task Unknown_ids_answer_404_problems()
    {
        var id = Guid.CreateVersion7();
        (await _client.GetJsonAsync($"/api/v1/people/{id}")).AssertProblem(HttpStatusCode.NotFound);
        (await _client.PutJsonAsync($"/api/v1/people/{id}", Api.NewPerson(), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await _client.DeleteJsonAsync($"/api/v1/people/{id}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await _client.GetJsonAsync("/api/v1/people/not-a-guid")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_organization_answers_422_and_stores_nothing()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var answer = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email, organizationId: Guid.CreateVersion7()));

        answer.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("organizationId", out _));
        Assert.False(await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.AnyAsync(p => p.NormalizedEmail == email)));
    }

    [Fact]
    public async Task Update_replaces_fields_and_bumps_the_version_and_delete_removes()
    {
        var created = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var id = created.Id();

        var updated = await _client.PutJsonAsync($"/api/v1/people/{id}", Api.NewPerson(email: created.Str("email"), firstName: "Augusta", lastName: "King"), created.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("Augusta", updated.Body.Str("firstName"));
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{id}", updated.Body.ETag())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync($"/api/v1/people/{id}")).Status);
    }

    [Fact]
    public async Task Every_change_queues_its_event_in_the_outbox_with_the_new_version()
    {
        var created = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var id = created.Id();
        await _client.PutJsonAsync($"/api/v1/people/{id}", Api.NewPerson(email: created.Str("email"), firstName: "Changed"), created.ETag());
        await _client.DeleteJsonAsync($"/api/v1/people/{id}", "\"2\"");

        var events = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
            .Where(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{id}\"}}"))
            .OrderBy(m => m.Sequence)
            .Select(m => new { m.EventType, m.Payload })
            .ToListAsync());

        Assert.Equal(
            ["PersonCreated", "PersonUpdated", "PersonDeleted"],
            events.Select(e => e.EventType.Split('.')[^1]).ToArray());
        var deleted = JsonDocument.Parse(events[^1].Payload).RootElement;
        Assert.Equal(3, deleted.GetProperty("version").GetInt32());
        Assert.Equal(TenantContext.DefaultTenantId, deleted.GetProperty("tenantId").GetGuid());
    }

    [Fact]
    public async Task A_rejected_write_queues_no_event()
    {
        var existing = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var before = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages.CountAsync());

        await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: existing.Str("email")));
        await _client.PostJsonAsync("/api/v1/people", new { firstName = "" });

        Assert.Equal(before, await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages.CountAsync()));
    }

    [Fact]
    public async Task Rows_of_another_tenant_are_invisible()
    {
        var otherTenant = Guid.NewGuid();
        var id = Guid.CreateVersion7();
        const string emails = """[{"address": "other@tenant.test", "type": "work", "primary": true}]""";
        await PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO people (id, tenant_id, first_name, last_name, email, normalized_email, emails, created_at, updated_at, version)
            VALUES ({id}, {otherTenant}, 'Other', 'Tenant', 'other@tenant.test', 'other@tenant.test',
                {emails}::jsonb, now(), now(), 1)
            """));

        (await _client.GetJsonAsync($"/api/v1/people/{id}")).AssertProblem(HttpStatusCode.NotFound);
        var list = await _client.GetJsonAsync("/api/v1/people?limit=200");
        Assert.DoesNotContain(list.Body.GetProperty("items").EnumerateArray(), p => p.Id() == id);
        // The same email is free in this tenant: uniqueness is per tenant.
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(email: "other@tenant.test"))).Status);
    }
}
