using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmPlatform.Gateway;

/// <summary>The gateway is only as ready as the services behind it: each one's own <c>/health</c> answer.</summary>
public sealed class DownstreamHealthCheck(IHttpClientFactory httpClients, Uri healthUri) : IHealthCheck
{
    public const string HttpClientName = "downstream-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).GetAsync(healthUri, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"{healthUri} answered {(int)response.StatusCode}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{healthUri} is unreachable.", ex);
        }
    }
}
