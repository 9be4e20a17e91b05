using Npgsql;
using ReJot.TestSupport;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace ReJot.Testing.Tests;

internal static class Support
{
    /// <summary>Local clusters regardless of REJOT_POSTGRES_CONNECTION: these tests are about the launcher itself.</summary>
    public static ThrowawayPostgresOptions LocalOptions(string? root = null) =>
        new() { NamePrefix = "launcher-test", ConnectionEnvironmentVariable = null, UseTestcontainers = false, RootDirectory = root };

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>True while a process with this PID and start time exists.</summary>
    public static bool ProcessRuns(int pid, string? startTime) =>
        startTime is not null && ClusterMarker.ProcessStartTime(pid) == startTime;

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
