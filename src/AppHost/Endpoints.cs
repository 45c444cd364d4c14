using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrmPlatform.AppHost;

/// <summary>
/// The AppHost's three listeners: the dashboard and <c>/api/*</c>, OTLP over gRPC (HTTP/2 only: gRPC over plain HTTP
/// cannot negotiate), and OTLP over HTTP. Endpoints are bound to their listener with <c>RequireHost("*:port")</c>.
/// </summary>
internal static class Endpoints
{
    public static void ConfigureListeners(this WebApplicationBuilder builder, AppHostOptions options) =>
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Without TLS there is no protocol negotiation: Http1AndHttp2 would serve HTTP/1.1 anyway, with a warning at
            // every start. gRPC clients speak HTTP/2 with prior knowledge, hence a listener of its own.
            Listen(kestrel, options.DashboardUrl, HttpProtocols.Http1);
            Listen(kestrel, options.OtlpGrpcUrl, HttpProtocols.Http2);
            Listen(kestrel, options.OtlpHttpUrl, HttpProtocols.Http1);
        });

    /// <summary>The host pattern that matches requests to <paramref name="url"/>'s port, whatever host name they use.</summary>
    public static string HostOf(string url) => $"*:{new Uri(url).Port}";

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"{url}: only http:// is supported (the AppHost listens on this machine).");
        }

        Action<ListenOptions> configure = listen => listen.Protocols = protocols;
        if (uri.Host is "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, configure);
        }
        else if (uri.Host is "*" or "+" or "0.0.0.0")
        {
            kestrel.ListenAnyIP(uri.Port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(uri.Host), uri.Port, configure);
        }
    }
}
