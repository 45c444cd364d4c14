namespace CrmPlatform.Integrations.Amqp;

/// <summary>
/// <c>Integrations:Amqp</c>: how partners' AMQP subscriptions are provisioned. The broker's management API (its
/// administrator manages users and permissions, never messages); queues are declared and fed over the platform's own
/// messaging connection. Without <see cref="ManagementUri"/> AMQP subscriptions are refused.
/// </summary>
public sealed class AmqpSettings
{
    public const string Section = "Integrations:Amqp";

    public string? ManagementUri { get; set; }
    public string? ManagementUser { get; set; }
    public string? ManagementPassword { get; set; }

    /// <summary>
    /// The broker's address as partners reach it (<c>amqps://broker.example.com:5671</c>); by default the host and port
    /// of the platform's own connection.
    /// </summary>
    public string? PublicAddress { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(ManagementUri);
}
