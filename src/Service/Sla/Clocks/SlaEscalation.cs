using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// What happens to tickets when their SLA warns or breaches, beyond the events: reassigning them, emailing the group's
/// manager. Called by the sweep with a claim batch's warnings or breaches of one tenant (the context's tenant is set to
/// it), in the claim's transaction on the sweep's <see cref="ServiceDbContext"/>, before the events are saved: whatever
/// it changes commits with the claim and the events, or not at all. A batch holds up to <see cref="SlaSweep.BatchSize"/>
/// tickets, so an implementation reads what it needs for all of them at once, never per ticket. Tickets register theirs
/// (replacing <see cref="NoEscalation"/>) once they exist; a breach found when a late reply or solve is recorded needs
/// no escalation (the ticket is being worked).
/// </summary>
public interface ISlaEscalation
{
    Task WarnedAsync(IReadOnlyList<SlaWarning> warnings, ServiceDbContext db, CancellationToken cancellationToken);

    Task BreachedAsync(IReadOnlyList<SlaBreached> breaches, ServiceDbContext db, CancellationToken cancellationToken);
}

/// <summary>Until tickets take over: the events alone.</summary>
public sealed class NoEscalation : ISlaEscalation
{
    public Task WarnedAsync(IReadOnlyList<SlaWarning> warnings, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BreachedAsync(IReadOnlyList<SlaBreached> breaches, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}
