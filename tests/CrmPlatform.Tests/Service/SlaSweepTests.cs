using System.Collections.Concurrent;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// The SLA sweep on the real PostgreSQL and RabbitMQ: a subscriber receives SlaWarning and SlaBreached once per ticket
/// and target, stamped with the tenant, also when a sweep runs again as after a restart (and then publishes what came
/// due while it was down); paused clocks stay quiet; a late reply records its breach itself, once.
/// </summary>
public sealed class SlaSweepTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    /// <summary>Normal priority: first response in 60 minutes, resolution in 120, warned at 50 %; no calendar, so around the clock.</summary>
    private async Task<(Guid Tenant, Guid PolicyId)> TenantWithPolicyAsync()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync();
        var admin = Platform.ClientFor(Platform.Service, token);
        var policy = await admin.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "Quick", warningPercent = 50, targets = new[] { "low", "normal", "high", "urgent" }
                .Select(priority => new { priority, firstResponseMinutes = 60, resolutionMinutes = 120 }).ToArray(),
        }).CreatedAsync();
        return (tenant, policy.Id());
    }

    /// <summary>As tickets will: the clock changes in the caller's transaction on Service's DbContext.</summary>
    private async Task WithClocksAsync(Guid tenant, Func<SlaClocks, Task> change)
    {
        await using var scope = Platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant;
        var db = scope.ServiceProvider.GetRequiredService<ServiceDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await change(scope.ServiceProvider.GetRequiredService<SlaClocks>());
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>Starts a clock and applies <paramref name="then"/> in the same transaction (the service's own sweep may run at any moment).</summary>
    private Task StartAsync(Guid tenant, Guid ticket, DateTime createdAt, Func<SlaClocks, Task>? then = null) =>
        WithClocksAsync(tenant, async clocks =>
        {
            Assert.NotNull(await clocks.StartAsync(ticket, "normal", null, createdAt, CancellationToken.None));
            await (then?.Invoke(clocks) ?? Task.CompletedTask);
        });

    /// <summary>A sweep of its own over Service's database, as a freshly started Service would run it.</summary>
    private SlaSweep FreshSweep() => ActivatorUtilities.CreateInstance<SlaSweep>(Platform.Service.Services);

    private static string Describe(IIntegrationEvent e) => e switch
    {
        SlaWarning w => $"{w.AggregateId} warning {w.Target}",
        SlaBreached b => $"{b.AggregateId} breached {b.Target}",
        _ => e.GetType().Name,
    };

    [Fact]
    public async Task Warnings_and_breaches_are_published_once_each_also_after_a_restart()
    {
        var (tenant, policyId) = await TenantWithPolicyAsync();
        var now = DateTime.UtcNow;
        // 70 minutes old: first response due 10 minutes ago (its breach, not its warning); resolution warned (60 of 120).
        var late = Guid.NewGuid();
        // 10 minutes old: nothing due yet.
        var fresh = Guid.NewGuid();
        // 200 minutes old but pending after 5 minutes: its clock stands still.
        var pending = Guid.NewGuid();
        await StartAsync(tenant, late, now.AddMinutes(-70),
            clocks => clocks.AssignedAsync(late, Guid.Parse("0193f5c0-0000-7000-8000-000000000001"), "agent-7", CancellationToken.None));
        await StartAsync(tenant, fresh, now.AddMinutes(-10));
        await StartAsync(tenant, pending, now.AddMinutes(-200), clocks => clocks.PauseAsync(pending, now.AddMinutes(-195), CancellationToken.None));

        var received = new ConcurrentQueue<IIntegrationEvent>();
        Task Receive<TEvent>(ConsumeContext<TEvent> context) where TEvent : class, IIntegrationEvent
        {
            received.Enqueue(context.Message);
            return Task.CompletedTask;
        }
        var bus = Platform.Service.Services.GetRequiredService<IBus>();
        var endpoint = bus.ConnectReceiveEndpoint($"test-sla-events-{Guid.NewGuid():N}", e =>
        {
            e.Handler<SlaWarning>(Receive);
            e.Handler<SlaBreached>(Receive);
        });
        await endpoint.Ready;
        try
        {
            List<IIntegrationEvent> Ours() => [.. received.Where(e => e.TenantId == tenant)];
            // The service's own sweep runs too: between them, each event is claimed once.
            await FreshSweep().SweepAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => Task.FromResult(Ours().Count >= 2), "the warning and the breach arrive");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal([$"{late} breached first-response", $"{late} warning resolution"], Ours().Select(Describe).Order(StringComparer.Ordinal));

            var breach = Ours().OfType<SlaBreached>().Single();
            Assert.Equal((policyId, "normal", Guid.Parse("0193f5c0-0000-7000-8000-000000000001"), "agent-7"),
                (breach.PolicyId, breach.Priority, breach.GroupId, breach.AssigneeId));
            Assert.Equal(now.AddMinutes(-10), breach.DueAt, TimeSpan.FromMilliseconds(1));
            Assert.Null(breach.MetAt);
            var warning = Ours().OfType<SlaWarning>().Single();
            Assert.Equal((50, now.AddMinutes(-10)), (warning.WarningPercent, warning.WarnAt), new WarningComparer());
            Assert.Equal(now.AddMinutes(50), warning.DueAt, TimeSpan.FromMilliseconds(1));

            // A restart: a new sweep finds nothing of this tenant's left to claim, and what came due while it was down goes out.
            var dueWhileDown = Guid.NewGuid();
            await StartAsync(tenant, dueWhileDown, now.AddMinutes(-130));
            await FreshSweep().SweepAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => Task.FromResult(Ours().Count >= 4), "the breaches of the ticket that came due while down arrive");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(
                new[] { $"{dueWhileDown} breached first-response", $"{dueWhileDown} breached resolution", $"{late} breached first-response", $"{late} warning resolution" }
                    .Order(StringComparer.Ordinal),
                Ours().Select(Describe).Order(StringComparer.Ordinal));
            Assert.Equal(Ours().Count, Ours().Select(e => e.EventId).Distinct().Count());

            var stored = await PlatformServices.QueryAsync(Platform.Service, db => db.TicketSlas.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.TenantId == tenant).ToDictionaryAsync(s => s.Id));
            Assert.NotNull(stored[late].FirstResponse.BreachedAt);
            Assert.NotNull(stored[late].Resolution.WarnedAt);
            Assert.Null(stored[late].Resolution.BreachedAt);
            Assert.All(new[] { stored[fresh], stored[pending] }, quiet =>
                Assert.Equal((null, null), (quiet.FirstResponse.WarnedAt, quiet.FirstResponse.BreachedAt)));
            Assert.Equal(TimeSpan.FromMinutes(5).TotalSeconds, stored[pending].FirstResponse.UsedSeconds, 1);
        }
        finally
        {
            await endpoint.StopAsync();
        }
    }

    [Fact]
    public async Task A_late_reply_records_its_breach_once_whoever_gets_there_first()
    {
        var (tenant, _) = await TenantWithPolicyAsync();
        var ticket = Guid.NewGuid();
        await StartAsync(tenant, ticket, DateTime.UtcNow.AddMinutes(-90));
        await WithClocksAsync(tenant, clocks => clocks.FirstResponseAsync(ticket, DateTime.UtcNow, CancellationToken.None));
        await FreshSweep().SweepAsync(CancellationToken.None);
        await WithClocksAsync(tenant, clocks => clocks.ResolveAsync(ticket, DateTime.UtcNow, CancellationToken.None));

        var events = await PlatformServices.QueryAsync(Platform.Service, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.TenantId == tenant).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => m.ToEvent()).ToList());
        // The first response was late (sweep or reply, once); the resolution (120 min) was met in time, its warning sent once.
        Assert.Equal([$"{ticket} breached first-response", $"{ticket} warning resolution"], events.Select(Describe).Order(StringComparer.Ordinal));
        await using var scope = Platform.Service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant;
        var view = await scope.ServiceProvider.GetRequiredService<SlaClocks>().ViewAsync(ticket, CancellationToken.None);
        Assert.Equal((SlaView.Breached, SlaView.Met), (view!.FirstResponse.Status, view.Resolution.Status));
        Assert.True(Assert.IsType<SlaBreached>(events.Single(e => e is SlaBreached)).TenantId == tenant);
    }

    private sealed class WarningComparer : IEqualityComparer<(int, DateTime)>
    {
        public bool Equals((int, DateTime) x, (int, DateTime) y) => x.Item1 == y.Item1 && (x.Item2 - y.Item2).Duration() < TimeSpan.FromMilliseconds(1);

        public int GetHashCode((int, DateTime) obj) => obj.Item1;
    }
}
