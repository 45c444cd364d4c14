using CrmPlatform.Persistence;

namespace CrmPlatform.Integrations.Delivery;

/// <summary>Wakes the dispatcher right after a commit that queued deliveries.</summary>
public sealed class DeliverySignal : WakeSignal;
