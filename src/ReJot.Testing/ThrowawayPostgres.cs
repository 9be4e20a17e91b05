using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;

namespace ReJot.Testing;

/// <summary>
/// A PostgreSQL server with <c>wal_level=logical</c> for tests, examples and benchmarks. In order of preference:
/// an existing server named by an environment variable (<c>REJOT_POSTGRES_CONNECTION</c>), a throwaway local
/// cluster created with the PostgreSQL binaries on this machine, or a Testcontainers container when a Docker engine
/// answers. Disposing stops and deletes what was created; clusters left behind by a crashed process are reaped on
/// the next start.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly LocalCluster? _cluster;
    private readonly PostgreSqlContainer? _container;
    private readonly string _databaseSuffix;
    private readonly ConcurrentDictionary<string, byte> _createdDatabases = new(StringComparer.Ordinal);
    private readonly string _namePrefix;
    private int _disposed;

    private ThrowawayPostgres(
        PostgresProvisioning kind,
        string connectionString,
        TimeSpan startupTime,
        string namePrefix,
        LocalCluster? cluster = null,
        PostgreSqlContainer? container = null)
    {
        Kind = kind;
        ConnectionString = connectionString;
        StartupTime = startupTime;
        _namePrefix = namePrefix;
        _cluster = cluster;
        _container = container;
        _databaseSuffix = Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>Connection string of a superuser to the server's maintenance database (<c>postgres</c>, or the one given by the environment).</summary>
    public string ConnectionString { get; }

    /// <summary>How the server was obtained.</summary>
    public PostgresProvisioning Kind { get; }

    /// <summary>Wall time <see cref="StartAsync(ThrowawayPostgresOptions?, CancellationToken)"/> took (search, initdb, start, checks).</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>True for local clusters: <see cref="StopAsync(bool, CancellationToken)"/> and <see cref="RestartAsync(CancellationToken)"/> work.</summary>
    public bool CanRestart => _cluster is not null;

    /// <summary>The local cluster's directory (data, socket, log), or <see langword="null"/> for other kinds.</summary>
    public string? ClusterDirectory => _cluster?.ClusterDirectory;

    /// <summary>The local cluster's server log file, or <see langword="null"/> for other kinds.</summary>
    public string? ServerLogFile => _cluster?.LogFile;

    internal LocalCluster? Cluster => _cluster;

    /// <summary>
    /// Provides a server: the environment's if its variable is set, else a local throwaway cluster, else a
    /// Testcontainers container. Throws <see cref="ThrowawayPostgresException"/> saying what was tried and what
    /// to install when none is possible.
    /// </summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (for tests: fsync off).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop and delete it.</returns>
    public static async Task<ThrowawayPostgres> StartAsync(ThrowawayPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ThrowawayPostgresOptions();
        ValidatePrefix(options.NamePrefix);
        var stopwatch = Stopwatch.StartNew();
        var tried = new List<string>();

        if (options.ConnectionEnvironmentVariable is { } variable)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                var connectionString = NormalizeConnectionString(fromEnvironment, variable);
                await VerifyServerAsync(connectionString, $"the server named by {variable}", $"or unset {variable} to use a throwaway local cluster", cancellationToken)
                    .ConfigureAwait(false);
                return new ThrowawayPostgres(PostgresProvisioning.Environment, connectionString, stopwatch.Elapsed, options.NamePrefix);
            }

            tried.Add($"environment variable {variable}: not set");
        }

        var binaries = await PostgresBinaries.FindAsync(options.BinariesDirectory, tried, cancellationToken).ConfigureAwait(false);
        if (binaries is not null)
        {
            // Binaries exist: a failure here is a real problem to report, not a reason to try Docker.
            var cluster = await LocalCluster.CreateAsync(binaries, options, cancellationToken).ConfigureAwait(false);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = cluster.Port,
                Username = "postgres",
                Database = "postgres",
            };
            return new ThrowawayPostgres(PostgresProvisioning.LocalCluster, builder.ConnectionString, stopwatch.Elapsed, options.NamePrefix, cluster);
        }

        if (options.UseTestcontainers)
        {
            var (available, description) = await DockerProbe.ProbeAsync(cancellationToken).ConfigureAwait(false);
            if (available)
            {
                var container = await StartContainerAsync(options, cancellationToken).ConfigureAwait(false);
                return new ThrowawayPostgres(PostgresProvisioning.Testcontainers, container.GetConnectionString(), stopwatch.Elapsed, options.NamePrefix, container: container);
            }

            tried.Add("Docker (Testcontainers): " + description);
        }
        else
        {
            tried.Add("Docker (Testcontainers): disabled by options");
        }

        var message = new StringBuilder()
            .AppendLine("No PostgreSQL server is available for ReJot's tests, example or benchmarks. Tried:");
        foreach (var line in tried)
        {
            message.Append("  - ").AppendLine(line);
        }

        message.Append("Fix: install the PostgreSQL server binaries, 15 or newer (Debian/Ubuntu: 'apt-get install postgresql'), ")
            .Append("or set ").Append(options.ConnectionEnvironmentVariable ?? ThrowawayPostgresOptions.DefaultConnectionEnvironmentVariable)
            .Append(" to the connection string of a server with wal_level=logical (e.g. 'Host=localhost;Port=5432;Username=postgres;Password=...').");
        throw new ThrowawayPostgresException(message.ToString());
    }

    /// <summary>The connection string for <paramref name="database"/> on this server, with the same credentials.</summary>
    /// <param name="database">Database name.</param>
    /// <returns>A connection string.</returns>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>
    /// Creates a fresh database and returns its connection string. The name is <paramref name="name"/> lower-cased
    /// with characters other than letters, digits and '_' replaced by '_'. On a shared server
    /// (<see cref="PostgresProvisioning.Environment"/>) a suffix unique to this instance is appended and the
    /// database is dropped on dispose; use the returned connection string rather than the name.
    /// </summary>
    /// <param name="name">Name (or name hint on a shared server).</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The connection string of the new database.</returns>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var database = SanitizeIdentifier(name);
        if (Kind == PostgresProvisioning.Environment)
        {
            var suffix = "_" + SanitizeIdentifier(_namePrefix) + "_" + _databaseSuffix;
            database = database[..Math.Min(database.Length, 63 - suffix.Length)] + suffix;
        }

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _createdDatabases[database] = 0;
        return GetConnectionString(database);
    }

    /// <summary>
    /// Stops a local cluster, keeping its port and data (for fault-injection tests). <paramref name="immediate"/>
    /// simulates a crash (<c>pg_ctl -m immediate</c>); otherwise a fast shutdown.
    /// </summary>
    /// <param name="immediate">Immediate (crash-like) rather than fast shutdown.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the server is down.</returns>
    public Task StopAsync(bool immediate = false, CancellationToken cancellationToken = default)
    {
        var cluster = RequireCluster();
        return cluster.StopAsync(immediate, cancellationToken);
    }

    /// <summary>Starts a stopped local cluster again on the same port with the same data (stopping it first if it runs).</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var cluster = RequireCluster();
        if (cluster.IsRunning)
        {
            await cluster.StopAsync(immediate: false, cancellationToken).ConfigureAwait(false);
        }

        await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops and deletes a local cluster or container; on a shared server drops the databases this instance created.</summary>
    /// <returns>A task that completes when cleanup is done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_cluster is not null)
        {
            await _cluster.DestroyAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await DropCreatedDatabasesAsync().ConfigureAwait(false);
        }
    }

    private LocalCluster RequireCluster()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return _cluster ?? throw new NotSupportedException(
            $"Stop and restart need a local throwaway cluster; this server was provisioned as {Kind}. Check {nameof(CanRestart)} first.");
    }

    private async Task DropCreatedDatabasesAsync()
    {
        foreach (var database in _createdDatabases.Keys)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync().ConfigureAwait(false);

                // A database with a replication slot cannot be dropped: end its walsenders and drop its slots first.
                await using (var slots = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL", connection))
                {
                    slots.Parameters.AddWithValue(database);
                    await slots.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await using (var drop = new NpgsqlCommand(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active", connection))
                {
                    drop.Parameters.AddWithValue(database);
                    await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                NpgsqlConnection.ClearPool(new NpgsqlConnection(GetConnectionString(database)));
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {QuoteIdentifier(database)} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // Best effort on a shared server: a leftover database is harmless and named after its owner.
            }
        }
    }

    private static string NormalizeConnectionString(string value, string variable)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new ThrowawayPostgresException($"{variable} has no Host: give a full connection string such as 'Host=localhost;Port=5432;Username=postgres;Password=...'.");
            }

            if (string.IsNullOrEmpty(builder.Database))
            {
                builder.Database = "postgres";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new ThrowawayPostgresException(
                $"{variable} is not a valid Npgsql connection string ({ex.Message}); expected e.g. 'Host=localhost;Port=5432;Username=postgres;Password=...'.", ex);
        }
    }

    private static async Task VerifyServerAsync(string connectionString, string what, string alternative, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}";
        string walLevel;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SHOW wal_level", connection);
            walLevel = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new ThrowawayPostgresException($"Could not connect to {what} at {where}: {ex.Message}. Check the connection string, {alternative}.", ex);
        }

        if (!string.Equals(walLevel, "logical", StringComparison.Ordinal))
        {
            throw new ThrowawayPostgresException(
                $"{what} at {where} has wal_level={walLevel}; ReJot needs wal_level=logical. Set 'wal_level = logical' in its postgresql.conf and restart it, {alternative}.");
        }
    }

    private static async Task<PostgreSqlContainer> StartContainerAsync(ThrowawayPostgresOptions options, CancellationToken cancellationToken)
    {
        // Unverified here: no Docker engine on the development machine. Follows Testcontainers.PostgreSql 4.x.
        var settings = new List<KeyValuePair<string, string>>
        {
            new("wal_level", "logical"),
            new("max_replication_slots", "64"),
            new("max_wal_senders", "64"),
            new("max_connections", "300"),
        };
        if (!options.Durable)
        {
            settings.Add(new("fsync", "off"));
            settings.Add(new("full_page_writes", "off"));
        }

        settings.AddRange(options.Settings);
        var command = settings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" }).ToArray();
        var container = new PostgreSqlBuilder(options.ContainerImage)
            .WithDatabase("postgres")
            .WithUsername("postgres")
            .WithPassword("postgres")
            .WithCommand(command)
            .Build();
        try
        {
            await container.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw new ThrowawayPostgresException(
                $"A Docker engine answered but the PostgreSQL container ({options.ContainerImage}) did not start: {ex.Message}. " +
                "Install the PostgreSQL server binaries ('apt-get install postgresql') or set REJOT_POSTGRES_CONNECTION.", ex);
        }

        return container;
    }

    private static void ValidatePrefix(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 32 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException(
                $"NamePrefix '{prefix}' must be 1 to 32 characters of ASCII letters, digits, '-' and '_'.", nameof(ThrowawayPostgresOptions.NamePrefix));
        }
    }

    internal static string SanitizeIdentifier(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, "db_");
        }

        return builder.Length > 63 ? builder.ToString(0, 63) : builder.ToString();
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
