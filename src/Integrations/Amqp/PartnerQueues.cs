namespace CrmPlatform.Integrations.Amqp;

/// <summary>Names of a subscription's broker objects: one queue and one user, both named after the subscription.</summary>
public static class PartnerQueues
{
    public static string QueueOf(Guid subscriptionId) => $"partner-{subscriptionId}";

    public static string UserOf(Guid subscriptionId) => $"partner-{subscriptionId}";

    /// <summary>
    /// The partner user's permissions (configure, write, read regexes): read its own queue, nothing else. No configure
    /// (it cannot declare, bind or delete anything) and no write (it cannot publish, not even to the default exchange).
    /// </summary>
    public static (string Configure, string Write, string Read) PermissionsOf(Guid subscriptionId) =>
        ("^$", "^$", $"^{QueueOf(subscriptionId)}$");
}
