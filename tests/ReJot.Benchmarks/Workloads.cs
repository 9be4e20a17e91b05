using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ReJot.Benchmarks;

/// <summary>The writes every scenario makes on a source database (the same for ReJot and native).</summary>
internal static class Workloads
{
    /// <summary>Inserts ids <paramref name="from"/>..<paramref name="to"/> in one transaction.</summary>
    public static Task InsertRangeAsync(NpgsqlDataSource db, long from, long to, bool fixedTimestamp = false)
        => Harness.ExecuteAsync(db, string.Create(CultureInfo.InvariantCulture,
            $"INSERT INTO bench SELECT g, 'name-' || g, round((g % 100000) / 7.0, 2), {(fixedTimestamp ? "timestamptz '2026-01-01 00:00:00+00'" : "now()")} FROM generate_series({from}, {to}) g"));

    /// <summary>Inserts 1..<paramref name="rows"/> in <paramref name="transactions"/> transactions, one after the other.</summary>
    public static async Task InsertInTransactionsAsync(NpgsqlDataSource db, long rows, int transactions)
    {
        var per = rows / transactions;
        for (var t = 0; t < transactions; t++)
        {
            var from = t * per + 1;
            var to = t == transactions - 1 ? rows : from + per - 1;
            await InsertRangeAsync(db, from, to);
        }
    }

    /// <summary><paramref name="transactions"/> single-row UPDATE transactions over rows 1..<paramref name="rows"/>, from 4 connections (like pgbench -c 4).</summary>
    public static async Task UpdateTransactionsAsync(NpgsqlDataSource db, int transactions, int rows)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("UPDATE bench SET amount = amount + 1, name = $2, updated_at = now() WHERE id = $1", connection);
            var id = new NpgsqlParameter<long> { TypedValue = 0 };
            var name = new NpgsqlParameter<string> { TypedValue = string.Empty };
            command.Parameters.Add(id);
            command.Parameters.Add(name);
            await command.PrepareAsync();
            int n;
            while ((n = Interlocked.Increment(ref next)) <= transactions)
            {
                id.TypedValue = (n % rows) + 1;
                name.TypedValue = "u" + n.ToString(CultureInfo.InvariantCulture);
                await command.ExecuteNonQueryAsync();
            }
        }));
    }

    /// <summary>
    /// Single-row INSERT transactions of ids <paramref name="firstId"/>.. at a steady <paramref name="rate"/> per second
    /// (4 connections; a transaction that is late starts at once). Returns the achieved rate.
    /// </summary>
    public static async Task<double> PacedInsertsAsync(NpgsqlDataSource db, long firstId, int count, int rate)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("INSERT INTO bench VALUES ($1, $2, $3, now())", connection);
            var id = new NpgsqlParameter<long> { TypedValue = 0 };
            var name = new NpgsqlParameter<string> { TypedValue = string.Empty };
            var amount = new NpgsqlParameter<decimal> { TypedValue = 0 };
            command.Parameters.Add(id);
            command.Parameters.Add(name);
            command.Parameters.Add(amount);
            await command.PrepareAsync();
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                var due = TimeSpan.FromSeconds((double)n / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                id.TypedValue = firstId + n;
                name.TypedValue = "live-" + n.ToString(CultureInfo.InvariantCulture);
                amount.TypedValue = n / 100m;
                await command.ExecuteNonQueryAsync();
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Commit-to-visible delays (ms) of rows with id ≥ <paramref name="fromId"/>: source commit timestamp vs the sink's seen_at, same host clock.</summary>
    public static async Task<List<double>> DelaysAsync(NpgsqlDataSource source, NpgsqlDataSource sink, long fromId)
    {
        var committed = new Dictionary<long, double>();
        await using (var command = source.CreateCommand($"SELECT id, extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8 FROM bench WHERE id >= {fromId}"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                committed[reader.GetInt64(0)] = reader.GetDouble(1);
            }
        }

        var delays = new List<double>(committed.Count);
        await using (var command = sink.CreateCommand($"SELECT id, extract(epoch FROM seen_at)::float8 FROM bench WHERE id >= {fromId}"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (committed.TryGetValue(reader.GetInt64(0), out var at))
                {
                    delays.Add((reader.GetDouble(1) - at) * 1000);
                }
            }
        }

        delays.Sort();
        return delays;
    }

    public static double Percentile(List<double> sorted, double q)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
