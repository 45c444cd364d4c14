namespace CrmPlatform.AppHost.Postgres;

/// <summary>The machine's PostgreSQL programs: the newest version under /usr/lib/postgresql (Debian's layout).</summary>
internal static class PostgresInstallation
{
    private const string Root = "/usr/lib/postgresql";

    private static readonly Lazy<string> BinDirectory = new(() =>
        (Directory.Exists(Root) ? Directory.GetDirectories(Root) : [])
            .Select(path => (Bin: Path.Combine(path, "bin"), Version: int.TryParse(Path.GetFileName(path), out var version) ? version : 0))
            .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "postgres")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault()
        ?? throw new InvalidOperationException($"PostgreSQL is not installed (nothing in {Root}): run scripts/prerequisites.sh."));

    public static string Program(string name) => Path.Combine(BinDirectory.Value, name);
}
