using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmPlatform.AppHost;

/// <summary>
/// When the app host stops, DCP stops every resource at once and kills what has not exited 5 s after its SIGTERM:
/// PostgreSQL and RabbitMQ would stop under the services still using them and, on a busy machine, be killed halfway
/// through writing their data out. This runs before DCP's turn (hosted services stop in reverse order, and it is added
/// after Aspire's): the services first, with Aspire's own stop command, then each data store gets SIGTERM and up to a
/// minute. A killed app host skips it; DCP alone stops everything then, and the data stores recover at the next start.
/// </summary>
internal sealed class OrderlyShutdown(DistributedApplicationModel model, ResourceCommandService commands, ResourceNotificationService notifications)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(model.Resources.OfType<ProjectResource>().Where(r => Pid(r) is not null)
            .Select(project => commands.ExecuteCommandAsync(project.Name, KnownResourceCommands.StopCommand, cancellationToken)));
        await Task.WhenAll(model.Resources.Where(r => r.HasAnnotationOfType<DataStoreAnnotation>()).Select(async store =>
        {
            if (Pid(store) is { } pid && Process.GetProcesses().FirstOrDefault(p => p.Id == pid) is { } process)
            {
                ChildProcess.Terminate(pid);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromMinutes(1));
                await process.WaitForExitAsync(timeout.Token).ContinueWith(_ => { }, CancellationToken.None);
            }
        }));
    }

    /// <summary>The process DCP started for a running resource.</summary>
    private int? Pid(IResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var state) && state.Snapshot.State?.Text == KnownResourceStates.Running
            && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>A resource holding data: stopped after the services, and given the time it needs.</summary>
public sealed class DataStoreAnnotation : IResourceAnnotation;

public static class OrderlyShutdownExtensions
{
    public static IResourceBuilder<T> AsDataStore<T>(this IResourceBuilder<T> store) where T : IResource
    {
        var services = store.ApplicationBuilder.Services;
        if (!services.Any(s => s.ImplementationType == typeof(OrderlyShutdown)))
        {
            services.AddHostedService<OrderlyShutdown>();
            // The services' stop, then the data stores': more than the default 30 s on a busy machine.
            services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(2));
        }

        return store.WithAnnotation(new DataStoreAnnotation());
    }
}
