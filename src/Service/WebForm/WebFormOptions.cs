using System.ComponentModel.DataAnnotations;

namespace CrmPlatform.Service.WebForm;

/// <summary><c>Service:WebForm</c>: how the public support form resists bots and floods.</summary>
public sealed class WebFormOptions
{
    public const string Section = "Service:WebForm";

    /// <summary>
    /// The key that signs form tokens (base64, at least 32 bytes). Unset, each process makes one at start: tokens then
    /// die with a restart and do not cross instances, so set it wherever more than one instance serves.
    /// </summary>
    public string? TokenKey { get; set; }

    /// <summary>A person needs some seconds to fill in a form; a bot posting at once is refused.</summary>
    [Range(0, 600)]
    public int MinimumFillSeconds { get; set; } = 3;

    [Range(1, 1_440)]
    public int TokenLifetimeMinutes { get; set; } = 120;

    [Range(1, 10_000)]
    public int PerClientPerMinute { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int PerTenantPerHour { get; set; } = 200;
}
