using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Data written by an earlier version of Contacts reads correctly after the migrations that followed.</summary>
public sealed class MigrationTests
{
    private const string BeforeContactDetails = "20261122231557_OutboxTraceParent";

    private static async Task<ContactsDbContext> DatabaseAtAsync(string migration)
    {
        var servers = await TestServers.GetAsync();
        var options = new DbContextOptionsBuilder<ContactsDbContext>();
        options.UseServiceDatabase(await servers.CreateDatabaseAsync("contacts_migration"));
        var db = new ContactsDbContext(options.Options, new TenantContext { TenantId = TenantContext.DefaultTenantId }, TimeProvider.System);
        await db.GetService<IMigrator>().MigrateAsync(migration);
        return db;
    }

    [Fact]
    public async Task A_persons_one_email_and_phone_become_the_primaries_of_their_lists()
    {
        await using var db = await DatabaseAtAsync(BeforeContactDetails);
        var id = Guid.CreateVersion7();
        var tenant = TenantContext.DefaultTenantId;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO people (id, tenant_id, first_name, last_name, email, normalized_email, phone, created_at, updated_at, version)
            VALUES ({id}, {tenant}, 'Old', 'Timer', ' Old.Timer@Example.com', 'old.timer@example.com', '+44 20 7946 0000', now(), now(), 1)
            """);

        await db.GetService<IMigrator>().MigrateAsync();

        var person = await db.People.AsNoTracking().SingleAsync(p => p.Id == id);
        Assert.Equal("old.timer@example.com", person.Email);
        var email = Assert.Single(person.Emails);
        Assert.Equal(("old.timer@example.com", true), (email.Address, email.Primary));
        Assert.Equal("+44 20 7946 0000", Assert.Single(person.Phones).Number);
        Assert.Equal(id, (await db.PersonEmails.SingleAsync(e => e.Address == "old.timer@example.com")).PersonId);
    }
}
