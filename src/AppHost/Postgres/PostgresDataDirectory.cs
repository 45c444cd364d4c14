using Microsoft.Extensions.Logging;

namespace CrmPlatform.AppHost.Postgres;

/// <summary>The data folder before each start: created by initdb the first time, cleared of a killed server's lock after.</summary>
internal static class PostgresDataDirectory
{
    public static async Task PrepareAsync(PostgresServerResource server, bool durable, ILogger log, CancellationToken cancellationToken)
    {
        var folder = server.DataDirectory;
        if (File.Exists(Path.Combine(folder, "PG_VERSION")))
        {
            RemoveStaleLock(folder, log);
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
            await ChildProcess.RunCheckedAsync(initdb[0], [.. initdb.Skip(1), .. arguments], cancellationToken, log);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// A server killed outright leaves postmaster.pid behind. PostgreSQL ignores it when its pid is gone, but running as
    /// another user it cannot tell its old pid, reused by an unrelated process, from a live postmaster, and would refuse
    /// to start.
    /// </summary>
    private static void RemoveStaleLock(string folder, ILogger log)
    {
        var lockFile = Path.Combine(folder, "postmaster.pid");
        if (!File.Exists(lockFile) || !int.TryParse(File.ReadLines(lockFile).FirstOrDefault(), out var pid))
        {
            return;
        }

        var commandLine = Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cmdline");
        if (File.Exists(commandLine) && File.ReadAllText(commandLine).Contains("postgres", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"PostgreSQL (pid {pid}) is already running on {folder}.");
        }

        log.LogWarning("Removing the lock files of a PostgreSQL server (pid {Pid}) that was killed", pid);
        File.Delete(lockFile);
        foreach (var socketLock in Directory.EnumerateFiles(folder, ".s.PGSQL.*.lock"))
        {
            File.Delete(socketLock);
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
