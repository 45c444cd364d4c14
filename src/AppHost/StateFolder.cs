using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrmPlatform.AppHost;

/// <summary>
/// What the platform keeps between runs, in one folder (<c>.crm/</c> beside CrmPlatform.sln, or <c>AppHost:StateDir</c>):
/// the data of PostgreSQL and RabbitMQ, and <c>secrets.json</c> (mode 600), the passwords generated at the first start.
/// Data and the passwords that open it live and die together, which is why the secrets are not in user secrets.
/// </summary>
public sealed class StateFolder(string path)
{
    private readonly Lock _gate = new();

    public string Path { get; } = Directory.CreateDirectory(path).FullName;

    private string SecretsFile => System.IO.Path.Combine(Path, "secrets.json");

    /// <summary>A folder for one resource's data, created if new.</summary>
    public string DataFolder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    /// <summary>The secret named <paramref name="name"/>: generated the first time it is asked for, then always the same.</summary>
    public string Secret(string name)
    {
        lock (_gate)
        {
            var secrets = File.Exists(SecretsFile) ? JsonNode.Parse(File.ReadAllText(SecretsFile))!.AsObject() : [];
            if (secrets[name]?.GetValue<string>() is not { Length: > 0 } secret)
            {
                // Letters and digits only: nothing to escape in connection strings, URLs or shell commands.
                secrets[name] = secret = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
                // Created unreadable to others before a byte is written; replaced whole, so never seen half-written.
                var temporary = SecretsFile + ".tmp";
                using (var file = new FileStream(temporary, new FileStreamOptions
                {
                    Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    JsonSerializer.Serialize(file, secrets, new JsonSerializerOptions { WriteIndented = true });
                }

                File.Move(temporary, SecretsFile, overwrite: true);
            }

            return secret;
        }
    }
}

public static class StateFolderExtensions
{
    /// <summary>
    /// The state folder, and the dashboard's OTLP and telemetry API keys kept in it, so that scripts and other OTLP
    /// exporters read them from <c>.crm/secrets.json</c> rather than meet a new random key at every start.
    /// </summary>
    public static StateFolder AddStateFolder(this IDistributedApplicationBuilder builder)
    {
        var state = new StateFolder(builder.Configuration["AppHost:StateDir"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(builder.AppHostDirectory, "..", "..", ".crm"));
        builder.Configuration["AppHost:OtlpApiKey"] = state.Secret("otlp-api-key");
        builder.Configuration["AppHost:DashboardApiKey"] = state.Secret("dashboard-api-key");
        return state;
    }

    /// <summary>
    /// A secret parameter (masked on the dashboard): the configured <c>Parameters:{name}</c> if any, otherwise generated
    /// once into the state folder.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, StateFolder state, string name)
    {
        if (string.IsNullOrEmpty(builder.Configuration[$"Parameters:{name}"]))
        {
            builder.Configuration[$"Parameters:{name}"] = state.Secret(name);
        }

        return builder.AddParameter(name, secret: true);
    }
}
