using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Tests.Sales;

/// <summary>Sales' copy of the contacts stays right when RabbitMQ delivers twice or out of order.</summary>
public sealed class ContactDirectoryTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private Task PublishAsync(object message, Guid messageId) =>
        Platform.Contacts.Services.GetRequiredService<IBus>().Publish(message, message.GetType(), context => context.MessageId = messageId);

    private static PersonUpdated Renamed(Guid personId, int version, string firstName) => new(
        Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, personId, version,
        new PersonSnapshot(firstName, "Test", $"{personId:N}@example.com", null, null, null));

    private Task<int> InboxRowsAsync(Guid messageId) =>
        PlatformServices.QueryAsync(Platform.Sales, db => db.InboxMessages.CountAsync(m => m.MessageId == messageId));

    [Fact]
    public async Task The_same_delivery_twice_changes_sales_once()
    {
        var personId = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();
        await PublishAsync(Renamed(personId, version: 2, "First"), messageId);
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId) is not null, "the first delivery is applied");

        // A redelivery carries the same message id; even if its body differed, it must not be applied again.
        await PublishAsync(Renamed(personId, version: 3, "Second"), messageId);
        var marker = Guid.NewGuid();
        await PublishAsync(Renamed(Guid.CreateVersion7(), version: 1, "Marker"), marker);
        await Eventually.TrueAsync(async () => await InboxRowsAsync(marker) == 1, "a later message is processed");

        var contact = await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId);
        Assert.Equal("First Test", contact!.DisplayName);
        Assert.Equal(2, contact.Version);
        Assert.Equal(1, await InboxRowsAsync(messageId));
    }

    [Fact]
    public async Task An_older_version_never_overwrites_a_newer_one()
    {
        var personId = Guid.CreateVersion7();
        await PublishAsync(Renamed(personId, version: 5, "Newer"), Guid.NewGuid());
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId) is not null, "version 5 is applied");

        var stale = Guid.NewGuid();
        await PublishAsync(Renamed(personId, version: 4, "Older"), stale);
        await Eventually.TrueAsync(async () => await InboxRowsAsync(stale) == 1, "the stale event is processed");

        var contact = await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId);
        Assert.Equal("Newer Test", contact!.DisplayName);
        Assert.Equal(5, contact.Version);
    }

    [Fact]
    public async Task Many_versions_delivered_at_once_leave_the_newest()
    {
        var personId = Guid.CreateVersion7();
        await PublishAsync(Renamed(personId, 1, "V1"), Guid.NewGuid());
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId) is not null, "version 1 is applied");

        var deliveries = Enumerable.Range(2, 29).OrderBy(_ => Random.Shared.Next()).Select(v => (Version: v, MessageId: Guid.NewGuid())).ToList();
        await Task.WhenAll(deliveries.Select(d => PublishAsync(Renamed(personId, d.Version, $"V{d.Version}"), d.MessageId)));

        var messageIds = deliveries.Select(d => d.MessageId).ToList();
        await Eventually.TrueAsync(async () => await PlatformServices.QueryAsync(Platform.Sales,
            db => db.InboxMessages.CountAsync(m => messageIds.Contains(m.MessageId))) == messageIds.Count, "every delivery is processed");

        var contact = await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId);
        Assert.Equal("V30 Test", contact!.DisplayName);
        Assert.Equal(30, contact.Version);
    }

    [Fact]
    public async Task A_deletion_is_a_tombstone_that_a_late_update_cannot_revive()
    {
        var personId = Guid.CreateVersion7();
        await PublishAsync(new PersonDeleted(Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, personId, 3), Guid.NewGuid());
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId) is not null, "the deletion is applied");

        var late = Guid.NewGuid();
        await PublishAsync(Renamed(personId, version: 2, "Late"), late);
        await Eventually.TrueAsync(async () => await InboxRowsAsync(late) == 1, "the late update is processed");

        Assert.True((await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId))!.IsDeleted);
    }

    [Fact]
    public async Task Events_are_applied_for_the_tenant_they_carry()
    {
        var otherTenant = Guid.NewGuid();
        var personId = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();
        await PublishAsync(Renamed(personId, 1, "Elsewhere") with { TenantId = otherTenant }, messageId);
        await Eventually.TrueAsync(async () => await InboxRowsAsync(messageId) == 1, "the event is processed");

        Assert.Null(await PlatformServices.DirectoryEntryAsync(Platform.Sales, personId));
        var stored = await PlatformServices.QueryAsync(Platform.Sales,
            db => db.DirectoryContacts.IgnoreQueryFilters().SingleAsync(c => c.Id == personId));
        Assert.Equal(otherTenant, stored.TenantId);
    }
}
