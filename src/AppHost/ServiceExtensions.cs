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

    /// <summary>
    /// The development mail sink (src/Mail): SMTP on a port chosen at each start, and its inbox page linked from the
    /// dashboard. Nothing sent to it leaves the machine.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddMailSink(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddService<Projects.Mail>(name)
            .WithEndpoint(name: SmtpEndpoint, scheme: "smtp", env: "Mail__SmtpPort", isProxied: false)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Inbox")
            .WithUrlForEndpoint(SmtpEndpoint, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithIconName("MailInbox");

    /// <summary>Where the services send mail: <c>smtp://127.0.0.1:port</c> (the sink listens on IPv4 loopback only).</summary>
    public static ReferenceExpression SmtpConnectionString(this ProjectResource mail) =>
        ReferenceExpression.Create($"smtp://127.0.0.1:{mail.GetEndpoint(SmtpEndpoint).Property(EndpointProperty.Port)}");

    private const string SmtpEndpoint = "smtp";
}
