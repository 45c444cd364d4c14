using CrmPlatform.AppHost.Processes;
using Npgsql;

namespace CrmPlatform.AppHost.Postgres;

/// <summary>
/// One PostgreSQL server run as a child process: initdb on first use, start, databases owned by their own login roles,
/// fast shutdown. TCP connections need a password (scram-sha-256); the Unix socket in the data directory trusts local
/// users, which lets the launcher (re)set the superuser password at start.
/// </summary>
public sealed class PostgresServer(PostgresServerOptions options) : IAsyncDisposable
{
    public const string Superuser = "postgres";

    private ChildProcess? _process;

    public PostgresServerOptions Options { get; } = options;

    public int Port => Options.Port;

    /// <summary>The postmaster's pid while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Completes with the exit code when the server stops, asked to or not.</summary>
    public Task<int> Exited => _process?.Exited ?? throw new InvalidOperationException("The server was never started.");

    public string AdminConnectionString => GetConnectionString("postgres", Superuser, Options.SuperuserPassword);

    public string GetConnectionString(string database, string username, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = username,
            Password = password,
        }.ConnectionString;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"PostgreSQL on port {Port} is already running.");
        }

        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Options.DataDirectory));
        await InitializeIfNewAsync(dataDirectory, cancellationToken);
        RemoveStaleLockFiles(dataDirectory);

        List<string> settings = ["-c", "listen_addresses=127.0.0.1", "-c", $"max_connections={Options.MaxConnections}"];
        if (!Options.Durable)
        {
            settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        var (fileName, arguments) = AsPostgresUser(
            Path.Combine(Options.BinDirectory, "postgres"),
            ["-D", dataDirectory, "-p", Port.ToString(), "-k", dataDirectory, .. settings]);
        _process = ChildProcess.Start(fileName, arguments, Options.Output, workingDirectory: dataDirectory);
        Options.ProcessStarted?.Invoke(_process.Id);
        try
        {
            await WaitUntilReadyAsync(dataDirectory, cancellationToken);
        }
        catch
        {
            await StopAsync(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>
    /// Creates (or updates) a login role with this password and a database it owns. Other roles cannot connect to it.
    /// Safe to call again.
    /// </summary>
    public async Task CreateDatabaseAsync(string database, string owner, string ownerPassword, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);

        var roleExists = await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = $1", owner, cancellationToken);
        var role = QuoteIdentifier(owner);
        var password = QuoteLiteral(ownerPassword);
        await ExecuteAsync(
            connection,
            roleExists
                ? $"ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {password}"
                : $"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {password}",
            cancellationToken);

        var name = QuoteIdentifier(database);
        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = $1", database, cancellationToken))
        {
            try
            {
                await ExecuteAsync(connection, $"CREATE DATABASE {name} OWNER {role}", cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Created meanwhile by another caller; the ALTER below still applies.
            }
        }

        await ExecuteAsync(connection, $"ALTER DATABASE {name} OWNER TO {role}", cancellationToken);
        await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {name} FROM PUBLIC", cancellationToken);
    }

    /// <summary>Fast shutdown (SIGINT): open sessions are ended, data is flushed. Killed after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false } process)
        {
            await process.StopAsync(Posix.SIGINT, timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task InitializeIfNewAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new InvalidOperationException($"{dataDirectory} is neither empty nor a PostgreSQL data directory.");
        }

        if (!File.Exists(Path.Combine(Options.BinDirectory, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not installed (no {Options.BinDirectory}/initdb): run `apt-get install postgresql`.");
        }

        Directory.CreateDirectory(dataDirectory);
        var passwordFile = dataDirectory + ".pwfile";
        PrivateFile.Write(passwordFile, Options.SuperuserPassword);
        try
        {
            if (Posix.IsRoot)
            {
                EnsureReachableByPostgresUser(dataDirectory);
                await RunCheckedAsync("chown", ["postgres:postgres", dataDirectory, passwordFile], cancellationToken);
            }

            List<string> arguments =
            [
                "-D", dataDirectory, "-U", Superuser, "--pwfile", passwordFile,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ];
            if (!Options.Durable)
            {
                arguments.Add("--no-sync");
            }

            var (fileName, initdbArguments) = AsPostgresUser(Path.Combine(Options.BinDirectory, "initdb"), arguments);
            var initdb = ChildProcess.Start(fileName, initdbArguments, Options.Output, workingDirectory: dataDirectory);
            int exitCode;
            try
            {
                exitCode = await initdb.Exited.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                initdb.Kill();
                throw;
            }

            if (exitCode != 0)
            {
                throw new InvalidOperationException($"initdb failed with exit code {exitCode}:{Environment.NewLine}{initdb.Tail}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// Lock files left by a killed server: PostgreSQL refuses to start while they name a live process, and running as
    /// another user it cannot tell a live postmaster from its pid reused by an unrelated process.
    /// </summary>
    private static void RemoveStaleLockFiles(string dataDirectory)
    {
        var lockFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(lockFile)
            && int.TryParse(File.ReadLines(lockFile).FirstOrDefault(), out var pid)
            && Posix.IsAlive(pid)
            && Posix.CommandLine(pid).Contains("postgres", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"PostgreSQL (pid {pid}) is already running on {dataDirectory}.");
        }

        File.Delete(lockFile);
        foreach (var socketLock in Directory.EnumerateFiles(dataDirectory, ".s.PGSQL.*.lock"))
        {
            File.Delete(socketLock);
        }
    }

    private async Task WaitUntilReadyAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var overSocket = new NpgsqlConnectionStringBuilder
        {
            Host = dataDirectory,
            Port = Port,
            Database = "postgres",
            Username = Superuser,
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;
        var deadline = DateTime.UtcNow + Options.StartupTimeout;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL exited with code {await _process.Exited} while starting:{Environment.NewLine}{_process.Tail}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(overSocket);
                await connection.OpenAsync(cancellationToken);
                await ExecuteAsync(
                    connection, $"ALTER ROLE {Superuser} PASSWORD {QuoteLiteral(Options.SuperuserPassword)}", cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException(
                        $"PostgreSQL did not accept connections within {Options.StartupTimeout.TotalSeconds:0} s ({ex.Message}):{Environment.NewLine}{_process.Tail}", ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    /// <summary>initdb refuses to run as root; the postgres user runs the server then.</summary>
    private static (string FileName, IReadOnlyList<string> Arguments) AsPostgresUser(string executable, IReadOnlyList<string> arguments) =>
        Posix.IsRoot
            ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", executable, .. arguments])
            : (executable, arguments);

    private static void EnsureReachableByPostgresUser(string dataDirectory)
    {
        for (var folder = Path.GetDirectoryName(dataDirectory); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (!File.GetUnixFileMode(folder).HasFlag(UnixFileMode.OtherExecute))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the postgres user, which cannot enter {folder}: run `chmod o+x {folder}` or choose another data directory.");
            }
        }
    }

    private static async Task RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ChildProcess.RunAsync(fileName, arguments, cancellationToken: cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed with exit code {exitCode}: {output}");
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = value } } };
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Role, database and password cannot be parameters of CREATE ROLE / CREATE DATABASE, hence quoting.
    private static string QuoteIdentifier(string name) => '"' + name.Replace("\"", "\"\"") + '"';

    private static string QuoteLiteral(string value) => "'" + value.Replace("'", "''") + "'";
}
