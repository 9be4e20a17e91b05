using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReJot.Testing;

/// <summary>A throwaway PostgreSQL cluster in its own directory: initdb, pg_ctl start/stop, delete.</summary>
internal sealed class LocalCluster
{
    private const int PortAttempts = 5;
    private static readonly ConcurrentDictionary<LocalCluster, byte> s_live = new();
    private static int s_processExitHooked;

    private readonly string _binaries;
    private readonly TimeSpan _timeout;
    private int _deleted;

    private LocalCluster(string binaries, string clusterDirectory, TimeSpan timeout)
    {
        _binaries = binaries;
        ClusterDirectory = clusterDirectory;
        _timeout = timeout;
    }

    public string ClusterDirectory { get; }

    public string DataDirectory => Path.Combine(ClusterDirectory, "data");

    public string LogFile => Path.Combine(ClusterDirectory, "server.log");

    public int Port { get; private set; }

    public bool IsRunning { get; private set; }

    public static string DefaultRootDirectory => Path.Combine(Path.GetTempPath(), "rejot-pg");

    public static async Task<LocalCluster> CreateAsync(string binaries, ThrowawayPostgresOptions options, CancellationToken cancellationToken)
    {
        HookProcessExit();
        var root = options.RootDirectory ?? DefaultRootDirectory;
        Directory.CreateDirectory(root);
        if (ProcessRunner.RunningAsRoot && !OperatingSystem.IsWindows())
        {
            // The server runs as 'postgres' and must be able to enter the parent of its cluster directory.
            var mode = File.GetUnixFileMode(root);
            const UnixFileMode traverse = UnixFileMode.OtherExecute | UnixFileMode.GroupExecute;
            if ((mode & traverse) != traverse)
            {
                File.SetUnixFileMode(root, mode | traverse);
            }
        }

        await ReapOrphansAsync(root, cancellationToken).ConfigureAwait(false);

        // Short: the server's unix socket path must stay under ~107 bytes.
        var name = string.Create(CultureInfo.InvariantCulture, $"{options.NamePrefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var cluster = new LocalCluster(binaries, Path.Combine(root, name), options.Timeout);
        Directory.CreateDirectory(cluster.ClusterDirectory);
        var ownerPid = options.OwnerProcessIdOverride ?? Environment.ProcessId;
        new ClusterMarker(ownerPid, ClusterMarker.ProcessStartTime(ownerPid), options.NamePrefix, binaries).Write(cluster.ClusterDirectory);
        s_live[cluster] = 0;
        try
        {
            await cluster.InitializeAsync(options, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DestroyAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var result = await PgCtlAsync(["-D", DataDirectory, "-l", LogFile, "-w", "-t", TimeoutSeconds, "start"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ThrowawayPostgresException(
                $"pg_ctl could not start the throwaway PostgreSQL cluster in '{DataDirectory}' on port {Port}: {Describe(result)}{Environment.NewLine}{LogTail()}");
        }

        IsRunning = true;
    }

    /// <summary>Stops the server (fast shutdown, immediate if that does not finish in time).</summary>
    public async Task StopAsync(bool immediate, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            IsRunning = false;
            return;
        }

        var postmaster = ReadPostmasterPid(DataDirectory);
        var postmasterStart = postmaster is null ? null : ClusterMarker.ProcessStartTime(postmaster.Value);
        var result = await PgCtlAsync(["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", TimeoutSeconds, "stop"], cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded && !immediate)
        {
            result = await PgCtlAsync(["-D", DataDirectory, "-m", "immediate", "-w", "-t", TimeoutSeconds, "stop"], cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            KillPostmaster(DataDirectory);
        }

        // pg_ctl returns once postmaster.pid is gone, which the postmaster removes just before it exits.
        if (postmaster is not null && postmasterStart is not null)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (ClusterMarker.ProcessStartTime(postmaster.Value) == postmasterStart && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        IsRunning = false;
    }

    /// <summary>Stops the server and deletes the cluster directory.</summary>
    public async Task DestroyAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _deleted, 1) == 1)
        {
            return;
        }

        try
        {
            await StopAsync(immediate: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteDirectory(ClusterDirectory);
            s_live.TryRemove(this, out _);
        }
    }

    /// <summary>The postmaster's PID from postmaster.pid, or null when the server is not running.</summary>
    public int? PostmasterProcessId() => ReadPostmasterPid(DataDirectory);

    /// <summary>Stops and deletes every cluster under <paramref name="root"/> whose marker names an owner that is gone.</summary>
    public static async Task<int> ReapOrphansAsync(string root, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var reaped = 0;
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var marker = ClusterMarker.TryRead(directory);
            if (marker is null || marker.OwnerIsAlive() || s_live.Keys.Any(c => c.ClusterDirectory == directory))
            {
                continue;
            }

            var dataDirectory = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            {
                var pgCtl = Path.Combine(marker.BinariesDirectory, "pg_ctl");
                var result = File.Exists(pgCtl)
                    ? await ProcessRunner.RunAsync(pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "20", "stop"], asServerUser: true, directory, TimeSpan.FromSeconds(30), cancellationToken)
                        .ConfigureAwait(false)
                    : null;
                if (result is null || !result.Succeeded)
                {
                    KillPostmaster(dataDirectory);
                }
            }

            DeleteDirectory(directory);
            reaped++;
        }

        return reaped;
    }

    private string TimeoutSeconds => ((int)Math.Ceiling(_timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private async Task InitializeAsync(ThrowawayPostgresOptions options, CancellationToken cancellationToken)
    {
        if (ProcessRunner.RunningAsRoot)
        {
            var chown = await ProcessRunner.RunAsync("chown", ["postgres:postgres", ClusterDirectory], asServerUser: false, workingDirectory: null, TimeSpan.FromSeconds(10), cancellationToken)
                .ConfigureAwait(false);
            if (!chown.Succeeded)
            {
                throw new ThrowawayPostgresException(
                    $"This process runs as root and PostgreSQL refuses to run as root, so the cluster must belong to the 'postgres' OS user, but 'chown postgres:postgres {ClusterDirectory}' failed: {Describe(chown)}. " +
                    "Create that user (the Debian package 'postgresql' does) or run the tests as a non-root user.");
            }
        }

        var initdb = await ProcessRunner.RunAsync(
            Path.Combine(_binaries, "initdb"),
            ["-D", DataDirectory, "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"],
            asServerUser: true,
            ClusterDirectory,
            _timeout,
            cancellationToken).ConfigureAwait(false);
        if (!initdb.Succeeded)
        {
            throw new ThrowawayPostgresException($"initdb ({_binaries}) failed for a throwaway cluster in '{DataDirectory}': {Describe(initdb)}");
        }

        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", "127.0.0.1"),
            new("unix_socket_directories", ClusterDirectory),
            new("wal_level", "logical"),
            new("max_replication_slots", "64"),
            new("max_wal_senders", "64"),
            new("max_connections", "300"),
        };
        if (!options.Durable)
        {
            settings.Add(new("fsync", "off"));
            settings.Add(new("full_page_writes", "off"));

            // synchronous_commit stays on: an immediate stop (the fault tests' crash) would otherwise lose
            // acknowledged commits. With fsync off a commit's WAL flush is only a write(), so it costs little.
        }

        settings.AddRange(options.Settings);
        var conf = new StringBuilder().AppendLine().AppendLine("# ReJot throwaway cluster");
        foreach (var (key, value) in settings)
        {
            conf.Append(key).Append(" = '").Append(value.Replace("'", "''", StringComparison.Ordinal)).AppendLine("'");
        }

        var confPath = Path.Combine(DataDirectory, "postgresql.conf");
        await File.AppendAllTextAsync(confPath, conf.ToString(), cancellationToken).ConfigureAwait(false);

        // Another process may take the free port between our probe and the server's bind: retry on a new one.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            await File.AppendAllTextAsync(confPath, $"port = {Port.ToString(CultureInfo.InvariantCulture)}{Environment.NewLine}", cancellationToken).ConfigureAwait(false);
            var result = await PgCtlAsync(["-D", DataDirectory, "-l", LogFile, "-w", "-t", TimeoutSeconds, "start"], cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                IsRunning = true;
                return;
            }

            var log = LogTail();
            var portTaken = log.Contains("already in use", StringComparison.OrdinalIgnoreCase)
                || log.Contains("could not create any TCP/IP sockets", StringComparison.OrdinalIgnoreCase);
            if (!portTaken || attempt == PortAttempts)
            {
                throw new ThrowawayPostgresException(
                    $"pg_ctl could not start the throwaway PostgreSQL cluster in '{DataDirectory}' on port {Port}: {Describe(result)}{Environment.NewLine}{log}");
            }

            await StopAsync(immediate: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<ProcessResult> PgCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(Path.Combine(_binaries, "pg_ctl"), arguments, asServerUser: true, ClusterDirectory, _timeout + TimeSpan.FromSeconds(10), cancellationToken);

    private string LogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return "server log (" + LogFile + "):" + Environment.NewLine + string.Join(Environment.NewLine, lines.TakeLast(15));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    private static string Describe(ProcessResult result) =>
        result.TimedOut ? "timed out" : $"exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)}: {result.Output}";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int? ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Last resort when pg_ctl fails: SIGKILL the postmaster named in postmaster.pid, if it serves this data directory.</summary>
    private static void KillPostmaster(string dataDirectory)
    {
        var pid = ReadPostmasterPid(dataDirectory);
        if (pid is null)
        {
            return;
        }

        try
        {
            // Guard against a reused PID: the postmaster's command line names its data directory.
            if (OperatingSystem.IsLinux())
            {
                var cmdline = File.ReadAllText($"/proc/{pid.Value.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ');
                if (!cmdline.Contains(dataDirectory, StringComparison.Ordinal))
                {
                    return;
                }
            }

            using var process = Process.GetProcessById(pid.Value);
            process.Kill(entireProcessTree: false);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static void DeleteDirectory(string directory)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                // A server still exiting may remove files under us: try again.
                Thread.Sleep(50);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static void HookProcessExit()
    {
        if (Interlocked.Exchange(ref s_processExitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllNow();
        }
    }

    /// <summary>Best effort at process exit: immediate stop and delete, synchronously.</summary>
    private static void StopAllNow()
    {
        foreach (var cluster in s_live.Keys)
        {
            try
            {
                if (File.Exists(Path.Combine(cluster.DataDirectory, "postmaster.pid")))
                {
                    var result = ProcessRunner.Run(Path.Combine(cluster._binaries, "pg_ctl"), ["-D", cluster.DataDirectory, "-m", "immediate", "-w", "-t", "10", "stop"], asServerUser: true, TimeSpan.FromSeconds(15));
                    if (!result.Succeeded)
                    {
                        KillPostmaster(cluster.DataDirectory);
                    }
                }

                DeleteDirectory(cluster.ClusterDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Best effort: the next StartAsync reaps what is left.
            }
        }
    }
}
