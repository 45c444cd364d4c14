using Microsoft.Extensions.Logging;

namespace CrmPlatform.AppHost.Postgres;

/// <summary>
/// The data folder before each start: created by initdb the first time. (A killed server's postmaster.pid needs no
/// care: PostgreSQL itself ignores a lock whose process is gone or belongs to another user.)
/// </summary>
internal static class PostgresDataDirectory
{
    public static async Task PrepareAsync(PostgresServerResource server, bool durable, ILogger log, CancellationToken cancellationToken)
    {
        var folder = server.DataDirectory;
        if (File.Exists(Path.Combine(folder, "PG_VERSION")))
        {
            return;
        }

        if (Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new InvalidOperationException($"{folder} is neither empty nor a PostgreSQL data directory.");
        }

        var passwordFile = Path.Combine(Path.GetDirectoryName(folder)!, $".{server.Name}.pwfile");
        await File.WriteAllTextAsync(passwordFile, await server.SuperuserPassword.GetValueAsync(cancellationToken), cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            if (ChildProcess.IsRoot)
            {
                EnsureReachableByPostgresUser(folder);
                await ChildProcess.RunCheckedAsync("chown", ["postgres:postgres", folder, passwordFile], cancellationToken);
            }

            List<string> arguments =
            [
                "-D", folder, "-U", PostgresServerResource.Superuser, "--pwfile", passwordFile, "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions", .. durable ? Array.Empty<string>() : ["--no-sync"],
            ];
            var initdb = PostgresBuilderExtensions.AsPostgresUser(PostgresInstallation.Program("initdb")).ToList();
            log.LogInformation("Initialising a new PostgreSQL data directory in {Folder}", folder);
            log.LogInformation("{Output}", await ChildProcess.RunCheckedAsync(initdb[0], [.. initdb.Skip(1), .. arguments], cancellationToken));
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static void EnsureReachableByPostgresUser(string folder)
    {
        for (var parent = Path.GetDirectoryName(folder); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (!File.GetUnixFileMode(parent).HasFlag(UnixFileMode.OtherExecute))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the postgres user, which cannot enter {parent}: run `chmod o+x {parent}` or choose another state folder (AppHost:StateDir).");
            }
        }
    }
}
