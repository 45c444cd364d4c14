namespace CrmPlatform.Identity.Tokens;

/// <summary>Makes sure a signing key exists before the first request, then rotates keys when they are due.</summary>
internal sealed class SigningKeyRotation(SigningKeyStore keys, ILogger<SigningKeyRotation> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await keys.RotateIfDueAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.RotateIfDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Signing key rotation failed; the current key keeps signing");
            }
        }
    }
}
