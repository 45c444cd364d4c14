using System.Net;
using System.Net.Sockets;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>A TCP port nobody listens on right now, for a server a test starts.</summary>
public static class FreePort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
