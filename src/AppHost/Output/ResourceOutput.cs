using CrmPlatform.AppHost.Model;

namespace CrmPlatform.AppHost.Output;

/// <summary>Children's output on the AppHost's console, each line prefixed with <c>[name] </c>, in a colour per resource on a terminal.</summary>
internal sealed class ResourceOutput(PlatformModel model)
{
    private static readonly string[] Colors = ["36", "35", "33", "32", "34", "96", "95", "93", "92", "94"];
    private static readonly bool UseColor = !Console.IsOutputRedirected;

    private readonly Dictionary<Resource, string> _prefixes = model.Resources
        .Select((resource, index) => (resource, index))
        .ToDictionary(
            pair => pair.resource,
            pair => UseColor ? $"\e[{Colors[pair.index % Colors.Length]}m[{pair.resource.Name}]\e[0m " : $"[{pair.resource.Name}] ");

    public void Write(Resource resource, string line) => Console.Out.WriteLine(_prefixes[resource] + line);
}
