using System.Collections.Concurrent;
using CrmPlatform.AppHost.Orchestration;

namespace CrmPlatform.AppHost.Model;

/// <summary>
/// Something the AppHost runs. State (lifecycle) and health are separate axes, as in Aspire; the orchestrator moves
/// both, each kind of resource knows how to start, probe and stop itself.
/// </summary>
public abstract class Resource(string name, ResourceKind kind)
{
    private readonly List<Resource> _dependencies = [];
    private readonly ConcurrentDictionary<string, string> _endpoints = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public ResourceKind Kind { get; } = kind;

    public IReadOnlyList<Resource> Dependencies => _dependencies;

    /// <summary>Endpoint name to URL, known once the resource runs.</summary>
    public IReadOnlyDictionary<string, string> Endpoints => _endpoints;

    public ResourceState State { get; private set; }

    public HealthStatus Health { get; private set; }

    public int RestartCount { get; internal set; }

    /// <summary>Stopped on request (dashboard or API) and waiting to be started; not restarted meanwhile.</summary>
    public bool IsStopped { get; internal set; }

    public DateTimeOffset? StartedAt { get; internal set; }

    public abstract int? ProcessId { get; }

    public ResourceLog Log { get; } = new();

    /// <summary>The checks of the last health probe (for a service, its <c>/health</c> report), newest first.</summary>
    public IReadOnlyList<HealthCheckReport> HealthReports { get; internal set; } = [];

    /// <summary>Raised when the state, health or restart count changes (on the orchestrator's thread: keep handlers short).</summary>
    public event Action<Resource>? Changed;

    /// <summary>Completes the first time the resource is running and healthy: what dependants wait for (Aspire's WaitFor).</summary>
    internal Task WhenReady => _ready.Task;

    /// <summary>Returns once the resource runs (for a process: once it is started and whatever readiness it has is met).</summary>
    internal abstract Task StartAsync(RunContext context, CancellationToken cancellationToken);

    /// <summary>Completes with the exit code if the resource stops on its own; never, for one without a process.</summary>
    internal abstract Task<int> Exited { get; }

    internal abstract Task<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>What <see cref="IsHealthyAsync"/> checks, as shown in the dashboard's health reports.</summary>
    internal abstract string HealthProbe { get; }

    /// <summary>Stops gracefully; kills when <paramref name="cancellationToken"/> fires (the host's shutdown timeout).</summary>
    internal abstract Task StopAsync(CancellationToken cancellationToken);

    internal ResourceState SetState(ResourceState state)
    {
        var previous = State;
        State = state;
        if (state != ResourceState.Running)
        {
            Health = HealthStatus.Unknown;
            HealthReports = [];
        }

        Changed?.Invoke(this);
        return previous;
    }

    internal HealthStatus SetHealth(HealthStatus health)
    {
        var previous = Health;
        if (State != ResourceState.Running)
        {
            return previous;
        }

        Health = health;
        if (health == HealthStatus.Healthy)
        {
            _ready.TrySetResult();
        }

        if (previous != health)
        {
            Changed?.Invoke(this);
        }

        return previous;
    }

    protected void DependsOn(Resource resource)
    {
        if (resource == this || resource.DependsOnTransitively(this))
        {
            throw new InvalidOperationException($"{Name} cannot depend on {resource.Name}: {resource.Name} depends on {Name}.");
        }

        if (!_dependencies.Contains(resource))
        {
            _dependencies.Add(resource);
        }
    }

    protected void SetEndpoint(string name, string url) => _endpoints[name] = url;

    /// <summary>Sends a line the resource printed to its log and the console.</summary>
    private protected Action<string> OutputTo(RunContext context) => line =>
    {
        Log.Add(line);
        context.Output.Write(this, line);
    };

    private bool DependsOnTransitively(Resource resource) =>
        _dependencies.Any(dependency => dependency == resource || dependency.DependsOnTransitively(resource));
}
