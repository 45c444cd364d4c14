using System.Collections.Concurrent;
using System.Diagnostics;
using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Output;

namespace CrmPlatform.AppHost.Orchestration;

/// <summary>
/// Starts every resource once what it depends on is running and healthy (independent ones in parallel), probes health,
/// restarts crashed processes with backoff, and on shutdown stops everything in reverse dependency order.
/// </summary>
internal sealed class Orchestrator : BackgroundService
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>A process that ran this long before crashing gets the shortest backoff again.</summary>
    private static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(60);

    private readonly Stopwatch _sinceStart = new();
    private readonly ConcurrentDictionary<Resource, ResourceControl> _controls = new();
    private readonly PlatformModel model;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<Orchestrator> logger;
    private RunContext? _context;
    private int _announcedHealthy;

    public Orchestrator(PlatformModel model, ResourceCommands commands, IHostApplicationLifetime lifetime, ILogger<Orchestrator> logger)
    {
        this.model = model;
        this.lifetime = lifetime;
        this.logger = logger;
        commands.Orchestrator = this;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start nothing before the host has started: a host that fails to start (say, its port is taken) stops nothing.
        await WhenHostStartedAsync(stoppingToken);
        _sinceStart.Start();
        try
        {
            _context = await PrepareAsync();
        }
        catch (Exception ex)
        {
            Fail($"Cannot prepare the run: {ex.Message}");
            return;
        }

        if (!model.Resources.Any(r => r.State == ResourceState.FailedToStart))
        {
            await Task.WhenAll(model.Resources.Select(resource => RunAsync(resource, _context, stoppingToken)));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // First end the supervision, so that nothing is restarted while it is being stopped.
        await base.StopAsync(cancellationToken);
        if (_context is null)
        {
            return;
        }

        var stops = new Dictionary<Resource, Task>();
        await Task.WhenAll(model.Resources.Select(StopInOrder));
        if (model.Resources.Any(r => r.StartedAt is not null))
        {
            logger.LogInformation("All resources are stopped");
        }

        Task StopInOrder(Resource resource)
        {
            if (!stops.TryGetValue(resource, out var stop))
            {
                stops[resource] = stop = StopAfterDependantsAsync(resource);
            }

            return stop;
        }

        async Task StopAfterDependantsAsync(Resource resource)
        {
            await Task.WhenAll(model.Resources.Where(r => r.Dependencies.Contains(resource)).Select(StopInOrder));
            await StopAsync(resource, _context, cancellationToken);
        }
    }

    /// <summary>Cleans up after a killed AppHost, wipes if asked, and checks that every project is built.</summary>
    private async Task<RunContext> PrepareAsync()
    {
        var state = new StateFolder(model.Options.StatePath, logger);
        await state.PidFiles.StopLeftoversAsync();
        if (model.Options.Wipe)
        {
            state.Wipe();
        }

        state.Create();

        var notBuilt = model.Resources.OfType<ProjectResource>().Where(p => !File.Exists(p.AssemblyPath)).ToList();
        var assemblies = string.Join(", ", notBuilt.Select(p => Path.GetRelativePath(Repository.Root, p.AssemblyPath)));
        if (notBuilt.Count > 0 && model.Options.SkipMissingProjects)
        {
            var skipped = notBuilt.SelectMany(model.Remove).Select(r => r.Name);
            logger.LogWarning("Leaving out {Resources}: not built ({Assemblies})", string.Join(", ", skipped), assemblies);
        }
        else if (notBuilt.Count > 0)
        {
            notBuilt.ForEach(project => Transition(project, ResourceState.FailedToStart));
            Fail($"Not built: {assemblies}. Run `dotnet build -c {Repository.Configuration}`, or pass --skip-missing.");
        }

        logger.LogInformation("State folder {StateFolder}; resources:{NewLine}{Table}", state.Path, Environment.NewLine, ResourceTable.Format(model.Resources));
        return new RunContext(model.Options, state, new ResourceOutput(model), logger);
    }

    /// <summary>Carries out a command from the dashboard or the API; returns once it has taken effect.</summary>
    internal async Task ExecuteAsync(Resource resource, ResourceCommand command, CancellationToken cancellationToken)
    {
        var control = _controls.GetOrAdd(resource, _ => new ResourceControl());
        logger.LogInformation("{Resource}: {Command} requested", resource.Name, command);
        if (command is ResourceCommand.Stop or ResourceCommand.Restart)
        {
            var stopped = WhenAsync(resource, r => r.IsStopped, cancellationToken);
            control.RequestStop();
            await stopped;
        }

        if (command is ResourceCommand.Start or ResourceCommand.Restart)
        {
            var started = WhenAsync(resource, r => r is { IsStopped: false, State: ResourceState.Running or ResourceState.FailedToStart }, cancellationToken);
            control.RequestStart();
            await started;
        }
    }

    private static async Task WhenAsync(Resource resource, Func<Resource, bool> condition, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(Resource changed)
        {
            if (condition(changed))
            {
                reached.TrySetResult();
            }
        }

        resource.Changed += OnChanged;
        try
        {
            OnChanged(resource);
            await reached.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            resource.Changed -= OnChanged;
        }
    }

    private async Task RunAsync(Resource resource, RunContext context, CancellationToken stoppingToken)
    {
        var control = _controls.GetOrAdd(resource, _ => new ResourceControl());
        try
        {
            if (resource.Dependencies.Count > 0)
            {
                Transition(resource, ResourceState.Waiting);
                await Task.WhenAll(resource.Dependencies.Select(d => d.WhenReady)).WaitAsync(stoppingToken);
            }

            while (true)
            {
                if (!await RunUntilStopRequestedAsync(resource, context, control.StopRequested, stoppingToken))
                {
                    return;
                }

                resource.IsStopped = true;
                Transition(resource, ResourceState.Exited);
                await control.WaitForStartAsync(stoppingToken);
                resource.IsStopped = false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync takes over.
        }
    }

    /// <summary>
    /// Starts the resource and restarts it with backoff whenever it crashes, until a stop is requested (true: it is
    /// stopped) or it fails to start (false: the platform stops).
    /// </summary>
    private async Task<bool> RunUntilStopRequestedAsync(Resource resource, RunContext context, CancellationToken stopRequested, CancellationToken stoppingToken)
    {
        var quickCrashes = 0;
        while (true)
        {
            Transition(resource, ResourceState.Starting);
            try
            {
                await resource.StartAsync(context, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Transition(resource, ResourceState.FailedToStart);
                Fail($"{resource.Name} failed to start: {ex.Message}");
                return false;
            }

            resource.StartedAt = DateTimeOffset.UtcNow;
            Transition(resource, ResourceState.Running);
            var exitCode = await SuperviseAsync(resource, stopRequested, stoppingToken);
            if (exitCode is null)
            {
                Transition(resource, ResourceState.Stopping);
                await StopProcessAsync(resource, stoppingToken);
                return true;
            }

            var uptime = DateTimeOffset.UtcNow - resource.StartedAt.Value;
            quickCrashes = uptime > StableUptime ? 0 : quickCrashes;
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, quickCrashes++), MaxBackoff.TotalSeconds));
            resource.RestartCount++;
            Transition(resource, ResourceState.Exited);
            logger.LogWarning("{Resource} exited with code {ExitCode}; restarting in {Delay} s (restart #{Restart})",
                resource.Name, exitCode, delay.TotalSeconds, resource.RestartCount);
            try
            {
                using var stopOrShutdown = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, stoppingToken);
                await Task.Delay(delay, stopOrShutdown.Token);
            }
            catch (OperationCanceledException) when (stopRequested.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                return true;
            }
        }
    }

    /// <summary>Probes health until the process exits on its own (its exit code) or a stop is requested (null).</summary>
    private async Task<int?> SuperviseAsync(Resource resource, CancellationToken stopRequested, CancellationToken stoppingToken)
    {
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var probe = ProbeHealthAsync(resource, probing.Token);
        try
        {
            var stop = Task.Delay(Timeout.Infinite, stopRequested);
            var exited = await Task.WhenAny(resource.Exited, stop).WaitAsync(stoppingToken);
            return exited == resource.Exited ? await resource.Exited : null;
        }
        finally
        {
            await probing.CancelAsync();
            await probe;
        }
    }

    private async Task ProbeHealthAsync(Resource resource, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ProbeInterval);
        try
        {
            do
            {
                bool healthy;
                string? failure = null;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    healthy = await resource.IsHealthyAsync(timeout.Token);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    healthy = false;
                    failure = ex is OperationCanceledException ? "No answer within 5 s" : ex.Message;
                }

                var health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy;
                if (failure is not null || resource is not ProjectResource)
                {
                    // Services report their own checks; for the rest the probe is the check.
                    resource.HealthReports = [new HealthCheckReport(resource.HealthProbe, health, failure)];
                }

                var previous = resource.SetHealth(health);
                // Unhealthy while starting is expected; only report becoming healthy and ceasing to be.
                if (previous != health && (health == HealthStatus.Healthy || previous == HealthStatus.Healthy))
                {
                    logger.LogInformation("{Resource} is {Health}", resource.Name, health);
                    AnnounceWhenAllHealthy();
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task StopAsync(Resource resource, RunContext context, CancellationToken cancellationToken)
    {
        if (resource.State == ResourceState.Running)
        {
            Transition(resource, ResourceState.Stopping);
            await StopProcessAsync(resource, cancellationToken);
            Transition(resource, ResourceState.Finished);
        }

        context.State.PidFiles.Remove(resource.Name);
    }

    private async Task StopProcessAsync(Resource resource, CancellationToken cancellationToken)
    {
        try
        {
            await resource.StopAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError("Stopping {Resource} failed: {Reason}", resource.Name, ex.Message);
        }
    }

    private void AnnounceWhenAllHealthy()
    {
        if (model.Resources.All(r => r is { State: ResourceState.Running, Health: HealthStatus.Healthy })
            && Interlocked.Exchange(ref _announcedHealthy, 1) == 0)
        {
            var entryPoints = model.Resources.OfType<ProjectResource>().Where(p => p.IsExternal)
                .Select(p => $" {char.ToUpperInvariant(p.Name[0])}{p.Name[1..]}: {p.Endpoints["http"]}");
            logger.LogInformation("{Table}{NewLine}All {Count} resources are running and healthy in {Seconds:0.0} s.{EntryPoints}",
                ResourceTable.Format(model.Resources), Environment.NewLine, model.Resources.Count, _sinceStart.Elapsed.TotalSeconds,
                string.Concat(entryPoints));
        }
    }

    private void Transition(Resource resource, ResourceState state)
    {
        var previous = resource.SetState(state);
        logger.LogInformation("{Resource}: {Previous} -> {State}", resource.Name, previous, state);
    }

    /// <summary>Stops the platform with a non-zero exit code.</summary>
    private void Fail(string reason)
    {
        logger.LogError("{Reason}", reason);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private async Task WhenHostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }
}
