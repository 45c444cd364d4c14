namespace CrmPlatform.AppHost.Model;

/// <summary>A resource as <c>/api/resources</c> shows it.</summary>
public sealed record ResourceSnapshot(
    string Name,
    ResourceKind Kind,
    ResourceState State,
    HealthStatus Health,
    IReadOnlyDictionary<string, string> Urls,
    string? ConnectionString,
    IReadOnlyList<string> DependsOn,
    int Restarts,
    int? Pid,
    DateTimeOffset? StartedAt,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<HealthCheckReport> HealthReports)
{
    public static ResourceSnapshot From(Resource resource) => new(
        resource.Name,
        resource.Kind,
        resource.State,
        resource.Health,
        new Dictionary<string, string>(resource.Endpoints),
        resource is IResourceWithConnectionString { ConnectionString: { } connectionString } ? Masking.Mask(connectionString) : null,
        [.. resource.Dependencies.Select(d => d.Name)],
        resource.RestartCount,
        resource.ProcessId,
        resource.StartedAt,
        resource is ProjectResource project
            ? project.Environment.ToDictionary(
                variable => variable.Key, variable => project.IsSecret(variable.Key) ? "****" : Masking.Mask(variable.Value))
            : new Dictionary<string, string>(),
        resource.HealthReports);
}
