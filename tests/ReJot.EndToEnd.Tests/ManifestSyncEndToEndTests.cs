using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using ReJot.TestSupport;

namespace ReJot.EndToEnd.Tests;

/// <summary>
/// The CLI as a user runs it, as child processes: <c>rejot collect --write</c> puts the C# contract into a
/// hand-written base manifest (connections and stores), then <c>rejot manifest sync</c> moves data until
/// interrupted.
/// </summary>
public sealed class ManifestSyncEndToEndTests(PostgresFixture postgres) : IDisposable
{
    private const string Contract = """"
        using ReJot.Schemas;

        [assembly: ReJotManifest("accounts-service")]

        namespace Accounts;

        [PublicSchema("account", Source = "accounts", Major = 1)]
        [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email FROM accounts WHERE id = :id""")]
        [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
        public sealed partial record Account([property: Key] long Id, string Name, string? Email);

        [ConsumerSchema("accounts-into-orders", Destination = "orders")]
        [Consumes("accounts-service", "account", Major = 1)]
        public sealed partial class AccountsIntoOrders
        {
            [UpsertSql] public const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
            [DeleteSql] public const string Delete = "DELETE FROM order_accounts WHERE id = :id";
        }
        """";

    private readonly string _directory = Directory.CreateTempSubdirectory("rejot-e2e-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Collect_then_manifest_sync_moves_inserts_updates_and_deletes_and_stops_cleanly_on_interrupt()
    {
        var source = await postgres.CreateDatabaseAsync("e2e_accounts");
        var destination = await postgres.CreateDatabaseAsync("e2e_orders");
        await ExecuteAsync(source, "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text)");
        await ExecuteAsync(destination, "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL)");
        var slot = $"rejot_e2e_{Environment.ProcessId}";
        File.WriteAllText(Path.Combine(_directory, "rejot-manifest.json"), $$$"""
            {
              "slug": "accounts-service",
              "manifestVersion": 0,
              "connections": [{{{Connection("accounts", source)}}}, {{{Connection("orders", destination)}}}],
              "dataStores": [
                {"connectionSlug": "accounts", "config": {"connectionType": "postgres", "slotName": "{{{slot}}}", "publicationName": "rejot_e2e"}},
                {"connectionSlug": "orders"}
              ],
              "eventStores": [{"connectionSlug": "accounts"}]
            }
            """);
        Directory.CreateDirectory(Path.Combine(_directory, "src"));
        File.WriteAllText(Path.Combine(_directory, "src", "Account.cs"), Contract);

        var collect = await RunToEndAsync("collect", "src", "--write");
        Assert.True(collect.ExitCode == 0, $"collect failed: {collect.Output}");

        var port = FreePort();
        using var sync = Start("manifest", "sync", "rejot-manifest.json", "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "info", "--verbose");
        var output = new StringBuilder();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sync.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("ReJot sync running", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        sync.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        sync.BeginOutputReadLine();
        sync.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(running.Task, sync.WaitForExitAsync(Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.True(running.Task.IsCompleted, $"manifest sync did not start:\n{Snapshot(output)}");

            await ExecuteAsync(source, "INSERT INTO accounts VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', NULL)");
            await WaitAsync(async () => await CountAsync(destination, "SELECT count(*) FROM order_accounts") == 2, "inserts", output);
            await ExecuteAsync(source, "UPDATE accounts SET name = 'Ada L.' WHERE id = 1");
            await ExecuteAsync(source, "DELETE FROM accounts WHERE id = 2");
            await WaitAsync(async () => await CountAsync(destination, "SELECT count(*) FROM order_accounts WHERE id = 1 AND name = 'Ada L.'") == 1
                && await CountAsync(destination, "SELECT count(*) FROM order_accounts") == 1, "update and delete", output);

            using var http = new HttpClient();
            var status = await http.GetStringAsync($"http://localhost:{port}/status", Ct);
            Assert.Contains("started", status, StringComparison.Ordinal);

            // Ctrl+C: a clean stop with exit code 0.
            // A process started in the background by a non-interactive shell (nohup, `cmd &`) inherits SIGINT as ignored,
            // and so does the child: Ctrl+C cannot reach it there. Then the test stops it with SIGTERM, the other clean stop.
            var signal = SigIntIgnored() ? "-TERM" : "-INT";
            TestContext.Current.SendDiagnosticMessage($"stopping manifest sync with kill {signal}");
            using (var kill = Process.Start("kill", [signal, sync.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            // Longer than the host's 30 s shutdown timeout: a stop that overruns it still ends the process, and the exit
            // code and output below say how; a process that does not end at all fails here with its output.
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await sync.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"manifest sync did not end 60 s after SIGINT:\n{Snapshot(output)}");
            }

            TestContext.Current.SendDiagnosticMessage($"manifest sync stopped {stopping.Elapsed.TotalSeconds:F1} s after SIGINT");
            Assert.True(sync.ExitCode == 0, $"exit code {sync.ExitCode}:\n{Snapshot(output)}");
            Assert.Contains("Stopped.", Snapshot(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!sync.HasExited)
            {
                sync.Kill(entireProcessTree: true);
                await sync.WaitForExitAsync(CancellationToken.None);
            }

            await ExecuteAsync(source, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
        }
    }

    [Fact]
    public async Task Rejot_backfill_asks_the_running_sync_to_publish_existing_rows_and_reports_completion()
    {
        var source = await postgres.CreateDatabaseAsync("e2e_backfill_accounts");
        var destination = await postgres.CreateDatabaseAsync("e2e_backfill_orders");
        await ExecuteAsync(source, "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text); INSERT INTO accounts SELECT i, 'existing ' || i, NULL FROM generate_series(1, 2500) AS i");
        await ExecuteAsync(destination, "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL)");
        var slot = $"rejot_e2e_bf_{Environment.ProcessId}";
        File.WriteAllText(Path.Combine(_directory, "rejot-manifest.json"), $$$"""
            {
              "slug": "accounts-service",
              "manifestVersion": 0,
              "connections": [{{{Connection("accounts", source)}}}, {{{Connection("orders", destination)}}}],
              "dataStores": [
                {"connectionSlug": "accounts", "config": {"connectionType": "postgres", "slotName": "{{{slot}}}", "publicationName": "rejot_e2e_bf"}},
                {"connectionSlug": "orders"}
              ],
              "eventStores": [{"connectionSlug": "accounts"}]
            }
            """);
        Directory.CreateDirectory(Path.Combine(_directory, "src"));
        File.WriteAllText(Path.Combine(_directory, "src", "Account.cs"), Contract);
        var collect = await RunToEndAsync("collect", "src", "--write");
        Assert.True(collect.ExitCode == 0, $"collect failed: {collect.Output}");

        // Without a migrated event store there is nothing to ask: a clear error.
        var early = await RunToEndAsync("backfill", "account");
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("start the sync engine", early.Output, StringComparison.Ordinal);

        using var sync = Start("manifest", "sync", "rejot-manifest.json", "--api-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var output = new StringBuilder();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sync.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("ReJot sync running", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        sync.BeginOutputReadLine();
        try
        {
            await Task.WhenAny(running.Task, sync.WaitForExitAsync(Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.True(running.Task.IsCompleted, $"manifest sync did not start:\n{Snapshot(output)}");

            var backfill = await RunToEndAsync("backfill", "account", "--filter", "id <= 2000");
            Assert.True(backfill.ExitCode == 0, $"backfill failed:\n{backfill.Output}\n{Snapshot(output)}");
            Assert.Contains("completed: 2,000 row(s) read, 2,000 event(s) stored", backfill.Output, StringComparison.Ordinal);
            await WaitAsync(async () => await CountAsync(destination, "SELECT count(*) FROM order_accounts") == 2000, "backfilled rows", output);

            var unknown = await RunToEndAsync("backfill", "nope");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("No public schema 'nope'", unknown.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (!sync.HasExited)
            {
                sync.Kill(entireProcessTree: true);
                await sync.WaitForExitAsync(CancellationToken.None);
            }

            await ExecuteAsync(source, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
        }
    }

    [Fact]
    public async Task Manifest_sync_with_an_invalid_manifest_says_why_and_exits_1()
    {
        File.WriteAllText(Path.Combine(_directory, "rejot-manifest.json"), """
            {"slug": "broken", "manifestVersion": 0,
             "consumerSchemas": [{"name": "c", "sourceManifestSlug": "broken", "publicSchema": {"name": "missing", "majorVersion": 1},
               "config": {"consumerSchemaType": "postgres", "destinationDataStoreSlug": "nowhere", "sql": "SELECT 1"}}]}
            """);
        var result = await RunToEndAsync("manifest", "sync", "rejot-manifest.json", "--api-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Cannot sync: invalid manifest configuration.", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Connection(string slug, string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        // The manifest format requires a password; the throwaway cluster trusts local connections and ignores it.
        var password = $", \"password\": \"{b.Password ?? "unused"}\"";
        return $$$"""{"slug": "{{{slug}}}", "config": {"connectionType": "postgres", "host": "{{{b.Host}}}", "port": {{{b.Port}}}, "user": "{{{b.Username}}}"{{{password}}}, "database": "{{{b.Database}}}"}}""";
    }

    private Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rejot.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private async Task<(int ExitCode, string Output)> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(120), Ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, StringBuilder output)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}. Output:\n{Snapshot(output)}");
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Whether this process ignores SIGINT (inherited by the processes it starts): bit 2 of SigIgn in /proc/self/status.</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
            && (mask & 0x2) != 0;
    }
}
