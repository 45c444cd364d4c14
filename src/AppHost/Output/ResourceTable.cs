using System.Text;
using CrmPlatform.AppHost.Model;

namespace CrmPlatform.AppHost.Output;

/// <summary>The resources as a text table: name, kind, state, health and where to reach them.</summary>
internal static class ResourceTable
{
    public static string Format(IEnumerable<Resource> resources)
    {
        string[] header = ["NAME", "KIND", "STATE", "HEALTH", "URL"];
        var rows = resources
            .Select(r => new[] { r.Name, r.Kind.ToString(), r.State.ToString(), r.Health.ToString(), Address(r) })
            .Prepend(header)
            .ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();

        var table = new StringBuilder();
        foreach (var row in rows)
        {
            table.AppendLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }

        return table.ToString().TrimEnd();
    }

    /// <summary>The first endpoint, or for a database or broker its connection string (masked).</summary>
    public static string Address(Resource resource) =>
        resource is IResourceWithConnectionString { ConnectionString: { } connectionString }
            ? Masking.Mask(connectionString)
            : resource.Endpoints.Values.FirstOrDefault() ?? "";
}
