using System.Security.Cryptography;
using System.Text.Json;
using CrmPlatform.AppHost.Processes;

namespace CrmPlatform.AppHost.Orchestration;

/// <summary>
/// What survives an AppHost restart: data folders, generated passwords (secrets.json, mode 600), the ports PostgreSQL
/// and RabbitMQ had (ports.json) and the pids of running children (run/).
/// </summary>
internal sealed class StateFolder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lock _gate = new();
    private readonly ILogger _logger;

    public StateFolder(string path, ILogger logger)
    {
        Path = path;
        _logger = logger;
        PidFiles = new PidFiles(System.IO.Path.Combine(path, "run"), logger);
    }

    public string Path { get; }

    public PidFiles PidFiles { get; }

    private string SecretsFile => System.IO.Path.Combine(Path, "secrets.json");

    private string PortsFile => System.IO.Path.Combine(Path, "ports.json");

    public void Wipe()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
            _logger.LogInformation("Wiped {StateFolder}", Path);
        }
    }

    public void Create() => Directory.CreateDirectory(PidFiles.Directory);

    /// <summary>A password generated the first time it is asked for, then always the same.</summary>
    public string GetSecret(string key)
    {
        lock (_gate)
        {
            var secrets = Read<string>(SecretsFile);
            if (!secrets.TryGetValue(key, out var secret))
            {
                // Letters and digits only: no escaping needed in connection strings or URLs.
                secret = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
                secrets[key] = secret;
                PrivateFile.Write(SecretsFile, JsonSerializer.Serialize(secrets, Indented));
            }

            return secret;
        }
    }

    /// <summary>The port used last time, so that clients and data keep working; a new one if that is now taken.</summary>
    public int GetPort(string key)
    {
        lock (_gate)
        {
            var ports = Read<int>(PortsFile);
            if (ports.TryGetValue(key, out var port) && FreePort.IsAvailable(port))
            {
                return port;
            }

            var chosen = FreePort.Pick();
            if (port != 0)
            {
                _logger.LogWarning("Port {Port} ({Key}) is taken by another process; using {NewPort}", port, key, chosen);
            }

            ports[key] = chosen;
            File.WriteAllText(PortsFile, JsonSerializer.Serialize(ports, Indented));
            return chosen;
        }
    }

    private static Dictionary<string, T> Read<T>(string file) =>
        File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, T>>(File.ReadAllText(file)) ?? [] : [];
}
