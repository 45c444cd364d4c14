namespace CrmPlatform.AppHost;

public static class ServiceExtensions
{
    /// <summary>
    /// One of the platform's services: an HTTP endpoint on loopback without Aspire's proxy in front (nothing restarts
    /// them elsewhere, and a request should not pay for a hop), healthy when its <c>/health</c> says so.
    /// </summary>
    /// <param name="port">A fixed port (the gateway's); a free one chosen at each start otherwise.</param>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, int? port = null)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithHttpEndpoint(port: port, targetPort: port, isProxied: false)
            .WithHttpHealthCheck("/health")
            // The services believe X-Forwarded-* from loopback only (ServiceDefaults); Aspire's switch would believe anyone.
            .DisableForwardedHeaders();
}
