using System.Text.RegularExpressions;

namespace CrmPlatform.AppHost.Model;

/// <summary>The resources the AppHost runs, declared in Program.cs as with Aspire's distributed application builder.</summary>
public sealed partial class PlatformModel(AppHostOptions options)
{
    private readonly List<Resource> _resources = [];

    public AppHostOptions Options { get; } = options;

    public IReadOnlyList<Resource> Resources => _resources;

    public PostgresServerResource AddPostgres(string name) => Add(new PostgresServerResource(name, this));

    /// <summary>A broker with one user and one virtual host (both <c>crm</c> unless told) for all projects.</summary>
    public RabbitMqResource AddRabbitMq(string name, string user = "crm", string virtualHost = "crm") =>
        Add(new RabbitMqResource(name, user, virtualHost));

    /// <summary>An SMTP server that keeps what it receives for developers to read (the dashboard's Mail page, <c>/api/mail</c>).</summary>
    public Mail.MailResource AddMail(string name) => Add(new Mail.MailResource(name));

    /// <param name="name">The resource name, which is also the service name in telemetry and service discovery.</param>
    /// <param name="projectFolder">The project's folder under <c>src/</c>.</param>
    public ProjectResource AddProject(string name, string projectFolder) => Add(new ProjectResource(name, projectFolder));

    internal T Add<T>(T resource)
        where T : Resource
    {
        // The name ends up in environment variable names (ConnectionStrings__NAME, services__NAME__http__0).
        if (!ValidName().IsMatch(resource.Name))
        {
            throw new ArgumentException($"Resource name '{resource.Name}' must be lowercase letters, digits and dashes.");
        }

        if (_resources.Any(existing => existing.Name == resource.Name))
        {
            throw new ArgumentException($"There is already a resource named '{resource.Name}'.");
        }

        _resources.Add(resource);
        return resource;
    }

    /// <summary>Leaves a resource out of this run, with everything that depends on it.</summary>
    internal IReadOnlyList<Resource> Remove(Resource resource)
    {
        if (!_resources.Remove(resource))
        {
            return [];
        }

        List<Resource> removed = [resource];
        foreach (var dependant in _resources.Where(r => r.Dependencies.Contains(resource)).ToList())
        {
            removed.AddRange(Remove(dependant));
        }

        return removed;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex ValidName();
}
