using System.Net;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Gdpr;

/// <summary>The audit trail as an export (JSON or CSV, filtered, tenant-isolated) and its retention purge, which records itself.</summary>
public sealed class AuditExportTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<(Guid TenantId, HttpClient Contacts)> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        return (tenantId, Platform.ClientFor(Platform.Contacts, token));
    }

    [Fact]
    public async Task The_export_streams_the_tenants_entries_as_json_or_csv_filtered_by_time_and_entity()
    {
        var (_, contacts) = await NewTenantAsync();
        var before = DateTime.UtcNow;
        var person = await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Export, \"Quoted\""));
        await contacts.PutJsonAsync($"/api/v1/people/{person.Body.Id()}", Api.NewPerson(firstName: "Exported"), person.Body.ETag());
        await contacts.PostJsonAsync("/api/v1/organizations", new { name = "Export Org" });

        var json = await contacts.GetJsonAsync("/api/v1/audit/export?format=json&entity=person");
        Assert.Equal(HttpStatusCode.OK, json.Status);
        Assert.Equal(["created", "updated"], json.Body.EnumerateArray().Select(e => e.Str("action")));
        Assert.Contains("attachment", json.Response.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal(3, (await contacts.GetJsonAsync($"/api/v1/audit/export?from={before:O}")).Body.GetArrayLength());
        Assert.Equal(0, (await contacts.GetJsonAsync($"/api/v1/audit/export?to={before:O}")).Body.GetArrayLength());

        var csv = await contacts.GetAsync("/api/v1/audit/export?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,occurredAt,entityType,entityId,action,actorId,changes", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains("\\\"\"Quoted\\\"\"", lines[1]);

        (await contacts.GetJsonAsync("/api/v1/audit/export?format=xml")).AssertProblem(HttpStatusCode.BadRequest);
        var (_, other) = await NewTenantAsync();
        Assert.Equal(0, (await other.GetJsonAsync("/api/v1/audit/export")).Body.GetArrayLength());
        var rep = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.SalesRep));
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.GetAsync("/api/v1/audit/export")).StatusCode);
    }

    private async Task InsertOldEntryAsync(Guid tenantId, DateTime at)
    {
        await using var scope = Platform.Contacts.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO audit_entries (id, tenant_id, created_at, entity_type, entity_id, action, actor_id, changes)
            VALUES ({Guid.CreateVersion7()}, {tenantId}, {at}, 'person', {Guid.CreateVersion7()}, 'created', 'someone', {"{}"}::jsonb)
            """);
    }

    [Fact]
    public async Task The_retention_purge_removes_only_old_entries_and_records_per_tenant_what_it_removed()
    {
        var (tenantA, contactsA) = await NewTenantAsync();
        var (tenantB, contactsB) = await NewTenantAsync();
        var old = DateTime.UtcNow.AddDays(-400);
        await InsertOldEntryAsync(tenantA, old);
        await InsertOldEntryAsync(tenantA, old.AddDays(1));
        await InsertOldEntryAsync(tenantB, old);
        await contactsA.PostJsonAsync("/api/v1/organizations", new { name = "Recent" });

        var job = Platform.Contacts.Services.GetRequiredService<AuditRetentionJob<ContactsDbContext>>();
        Assert.True(await job.PurgeAsync(TimeSpan.FromDays(365), CancellationToken.None) >= 3);

        var entriesA = (await contactsA.GetJsonAsync("/api/v1/audit/export")).Body.EnumerateArray().ToList();
        Assert.Equal(["created", "purged"], entriesA.Select(e => e.Str("action")));
        var purge = entriesA[1].GetProperty("changes");
        Assert.Equal(2, purge.GetProperty("purged").GetProperty("to").GetInt32());
        Assert.Equal(old, purge.GetProperty("oldest").GetProperty("to").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(AuditRetentionJob<ContactsDbContext>.Actor, entriesA[1].Str("actorId"));
        var entriesB = (await contactsB.GetJsonAsync("/api/v1/audit/export")).Body.EnumerateArray().ToList();
        Assert.Equal(1, Assert.Single(entriesB).GetProperty("changes").GetProperty("purged").GetProperty("to").GetInt32());
    }
}
