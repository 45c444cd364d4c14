namespace CrmPlatform.Persistence.Outbox;

/// <summary>Wakes the dispatcher right after a commit that queued events, so they do not wait for the next poll.</summary>
public sealed class OutboxSignal : WakeSignal;
