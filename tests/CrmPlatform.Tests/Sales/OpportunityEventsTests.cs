using System.Collections.Concurrent;
using System.Net;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>Sales' opportunity events as a subscriber receives them from RabbitMQ: each once, stamped with its tenant.</summary>
[Collection(PipelinesCollection.Name)]
public sealed class OpportunityEventsTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;

    [Fact]
    public async Task Each_change_publishes_its_events_once_with_the_tenant()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var sales = Platform.ClientFor(Platform.Sales, token);
        var customer = await CustomerAsync(Platform, Platform.ClientFor(Platform.Contacts, token));
        var pipeline = await CreatePipelineAsync(sales);

        var received = new ConcurrentQueue<IIntegrationEvent>();
        Task Receive<TEvent>(ConsumeContext<TEvent> context) where TEvent : class, IIntegrationEvent
        {
            received.Enqueue(context.Message);
            return Task.CompletedTask;
        }
        var bus = Platform.Sales.Services.GetRequiredService<IBus>();
        var endpoint = bus.ConnectReceiveEndpoint($"test-opportunity-events-{Guid.NewGuid():N}", e =>
        {
            e.Handler<OpportunityCreated>(Receive);
            e.Handler<OpportunityStageChanged>(Receive);
            e.Handler<OpportunityWon>(Receive);
            e.Handler<OpportunityLost>(Receive);
        });
        await endpoint.Ready;
        try
        {
            var won = await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead", 2500m)).CreatedAsync();
            won = await sales.MoveAsync(won, "proposal").OkAsync();
            (await sales.MoveAsync(won, "lost")).AssertProblem(HttpStatusCode.UnprocessableEntity);
            won = await sales.MoveAsync(won, "won").OkAsync();
            var lostAtOnce = await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lost", lostReason: "Went quiet")).CreatedAsync();
            var lost = await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();
            await sales.MoveAsync(lost, "lost", lostReason: "Chose a cheaper offer", competitor: "Initech").OkAsync();

            var ours = new[] { won.Id(), lostAtOnce.Id(), lost.Id() };
            await Eventually.TrueAsync(() => Task.FromResult(received.Count(e => ours.Contains(e.AggregateId)) >= 9), "the nine events arrive");
            // Long enough for a duplicate publication to show.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var events = received.Where(e => ours.Contains(e.AggregateId)).ToList();

            Assert.All(events, e => Assert.Equal(tenantId, e.TenantId));
            Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
            string Describe(IIntegrationEvent e) => $"{e.GetType().Name} v{e.Version}";
            Assert.Equal(["OpportunityCreated v1", "OpportunityStageChanged v2", "OpportunityStageChanged v3", "OpportunityWon v3"],
                events.Where(e => e.AggregateId == won.Id()).Select(Describe).Order(StringComparer.Ordinal));
            Assert.Equal(["OpportunityCreated v1", "OpportunityLost v1"],
                events.Where(e => e.AggregateId == lostAtOnce.Id()).Select(Describe).Order(StringComparer.Ordinal));
            Assert.Equal(["OpportunityCreated v1", "OpportunityLost v2", "OpportunityStageChanged v2"],
                events.Where(e => e.AggregateId == lost.Id()).Select(Describe).Order(StringComparer.Ordinal));

            var created = events.OfType<OpportunityCreated>().Single(e => e.AggregateId == won.Id());
            Assert.Equal((pipeline.Id(), "lead", 10, 2500m, customer), (created.Opportunity.PipelineId, created.Opportunity.Stage,
                created.Opportunity.Probability, created.Opportunity.Amount, created.Opportunity.CustomerId));
            var toProposal = events.OfType<OpportunityStageChanged>().Single(e => e.AggregateId == won.Id() && e.Version == 2);
            Assert.Equal(("lead", "proposal", 50), (toProposal.FromStage, toProposal.Opportunity.Stage, toProposal.Opportunity.Probability));
            Assert.True(toProposal.FromStageEnteredAt <= toProposal.OccurredAt);
            var winning = events.OfType<OpportunityWon>().Single();
            Assert.Equal(("won", 100, won.GetProperty("closedAt").GetDateTime()), (winning.Opportunity.Stage, winning.Opportunity.Probability, winning.ClosedAt));
            var losing = events.OfType<OpportunityLost>().Single(e => e.AggregateId == lost.Id());
            Assert.Equal(("Chose a cheaper offer", "Initech", "lost"), (losing.LostReason, losing.Competitor, losing.Opportunity.Stage));
            Assert.Equal(("Went quiet", (string?)null), events.OfType<OpportunityLost>().Where(e => e.AggregateId == lostAtOnce.Id())
                .Select(e => (e.LostReason, e.Competitor)).Single());
        }
        finally
        {
            await endpoint.StopAsync();
        }
    }
}
