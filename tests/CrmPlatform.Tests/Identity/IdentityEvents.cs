using CrmPlatform.Contracts;
using CrmPlatform.Identity.Data;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Identity;

/// <summary>Identity's events as its outbox holds them, once the broker has confirmed them.</summary>
public static class IdentityEvents
{
    public static async Task<List<TEvent>> PublishedAsync<TEvent>(IdentityServer identity, Guid aggregateId) where TEvent : IIntegrationEvent
    {
        await using var scope = identity.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var rows = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.EventType == typeof(TEvent).FullName && m.PublishedAt != null)
            .OrderBy(m => m.Sequence)
            .ToListAsync();
        return [.. rows.Select(m => m.ToEvent()).OfType<TEvent>().Where(e => e.AggregateId == aggregateId)];
    }

    public static Task<List<TEvent>> EventuallyPublishedAsync<TEvent>(IdentityServer identity, Guid aggregateId, int count = 1)
        where TEvent : IIntegrationEvent =>
        Eventually.ReturnsAsync(() => PublishedAsync<TEvent>(identity, aggregateId), events => events.Count >= count,
            $"{count} {typeof(TEvent).Name} for {aggregateId} are published");
}
