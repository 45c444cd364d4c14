using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Journeys;

public static class JourneysExtensions
{
    /// <summary>
    /// Journeys: the actions steps may take (a new action is one more line here), the runner with its wake-up signal,
    /// the trigger consumer on a queue of its own, and enrolments in data subject requests.
    /// </summary>
    public static void AddJourneys(this IHostApplicationBuilder builder, IBusRegistrationConfigurator bus)
    {
        JourneyActions.Add<AddTagAction>(builder.Services);
        JourneyActions.Add<CreateTaskAction>(builder.Services);
        JourneyActions.Add<NotifyUserAction>(builder.Services);
        JourneyActions.Add<SendEmailAction>(builder.Services);
        builder.Services.AddSingleton<JourneyActions>();
        builder.Services.AddSingleton<JourneySignal>();
        builder.Services.AddSingleton<JourneyRunner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<JourneyRunner>());
        builder.Services.AddPersonalDataPart<MarketingDbContext, JourneyEnrolmentsPart>();
        bus.AddConsumer<JourneyTriggerConsumer>().Endpoint(endpoint => endpoint.Name = $"{Extensions.ServiceName}-{JourneyTriggerConsumer.ConsumerName}");
    }
}

/// <summary>The person's journeys: each stay with its path. Erasure removes them (a path says what was done to whom).</summary>
public sealed class JourneyEnrolmentsPart : IPersonalDataPart<MarketingDbContext>
{
    public string Name => "journeyEnrolments";

    public async Task<object?> CollectAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var enrolments = await db.JourneyEnrolments.AsNoTracking().Where(e => e.PersonId == personId).OrderBy(e => e.CreatedAt)
            .Select(e => new
            {
                e.Id, e.JourneyId, e.JourneyVersion, e.Status, EnteredAt = e.CreatedAt, e.FinishedAt, e.ExitReason,
                Steps = db.JourneyStepExecutions.Where(x => x.EnrolmentId == e.Id).OrderBy(x => x.Number)
                    .Select(x => new { x.StepId, x.Kind, x.Outcome, x.Detail, x.ExecutedAt }).ToList(),
            })
            .ToListAsync(cancellationToken);
        return enrolments.Count == 0 ? null : enrolments;
    }

    public async Task<int> EraseAsync(MarketingDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var enrolments = await db.JourneyEnrolments.Where(e => e.PersonId == personId).ToListAsync(cancellationToken);
        db.JourneyEnrolments.RemoveRange(enrolments);
        return enrolments.Count;
    }
}
