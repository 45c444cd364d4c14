using CrmPlatform.AppHost.Model;

namespace CrmPlatform.AppHost.Orchestration;

public enum ResourceCommand
{
    Stop,
    Start,
    Restart,
}

/// <summary>Stop, start and restart a resource by name: what the dashboard's buttons and <c>POST /api/resources/{name}/{command}</c> do.</summary>
public sealed class ResourceCommands(PlatformModel model)
{
    internal Orchestrator? Orchestrator { get; set; }

    /// <summary>Whether the command makes sense now: resources without a process of their own (databases) have none.</summary>
    /// <remarks>A crashed resource waiting to be restarted is also Exited, but not stopped: it can be stopped, not started.</remarks>
    public static bool IsAvailable(Resource resource, ResourceCommand command) => resource.Kind != ResourceKind.PostgresDatabase && command switch
    {
        ResourceCommand.Stop or ResourceCommand.Restart => !resource.IsStopped && resource.State is ResourceState.Running or ResourceState.Exited,
        ResourceCommand.Start => resource.IsStopped,
        _ => false,
    };

    /// <summary>Returns once the command has taken effect (stopped, or started: running but perhaps not yet healthy).</summary>
    /// <exception cref="KeyNotFoundException">No resource has that name.</exception>
    /// <exception cref="InvalidOperationException">The command is not available in the resource's current state.</exception>
    public Task ExecuteAsync(string name, ResourceCommand command, CancellationToken cancellationToken = default)
    {
        var resource = model.Resources.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"There is no resource named '{name}'.");
        if (!IsAvailable(resource, command))
        {
            throw new InvalidOperationException($"{name} is {resource.State}: {command} is not available.");
        }

        return Orchestrator!.ExecuteAsync(resource, command, cancellationToken);
    }
}
