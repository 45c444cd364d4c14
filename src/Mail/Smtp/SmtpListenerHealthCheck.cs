using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmPlatform.Mail.Smtp;

/// <summary>Healthy while the SMTP port is open: that, not the web page, is what the platform's services depend on.</summary>
internal sealed class SmtpListenerHealthCheck(SmtpListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.IsListening
            ? HealthCheckResult.Healthy($"Listening on 127.0.0.1:{listener.Port}")
            : HealthCheckResult.Unhealthy("The SMTP listener is not listening"));
}
