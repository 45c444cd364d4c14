namespace CrmPlatform.AppHost.Postgres;

public sealed record PostgresServerOptions
{
    /// <summary>Created and initialized (initdb) on first start; kept afterwards.</summary>
    public required string DataDirectory { get; init; }

    public required int Port { get; init; }

    /// <summary>Password of the <c>postgres</c> superuser for TCP connections; (re)applied at every start.</summary>
    public required string SuperuserPassword { get; init; }

    /// <summary>
    /// False turns off fsync, synchronous_commit and full_page_writes: much faster, but a crash can lose or corrupt data.
    /// For tests only.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>Every service keeps a pool of connections; tests run many services at once.</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Where initdb and postgres are; the newest installed version by default.</summary>
    public string BinDirectory { get; init; } = FindBinDirectory();

    /// <summary>Receives every line the server (and initdb) prints.</summary>
    public Action<string>? Output { get; init; }

    /// <summary>
    /// Called with the pid as soon as the process exists, before it is ready: record it to clean up after a crash of
    /// the caller.
    /// </summary>
    public Action<int>? ProcessStarted { get; init; }

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(path => (Path: path, Version: int.TryParse(Path.GetFileName(path), out var version) ? version : 0))
                .Where(candidate => File.Exists(Path.Combine(candidate.Path, "bin", "postgres")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => Path.Combine(candidate.Path, "bin"))
                .FirstOrDefault()
            : null;
        return newest ?? Path.Combine(root, "15", "bin");
    }
}
