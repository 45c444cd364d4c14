namespace CrmPlatform.AppHost.Model;

/// <summary>A resource that projects reach through <c>ConnectionStrings__{Name}</c>, as in Aspire.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>Known once the resource is running.</summary>
    string? ConnectionString { get; }
}
