using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Service.Data;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Service;

internal static class ServiceTestData
{
    public static string NewEmail() => $"{Guid.NewGuid():N}@customer.test";

    /// <summary>A person created in Contacts, once Service's contact directory knows them.</summary>
    public static async Task<JsonElement> KnownPersonAsync(PlatformServices platform, string? email = null, HttpClient? contacts = null)
    {
        var person = await (contacts ?? platform.ClientFor(platform.Contacts)).PostJsonAsync("/api/v1/people", Api.NewPerson(email ?? NewEmail())).CreatedAsync();
        var id = person.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(platform.Service, id) is not null, "Service knows the person");
        return person;
    }

    public static object Ticket(Guid? requesterId = null, string? requesterEmail = null, string subject = "Printer on fire", string? category = null,
        string? topic = null, string? product = null, string? language = null, string? priority = null, string? assigneeId = null, Guid? groupId = null,
        string[]? tags = null, string? requesterName = null) =>
        new { subject, description = "It smells of smoke.", requesterId, requesterEmail, requesterName, category, topic, product, language, priority, assigneeId, groupId, tags };

    public static Task<List<TEvent>> OutboxEventsAsync<TDbContext, TEvent>(ServiceFactory<TDbContext> service, Func<TEvent, bool> about)
        where TDbContext : TenantDbContext where TEvent : IIntegrationEvent =>
        PlatformServices.QueryAsync(service, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(TEvent).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => (TEvent)m.ToEvent()).Where(about).ToList());

    public static Task<List<TEvent>> ServiceEventsAsync<TEvent>(PlatformServices platform, Guid aggregateId) where TEvent : IIntegrationEvent =>
        OutboxEventsAsync<ServiceDbContext, TEvent>(platform.Service, e => e.AggregateId == aggregateId);
}
