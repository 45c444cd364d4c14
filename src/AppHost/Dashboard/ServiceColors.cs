namespace CrmPlatform.AppHost.Dashboard;

/// <summary>
/// One colour per service, the same on every page and in every run (a hash of the name, not string.GetHashCode, which
/// changes per process), so that a service is recognised at a glance in trace lists and waterfalls.
/// </summary>
public static class ServiceColors
{
    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
    ];

    public static string For(string serviceName)
    {
        var hash = 2166136261u;
        foreach (var character in serviceName)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return Palette[hash % (uint)Palette.Length];
    }
}
