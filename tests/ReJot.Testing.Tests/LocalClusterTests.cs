using System.Globalization;
using Npgsql;

namespace ReJot.Testing.Tests;

public sealed class LocalClusterTests
{
    [Fact]
    public async Task Local_cluster_has_logical_wal_level_and_accepts_a_logical_replication_slot()
    {
        await using var server = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);

        Assert.Equal(PostgresProvisioning.LocalCluster, server.Kind);
        Assert.True(server.CanRestart);
        Assert.Equal("logical", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW wal_level"));
        Assert.Equal("64", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW max_replication_slots"));
        Assert.Equal("off", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW fsync"));
        Assert.Equal("postgres", await Support.ScalarAsync<string>(server.ConnectionString, "SELECT current_user"));

        var slot = await Support.ScalarAsync<string>(
            server.ConnectionString, "SELECT slot_name::text FROM pg_create_logical_replication_slot('launcher_test_slot', 'pgoutput')");
        Assert.Equal("launcher_test_slot", slot);
        await Support.ExecuteAsync(server.ConnectionString, "SELECT pg_drop_replication_slot('launcher_test_slot')");
        TestContext.Current.TestOutputHelper?.WriteLine($"cluster start: {server.StartupTime.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Durable_option_keeps_crash_safety_settings()
    {
        var options = Support.LocalOptions();
        options.Durable = true;
        options.Settings["application_name"] = "it's configurable";
        await using var server = await ThrowawayPostgres.StartAsync(options, TestContext.Current.CancellationToken);

        Assert.Equal("on", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW fsync"));
        Assert.Equal("on", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW full_page_writes"));
        Assert.Equal("logical", await Support.ScalarAsync<string>(server.ConnectionString, "SHOW wal_level"));
        Assert.Equal("it's configurable", await Support.ScalarAsync<string>(server.ConnectionString, "SELECT setting FROM pg_settings WHERE name = 'application_name' AND source = 'configuration file'"));
    }

    [Fact]
    public async Task Created_databases_are_isolated_from_each_other()
    {
        await using var server = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);

        var first = await server.CreateDatabaseAsync("Orders-Service", TestContext.Current.CancellationToken);
        var second = await server.CreateDatabaseAsync("accounts", TestContext.Current.CancellationToken);
        await Support.ExecuteAsync(first, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");

        Assert.Equal("orders_service", new NpgsqlConnectionStringBuilder(first).Database);
        Assert.Equal(1L, await Support.ScalarAsync<long>(first, "SELECT count(*) FROM t"));
        Assert.Equal(0L, await Support.ScalarAsync<long>(second, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"));
    }

    [Fact]
    public async Task Dispose_leaves_no_process_and_no_directory()
    {
        var server = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);
        var directory = server.ClusterDirectory!;
        var pid = server.Cluster!.PostmasterProcessId()!.Value;
        var started = ClusterMarker.ProcessStartTime(pid);
        Assert.True(Support.ProcessRuns(pid, started));
        Assert.True(Directory.Exists(directory));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(directory));
        Assert.False(Support.ProcessRuns(pid, started), $"postmaster {pid} still runs after dispose");
    }

    [Fact]
    public async Task Stop_and_restart_keep_the_port_and_the_data()
    {
        await using var server = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);
        var database = await server.CreateDatabaseAsync("restart", TestContext.Current.CancellationToken);
        await Support.ExecuteAsync(database, "CREATE TABLE t (id int); INSERT INTO t VALUES (42)");
        var connectionString = server.ConnectionString;

        await server.StopAsync(immediate: true, TestContext.Current.CancellationToken);
        NpgsqlConnection.ClearAllPools();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Support.ScalarAsync<int>(database, "SELECT 1"));

        await server.RestartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(connectionString, server.ConnectionString);
        Assert.Equal(42, await Support.ScalarAsync<int>(database, "SELECT id FROM t"));

        // A fast stop and a restart of a running server work too (pooled connections do not survive it).
        await server.RestartAsync(TestContext.Current.CancellationToken);
        NpgsqlConnection.ClearAllPools();
        Assert.Equal(42, await Support.ScalarAsync<int>(database, "SELECT id FROM t"));
    }

    [Fact]
    public async Task Missing_binaries_give_one_clear_error_naming_what_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("rejot-no-pg-");
        try
        {
            var options = Support.LocalOptions();
            options.BinariesDirectory = empty.FullName;
            options.UseTestcontainers = true;
            options.ConnectionEnvironmentVariable = "REJOT_TEST_UNSET_" + Guid.NewGuid().ToString("N");

            var error = await Assert.ThrowsAsync<ThrowawayPostgresException>(() => ThrowawayPostgres.StartAsync(options, TestContext.Current.CancellationToken));

            Assert.Contains(empty.FullName, error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
            Assert.Contains(options.ConnectionEnvironmentVariable, error.Message, StringComparison.Ordinal);
            Assert.Contains("Docker", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Cluster_start_time_is_measured()
    {
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            await using var server = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);
            times.Add(server.StartupTime.TotalMilliseconds);
            Assert.True(server.StartupTime > TimeSpan.Zero);
        }

        times.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"cluster start times (ms): {string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}; median {times[1]:F0} ms"));
        Assert.True(times[1] < 30_000, "a throwaway cluster should start in well under 30 s");
    }
}
