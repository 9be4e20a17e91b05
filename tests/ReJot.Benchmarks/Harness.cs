using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReJot.Testing;

namespace ReJot.Benchmarks;

/// <summary>Two throwaway clusters with the same durable settings: A holds sources (and by default ReJot's sink and event store), B the native subscribers.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private Harness(ThrowawayPostgres a, ThrowawayPostgres b)
    {
        A = a;
        B = b;
    }

    public ThrowawayPostgres A { get; }

    public ThrowawayPostgres B { get; }

    public static async Task<Harness> StartAsync()
    {
        var a = await ThrowawayPostgres.StartAsync(Options());
        try
        {
            return new Harness(a, await ThrowawayPostgres.StartAsync(Options()));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    private static ThrowawayPostgresOptions Options()
    {
        // fsync, full_page_writes and synchronous_commit on (crash-safe) on both clusters; commit timestamps for latency.
        var options = new ThrowawayPostgresOptions { Durable = true, NamePrefix = "rejot-bench", ConnectionEnvironmentVariable = null };
        options.Settings["track_commit_timestamp"] = "on";
        options.Settings["shared_buffers"] = "256MB";
        options.Settings["max_wal_size"] = "4GB";

        // A re-enabled subscription's apply worker otherwise waits up to 5 s (the launcher's restart interval),
        // which would count against native in the backlog catch-up.
        options.Settings["wal_retrieve_retry_interval"] = "100ms";
        return options;
    }

    /// <summary>Creates a database with the benchmark table (source shape or sink shape).</summary>
    public static async Task<NpgsqlDataSource> CreateDatabaseAsync(ThrowawayPostgres server, string name, bool sink)
    {
        var connection = await server.CreateDatabaseAsync(name);
        var dataSource = NpgsqlDataSource.Create(connection);
        await ExecuteAsync(dataSource, sink ? BenchModel.SinkDdl : BenchModel.SourceDdl);
        return dataSource;
    }

    public static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<(long Count, string Sum)> ChecksumAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand(BenchModel.ChecksumSql);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>
    /// Polls <paramref name="done"/> until true. Fails when <paramref name="progress"/> (e.g. the sink's row count or
    /// last update) has not changed for <paramref name="stall"/>: a lost event must not hang the run.
    /// </summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> done, Func<Task<string>> progress, TimeSpan stall, TimeSpan pollEvery)
    {
        var last = string.Empty;
        var unchanged = Stopwatch.StartNew();
        while (!await done())
        {
            var now = await progress();
            if (now != last)
            {
                last = now;
                unchanged.Restart();
            }
            else if (unchanged.Elapsed > stall)
            {
                return false;
            }

            await Task.Delay(pollEvery);
        }

        return true;
    }

    /// <summary>Creates a publication on the source and a subscription on the sink; waits until it streams.</summary>
    public async Task<string> SubscribeAsync(NpgsqlDataSource source, string sourceDatabase, NpgsqlDataSource sink, string name, bool asyncCommit)
    {
        await ExecuteAsync(source, $"CREATE PUBLICATION {name} FOR TABLE bench");
        var builder = new NpgsqlConnectionStringBuilder(A.ConnectionString);
        var conninfo = string.Create(CultureInfo.InvariantCulture, $"host={builder.Host} port={builder.Port} user={builder.Username} dbname={sourceDatabase}");
        await ExecuteAsync(sink,
            $"CREATE SUBSCRIPTION {name} CONNECTION '{conninfo}' PUBLICATION {name} WITH (copy_data = false, synchronous_commit = '{(asyncCommit ? "off" : "on")}')");
        await WaitStreamingAsync(source, name);
        return name;
    }

    public static async Task WaitStreamingAsync(NpgsqlDataSource source, string name)
    {
        var deadline = Stopwatch.StartNew();
        while (await ScalarAsync<long>(source, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{name}' AND state = 'streaming'") == 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException($"Subscription {name} did not start streaming within a minute.");
            }

            await Task.Delay(20);
        }
    }

    public static async Task DisableSubscriptionAsync(NpgsqlDataSource source, NpgsqlDataSource sink, string name)
    {
        await ExecuteAsync(sink, $"ALTER SUBSCRIPTION {name} DISABLE");
        var deadline = Stopwatch.StartNew();
        while (await ScalarAsync<long>(source, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{name}'") > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException($"Subscription {name} did not stop within a minute.");
            }

            await Task.Delay(20);
        }
    }

    public static Task DropSubscriptionAsync(NpgsqlDataSource sink, string name) => ExecuteAsync(sink, $"DROP SUBSCRIPTION {name}");

    public static Task DropSlotAsync(NpgsqlDataSource source, string slot)
        => ExecuteAsync(source, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}
