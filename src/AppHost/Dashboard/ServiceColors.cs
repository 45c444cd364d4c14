using CrmPlatform.AppHost.Model;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>
/// One colour per service, the same on every page and in every run, so that a service is recognised at a glance in
/// trace lists and waterfalls. The platform's services take the palette's colours in the order they are declared, so
/// that no two share one; any other sender gets one by a hash of its name (not string.GetHashCode, which changes per process).
/// </summary>
public sealed class ServiceColors(PlatformModel model)
{
    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
    ];

    private readonly string[] _services = [.. model.Resources.OfType<ProjectResource>().Select(p => p.Name)];

    public string For(string serviceName)
    {
        var index = Array.IndexOf(_services, serviceName);
        return Palette[index >= 0 ? index % Palette.Length : Hash(serviceName) % Palette.Length];
    }

    private static int Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var character in text)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return (int)(hash % int.MaxValue);
    }
}
