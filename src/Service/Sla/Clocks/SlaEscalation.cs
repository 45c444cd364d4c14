using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// What happens to a ticket when its SLA warns or breaches, beyond the event: reassigning it, emailing the group's
/// manager. Called by the sweep for every warning and breach it claims, in the claim's transaction on the sweep's
/// <see cref="ServiceDbContext"/> (its tenant set to the ticket's), before the events are saved: whatever it changes
/// commits with the claim and the event, or not at all. Tickets register theirs (replacing <see cref="NoEscalation"/>)
/// once they exist; a breach found when a late reply or solve is recorded needs no escalation (the ticket is being worked).
/// </summary>
public interface ISlaEscalation
{
    Task WarnedAsync(SlaWarning warning, ServiceDbContext db, CancellationToken cancellationToken);

    Task BreachedAsync(SlaBreached breach, ServiceDbContext db, CancellationToken cancellationToken);
}

/// <summary>Until tickets take over: the events alone.</summary>
public sealed class NoEscalation : ISlaEscalation
{
    public Task WarnedAsync(SlaWarning warning, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BreachedAsync(SlaBreached breach, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}
