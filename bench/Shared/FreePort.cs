using System.Net;
using System.Net.Sockets;

namespace CrmPlatform.Bench.Shared;

/// <summary>Loopback TCP ports for a platform started by a harness.</summary>
public static class FreePort
{
    /// <summary>A port the OS says is free right now. Another process may take it before it is used; callers start soon.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
