using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Who changed what, when: createdBy/updatedBy on records and an append-only audit log for admins.</summary>
public sealed class AuditTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    [Fact]
    public async Task Every_write_is_audited_with_its_actor_and_changed_fields()
    {
        var created = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Grace", lastName: "Hopper"));
        var id = created.Body.Id();
        Assert.Equal("test-admin", created.Body.Str("createdBy"));

        // Marketing edits contacts tenant-wide (a sales rep would only see records of their own or their team).
        var editorToken = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.Marketing);
        var updated = await Platform.ClientFor(Platform.Contacts, editorToken).PutJsonAsync($"/api/v1/people/{id}",
            Api.NewPerson(email: created.Body.Str("email"), firstName: "Grace", lastName: "Murray Hopper"), created.Body.ETag());
        Assert.Equal("test-admin", updated.Body.Str("createdBy"));
        Assert.StartsWith("client-", updated.Body.Str("updatedBy"));
        await _client.DeleteJsonAsync($"/api/v1/people/{id}", updated.Body.ETag());

        var audit = await _client.GetJsonAsync($"/api/v1/audit?entityType=person&entityId={id}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        var entries = audit.Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["created", "updated", "deleted"], entries.Select(e => e.Str("action")));
        Assert.Equal(["test-admin", updated.Body.Str("updatedBy"), "test-admin"], entries.Select(e => e.Str("actorId")));

        var change = entries[1].GetProperty("changes");
        Assert.Equal("Hopper", change.GetProperty("lastName").Str("from"));
        Assert.Equal("Murray Hopper", change.GetProperty("lastName").Str("to"));
        Assert.False(change.TryGetProperty("firstName", out _), "unchanged fields are not listed");
        Assert.Equal("Grace", entries[0].GetProperty("changes").GetProperty("firstName").Str("to"));
        Assert.Equal("Grace", entries[2].GetProperty("changes").GetProperty("firstName").Str("from"));
    }

    [Fact]
    public async Task Only_admins_read_the_audit_log_and_only_their_tenants()
    {
        var readOnly = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ReadOnly);
        (await Platform.ClientFor(Platform.Contacts, readOnly).GetJsonAsync("/api/v1/audit")).AssertProblem(HttpStatusCode.Forbidden);

        var mine = (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Audited Ltd" })).Body.Id();
        var (_, otherAdmin) = await Platform.Identity.NewTenantAsync();
        var theirs = await Platform.ClientFor(Platform.Contacts, otherAdmin).GetJsonAsync($"/api/v1/audit?entityId={mine}");
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.Empty(theirs.Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_audit_log_is_append_only_even_for_the_services_own_database_role()
    {
        await _client.PostJsonAsync("/api/v1/organizations", new { name = "Immutable Inc" });

        var update = await Assert.ThrowsAsync<PostgresException>(() => PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET actor_id = 'someone-else'")));
        Assert.Contains("append-only", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_entries")));
        Assert.True(await PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM audit_entries").SingleAsync()) > 0);
    }
}
