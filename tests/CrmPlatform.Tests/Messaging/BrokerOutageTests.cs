using System.Net;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Messaging;

/// <summary>A broker outage delays events but never loses them: the outbox keeps them until RabbitMQ is back.</summary>
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private PrivateBroker _broker = null!;
    private PlatformServices _platform = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestServers.StartPrivateRabbitMqAsync("outage");
        _platform = await PlatformServices.StartAsync(_broker.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_person_created_while_rabbitmq_is_down_reaches_sales_once_it_is_back()
    {
        var contacts = _platform.ClientFor(_platform.Contacts);
        await _broker.StopAsync();

        var created = await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Outage", lastName: "Survivor"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();

        // The event waits in the outbox while the broker is away.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(await PlatformServices.QueryAsync(_platform.Contacts,
            db => db.OutboxMessages.AnyAsync(m => m.PublishedAt == null && EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{id}\"}}"))));
        Assert.Null(await PlatformServices.DirectoryEntryAsync(_platform.Sales, id));

        await _broker.StartAsync();

        var contact = await Eventually.ReturnsAsync(
            () => PlatformServices.DirectoryEntryAsync(_platform.Sales, id), c => c is not null,
            "the person reaches Sales after the broker is back", TimeSpan.FromSeconds(90));
        Assert.Equal("Outage Survivor", contact!.DisplayName);
        Assert.True(await PlatformServices.QueryAsync(_platform.Contacts,
            db => db.OutboxMessages.AllAsync(m => m.PublishedAt != null)));
    }
}
