using System.Net;
using System.Net.Sockets;

namespace CrmPlatform.AppHost.Processes;

/// <summary>Loopback TCP ports for servers started by the AppHost or by tests.</summary>
public static class FreePort
{
    /// <summary>A port the OS says is free right now. Another process may take it before it is used; callers start soon.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsAvailable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
