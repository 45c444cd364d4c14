using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>How the resources page names a resource's type and says what runs it.</summary>
public static class ResourceDescriptions
{
    public static string Type(ResourceKind kind) => kind switch
    {
        ResourceKind.PostgresServer => "PostgreSQL server",
        ResourceKind.PostgresDatabase => "PostgreSQL database",
        ResourceKind.RabbitMq => "RabbitMQ",
        ResourceKind.Project => "Project",
        ResourceKind.Mail => "SMTP sink",
        _ => kind.ToString(),
    };

    /// <summary>The project folder or the executable; a database is a part of its server.</summary>
    public static string Source(Resource resource) => resource switch
    {
        ProjectResource project => $"src/{project.ProjectFolder}",
        PostgresServerResource { Server: { } server } => Path.Combine(server.Options.BinDirectory, "postgres"),
        PostgresServerResource => "postgres",
        PostgresDatabaseResource database => $"database on {database.Server.Name}",
        RabbitMqResource { Server: { } server } => Path.Combine(server.Options.InstallDirectory, "rabbitmq-server"),
        RabbitMqResource => "rabbitmq-server",
        Mail.MailResource => "in the AppHost (src/AppHost/Mail)",
        _ => "",
    };

    /// <summary>Endpoints people can open in a browser (http), as links; the others (tcp, amqp) as text.</summary>
    public static bool IsBrowsable(string url) => url.StartsWith("http://", StringComparison.Ordinal) || url.StartsWith("https://", StringComparison.Ordinal);

    /// <summary>What telemetry can be filtered by: the services, whether they have sent anything yet or not, and any other sender.</summary>
    public static IReadOnlyList<string> ServiceNames(PlatformModel model, TelemetryStore store) =>
        [.. model.Resources.OfType<ProjectResource>().Select(p => p.Name)
            .Union(store.Sources.Select(s => s.ServiceName))
            .Order(StringComparer.Ordinal)];
}
