using System.ComponentModel.DataAnnotations;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// How a service's public web forms resist bots and floods (Service's help-centre form under <c>Service:WebForm</c>,
/// Marketing's forms under <c>Marketing:WebForms</c>): each service binds its own section, so each is tuned apart.
/// </summary>
public sealed class WebFormOptions
{
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

    /// <summary>Per form owner (a tenant, or one form): what per-client limits cannot see, a flood from many addresses.</summary>
    [Range(1, 1_000_000)]
    public int PerTenantPerHour { get; set; } = 200;
}
