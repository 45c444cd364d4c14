using System.ComponentModel.DataAnnotations;

namespace CrmPlatform.Smtp;

/// <summary>Where a listener takes mail and how much of it.</summary>
public class SmtpListenerOptions
{
    /// <summary>0 lets the system choose (the listener then knows the port); the AppHost sets the resource's endpoint port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Loopback by default; <c>0.0.0.0</c> where an MX points at the service.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Mail above this is refused while it arrives (552).</summary>
    [Range(1_024, 100 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    public string ServerName { get; set; } = "localhost";
}
