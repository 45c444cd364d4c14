using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Telemetry.Persistence;

/// <summary>The <c>Telemetry</c> section's persistence setting (the limits are in <see cref="TelemetryLimits"/>).</summary>
public sealed class TelemetryPersistenceOptions
{
    /// <summary>
    /// When set, the store is written there at shutdown and read back at start, so a restart of the AppHost keeps the
    /// telemetry that explains why it was restarted. Relative to the state folder. Off by default, as in Aspire.
    /// </summary>
    public string? PersistPath { get; set; }
}

/// <summary>Loads the snapshot at start and writes one at a graceful stop (a killed AppHost loses what came since).</summary>
internal sealed class TelemetryPersistence(
    TelemetryStore store, IOptions<TelemetryPersistenceOptions> options, AppHostOptions appHost, ILogger<TelemetryPersistence> logger)
    : IHostedService
{
    private string? Path => string.IsNullOrWhiteSpace(options.Value.PersistPath)
        ? null
        : System.IO.Path.Combine(appHost.StatePath, options.Value.PersistPath);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path is not { } path || !File.Exists(path))
        {
            return;
        }

        try
        {
            var snapshot = await TelemetrySnapshot.ReadAsync(path, cancellationToken);
            snapshot?.RestoreInto(store);
            logger.LogInformation("Telemetry restored from {Path}: {Logs} logs, {Spans} spans.", path, snapshot?.Logs.Count, snapshot?.Spans.Count);
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidDataException)
        {
            // Telemetry is a help, not data: a damaged snapshot must not keep the platform from starting.
            logger.LogWarning(ex, "Telemetry snapshot {Path} could not be read; starting empty.", path);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Path is { } path)
        {
            await TelemetrySnapshot.Of(store).WriteAsync(path, cancellationToken);
            logger.LogInformation("Telemetry written to {Path}.", path);
        }
    }
}
