using System.Net;
using System.Net.Sockets;

namespace CrmPlatform.Integrations.Delivery;

/// <summary>
/// SSRF protection: a webhook may only reach public addresses over https. Checked when a subscription is written and
/// again at every connection (<see cref="ConnectAsync"/>, the handler's ConnectCallback: the name is resolved there and
/// only allowed addresses are dialled, so a DNS answer that changes after the check — rebinding — cannot reach inside).
/// <see cref="WebhookSettings.AllowPrivateTargets"/> (development only) lifts both rules.
/// </summary>
public static class TargetGuard
{
    /// <summary>Loopback, private, link-local, CGNAT, multicast, reserved; IPv6 ULA, link-local, mapped and embedded IPv4.</summary>
    public static bool IsBlocked(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 || b[0] >= 224
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] & 0xFE) == 18);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }
        var v6 = address.GetAddressBytes();
        return address.IsIPv4MappedToIPv6 || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || address.IsIPv6UniqueLocal || address.IsIPv6Teredo
            || address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6None)
            || (v6[0] == 0x20 && v6[1] == 0x02)
            || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
            || v6.Take(12).All(x => x == 0);
    }

    /// <summary>Why <paramref name="url"/> may not be a webhook target, or null when it may.</summary>
    public static async Task<string?> CheckAsync(string url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return "url is an absolute https URL.";
        }
        if (!string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return "url has no fragment and no user information.";
        }
        if (allowPrivate)
        {
            return null;
        }
        if (uri.Scheme != "https")
        {
            return "url must use https.";
        }
        IPAddress[] addresses;
        try
        {
            addresses = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                ? [IPAddress.Parse(uri.IdnHost)]
                : await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{uri.Host}' cannot be resolved.";
        }
        return addresses.Length == 0 || addresses.Any(IsBlocked)
            ? $"The host '{uri.Host}' is a loopback, private, link-local or otherwise internal address; webhooks reach public addresses only."
            : null;
    }

    /// <summary>Resolves and dials only allowed addresses (SocketsHttpHandler.ConnectCallback).</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = allowPrivate ? addresses : addresses.Where(address => !IsBlocked(address)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"The host '{context.DnsEndPoint.Host}' resolves to no public address; refused (SSRF protection).");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
