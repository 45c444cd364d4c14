using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace CrmPlatform.AppHost;

/// <summary>
/// What the platform keeps between runs, in one folder (<c>.crm/</c> beside CrmPlatform.sln, or <c>AppHost:StateDir</c>):
/// the data of PostgreSQL and RabbitMQ, and <c>secrets.json</c> (mode 600), the passwords generated at the first start.
/// Data and the passwords that open it live and die together, which is why the secrets are not in user secrets.
/// </summary>
public sealed class StateFolder
{
    private const string SecretsFileName = "secrets.json";
    private readonly Lock _gate = new();

    private StateFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    private string SecretsFile => System.IO.Path.Combine(Path, SecretsFileName);

    public static StateFolder For(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["AppHost:StateDir"];
        var path = string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(builder.AppHostDirectory, "..", "..", ".crm")
            : configured;
        return new StateFolder(System.IO.Path.GetFullPath(path));
    }

    /// <summary>A folder for one resource's data, created if new.</summary>
    public string DataFolder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    /// <summary>The secret named <paramref name="name"/>: generated the first time it is asked for, then always the same.</summary>
    public string Secret(string name)
    {
        lock (_gate)
        {
            var secrets = File.Exists(SecretsFile) ? JsonNode.Parse(File.ReadAllText(SecretsFile))!.AsObject() : [];
            if (secrets[name]?.GetValue<string>() is { Length: > 0 } existing)
            {
                return existing;
            }

            // Letters and digits only: nothing to escape in connection strings, URLs or shell commands.
            var secret = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
            secrets[name] = secret;
            WritePrivately(SecretsFile, secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return secret;
        }
    }

    /// <summary>Created with mode 600 before anything is written, so the secret is never readable by others.</summary>
    private static void WritePrivately(string file, string contents)
    {
        var temporary = file + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }

        File.Move(temporary, file, overwrite: true);
    }
}

public static class StateFolderExtensions
{
    /// <summary>
    /// The state folder, and the dashboard's OTLP and telemetry API keys kept in it, so that scripts and other OTLP
    /// exporters can read them from <c>.crm/secrets.json</c> instead of a new random key at every start.
    /// </summary>
    public static StateFolder AddStateFolder(this IDistributedApplicationBuilder builder)
    {
        var state = StateFolder.For(builder);
        foreach (var (setting, secret) in new[] { ("AppHost:OtlpApiKey", "otlp-api-key"), ("AppHost:DashboardApiKey", "dashboard-api-key") })
        {
            builder.Configuration[setting] = state.Secret(secret);
        }

        return state;
    }

    /// <summary>
    /// A secret parameter (masked on the dashboard) whose value is the configured <c>Parameters:{name}</c> if any,
    /// otherwise generated once into the state folder.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, StateFolder state, string name)
    {
        var setting = $"Parameters:{name}";
        if (string.IsNullOrEmpty(builder.Configuration[setting]))
        {
            builder.Configuration[setting] = state.Secret(name);
        }

        return builder.AddParameter(name, secret: true);
    }
}
