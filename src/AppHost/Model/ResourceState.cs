namespace CrmPlatform.AppHost.Model;

public enum ResourceKind
{
    PostgresServer,
    PostgresDatabase,
    RabbitMq,
    Project,
    Mail,
}

/// <summary>Aspire's lifecycle states.</summary>
public enum ResourceState
{
    NotStarted,

    /// <summary>Waiting for the resources it depends on to be running and healthy.</summary>
    Waiting,
    Starting,
    Running,
    Stopping,

    /// <summary>Ended on its own while it should have been running (crashed); it is restarted.</summary>
    Exited,

    /// <summary>Stopped by the AppHost.</summary>
    Finished,
    FailedToStart,
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>One check of a health probe, e.g. a service's <c>postgres</c> or <c>rabbitmq</c> check.</summary>
public sealed record HealthCheckReport(string Name, HealthStatus Status, string? Description);
