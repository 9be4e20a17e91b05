using Npgsql;

namespace ReJot.Testing.Tests;

public sealed class EnvironmentOverrideTests
{
    [Fact]
    public async Task Connection_from_the_environment_variable_is_used_and_its_databases_are_dropped_on_dispose()
    {
        await using var existing = await ThrowawayPostgres.StartAsync(Support.LocalOptions(), TestContext.Current.CancellationToken);
        var variable = "REJOT_TEST_CONNECTION_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, existing.ConnectionString);
        try
        {
            var options = new ThrowawayPostgresOptions { ConnectionEnvironmentVariable = variable, NamePrefix = "envtest" };
            var server = await ThrowawayPostgres.StartAsync(options, TestContext.Current.CancellationToken);
            Assert.Equal(PostgresProvisioning.Environment, server.Kind);
            Assert.False(server.CanRestart);
            Assert.Null(server.ClusterDirectory);
            await Assert.ThrowsAsync<NotSupportedException>(() => server.StopAsync(cancellationToken: TestContext.Current.CancellationToken));

            var first = await server.CreateDatabaseAsync("shared", TestContext.Current.CancellationToken);
            var name = new NpgsqlConnectionStringBuilder(first).Database!;
            Assert.StartsWith("shared_envtest_", name, StringComparison.Ordinal);
            var slot = await Support.ScalarAsync<string>(first, "SELECT slot_name::text FROM pg_create_logical_replication_slot('env_test_slot', 'pgoutput')");
            Assert.Equal("env_test_slot", slot);
            var exists = $"SELECT count(*) FROM pg_database WHERE datname = '{name}'";
            Assert.Equal(1L, await Support.ScalarAsync<long>(existing.ConnectionString, exists));

            await server.DisposeAsync();

            // Dropped despite its replication slot; the server itself keeps running.
            Assert.Equal(0L, await Support.ScalarAsync<long>(existing.ConnectionString, exists));
            Assert.Equal(0L, await Support.ScalarAsync<long>(existing.ConnectionString, "SELECT count(*) FROM pg_replication_slots"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Server_from_the_environment_without_logical_wal_level_is_refused_with_the_fix()
    {
        var replicaOptions = Support.LocalOptions();
        replicaOptions.Settings["wal_level"] = "replica";
        await using var existing = await ThrowawayPostgres.StartAsync(replicaOptions, TestContext.Current.CancellationToken);
        var variable = "REJOT_TEST_CONNECTION_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, existing.ConnectionString);
        try
        {
            var error = await Assert.ThrowsAsync<ThrowawayPostgresException>(
                () => ThrowawayPostgres.StartAsync(new ThrowawayPostgresOptions { ConnectionEnvironmentVariable = variable }, TestContext.Current.CancellationToken));

            Assert.Contains("wal_level=replica", error.Message, StringComparison.Ordinal);
            Assert.Contains("wal_level = logical", error.Message, StringComparison.Ordinal);
            Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Unreachable_server_from_the_environment_is_reported_clearly()
    {
        var variable = "REJOT_TEST_CONNECTION_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2");
        try
        {
            var error = await Assert.ThrowsAsync<ThrowawayPostgresException>(
                () => ThrowawayPostgres.StartAsync(new ThrowawayPostgresOptions { ConnectionEnvironmentVariable = variable }, TestContext.Current.CancellationToken));

            Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
            Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
