using System.Diagnostics;
using System.Globalization;

namespace ReJot.Benchmarks;

/// <summary>Sizes of one run (full, or --quick).</summary>
internal sealed record BenchSizes(int BulkRows, int BulkTransactions, int BacklogTransactions, int BacklogRows, int Rate, int LatencySeconds, int BigRows, int CrossSeconds, int BackfillRows = 1_000_000)
{
    public static readonly BenchSizes Full = new(1_000_000, 10, 200_000, 10_000, 500, 30, 1_000_000, 30, 1_000_000);

    public static readonly BenchSizes Quick = new(50_000, 10, 5_000, 1_000, 500, 3, 50_000, 3, 50_000);
}

/// <summary>One measurement of one system (ReJot or native) in one scenario.</summary>
internal sealed record Measurement(double Value, bool Verified, string Details, double? PeakMemoryMiB = null, Dictionary<string, double>? Extra = null);

/// <summary>The scenarios, each run against a <see cref="Replicator"/> and verified against the source afterwards.</summary>
internal static class Scenarios
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    /// <summary>bulk: rows in N transactions → rows/s from the first write until the sink has the last row.</summary>
    public static async Task<Measurement> BulkAsync(Replicator r, BenchSizes sizes) => await InsertAndWaitAsync(r, sizes.BulkRows, sizes.BulkTransactions);

    /// <summary>big transaction: all rows in one transaction.</summary>
    public static async Task<Measurement> BigAsync(Replicator r, BenchSizes sizes) => await InsertAndWaitAsync(r, sizes.BigRows, 1);

    private static async Task<Measurement> InsertAndWaitAsync(Replicator r, int rows, int transactions)
    {
        var clock = Stopwatch.StartNew();
        await r.StartAsync(clock);
        var cpu = r.Cpu();
        clock.Restart();
        await Workloads.InsertInTransactionsAsync(r.Source, rows, transactions);
        var written = clock.Elapsed;
        TimeSpan? stored = null;
        var arrived = await Harness.WaitAsync(
            async () => await Harness.ScalarAsync<bool>(r.Sink, $"SELECT EXISTS (SELECT 1 FROM bench WHERE id = {rows})"),
            async () =>
            {
                // For ReJot: when the event store held every event (capture + transform done; apply may lag).
                if (stored is null && await r.StoredAsync() is { } events && events >= rows)
                {
                    stored = clock.Elapsed;
                }

                return (await Harness.ScalarAsync<long>(r.Sink, "SELECT coalesce(max(id), 0) FROM bench")).ToString(CultureInfo.InvariantCulture);
            },
            // One big transaction shows no progress in the sink (nor in ReJot's event store) until it commits there.
            transactions == 1 ? Stall + TimeSpan.FromSeconds(rows / 2000.0) : Stall, TimeSpan.FromMilliseconds(50));
        var elapsed = clock.Elapsed;
        var (cpuText, cpuExtra) = CpuUsed(r, cpu);
        var storedText = stored is { } s ? F($", events stored at {s.TotalSeconds:F1} s") : "";
        await r.StopAsync();
        var (verified, check) = await VerifyAsync(r, rows);
        return new Measurement(rows / elapsed.TotalSeconds, arrived && verified,
            F($"{rows:N0} rows in {transactions} txn(s): source writes {written.TotalSeconds:F1} s{storedText}, sink complete at {elapsed.TotalSeconds:F1} s{cpuText}; {check}"),
            r.PeakMemoryMiB, cpuExtra);
    }

    /// <summary>
    /// CPU core-seconds used since <paramref name="before"/>: by PostgreSQL (both clusters, every process, including the
    /// benchmark's own writes and polls, which are the same for ReJot and native) and by the engine process.
    /// </summary>
    private static (string Text, Dictionary<string, double>? Extra) CpuUsed(Replicator r, (double? Postgres, double? Process) before)
    {
        var after = r.Cpu();
        if (after.Postgres is not { } pgAfter || before.Postgres is not { } pgBefore || after.Process is not { } pAfter || before.Process is not { } pBefore)
        {
            return ("", null);
        }

        var pg = pgAfter - pgBefore;
        var engine = pAfter - pBefore;
        var text = engine > 0 ? F($"; CPU {pg + engine:F1} core-s (PostgreSQL {pg:F1}, engine {engine:F1})") : F($"; CPU {pg:F1} core-s (PostgreSQL)");
        return (text, new Dictionary<string, double> { ["cpuPostgres"] = Math.Round(pg, 2), ["cpuEngine"] = Math.Round(engine, 2) });
    }

    /// <summary>backlog: single-row update transactions committed while replication is stopped, then catch-up rows/s.</summary>
    public static async Task<Measurement> BacklogAsync(Replicator r, BenchSizes sizes)
    {
        // The same rows in source and sink before replication starts, so updates apply to existing rows in both systems.
        await Workloads.InsertRangeAsync(r.Source, 1, sizes.BacklogRows, fixedTimestamp: true);
        await Workloads.InsertRangeAsync(r.Sink, 1, sizes.BacklogRows, fixedTimestamp: true);
        var clock = Stopwatch.StartNew();
        await r.StartAsync(clock);
        await r.StopAsync();
        var writes = Stopwatch.StartNew();
        await Workloads.UpdateTransactionsAsync(r.Source, sizes.BacklogTransactions, sizes.BacklogRows);
        writes.Stop();
        var expected = await Harness.ChecksumAsync(r.Source);
        var cpu = r.Cpu();
        clock.Restart();
        var started = await r.ResumeAsync(clock);
        TimeSpan? stored = null;
        var arrived = await Harness.WaitAsync(
            async () => await Harness.ChecksumAsync(r.Sink) == expected,
            async () =>
            {
                // For ReJot: when the event store held an event for every update (objects that query the source
                // carry the row's current state, so the sink may match before every event is applied).
                if (stored is null && await r.StoredAsync() is { } events && events >= sizes.BacklogTransactions)
                {
                    stored = clock.Elapsed - started;
                }

                return (await Harness.ScalarAsync<DateTime?>(r.Sink, "SELECT max(updated_at) FROM bench"))?.Ticks.ToString(CultureInfo.InvariantCulture) ?? "-";
            },
            Stall, TimeSpan.FromMilliseconds(50));
        var elapsed = clock.Elapsed - started;
        var (cpuText, cpuExtra) = CpuUsed(r, cpu);
        var storedText = stored is { } s ? F($" (events stored at {s.TotalSeconds:F1} s)") : "";
        await r.StopAsync();
        var (verified, check) = await VerifyAsync(r, sizes.BacklogRows);
        return new Measurement(sizes.BacklogTransactions / elapsed.TotalSeconds, arrived && verified,
            F($"{sizes.BacklogTransactions:N0} update txns over {sizes.BacklogRows:N0} rows (written at {sizes.BacklogTransactions / writes.Elapsed.TotalSeconds:N0} tx/s while stopped); catch-up {elapsed.TotalSeconds:F1} s{storedText}{cpuText}; {check}"),
            r.PeakMemoryMiB, cpuExtra);
    }

    /// <summary>latency: a steady rate of single-row insert transactions → commit-to-visible p50/p95/p99 (value = p99).</summary>
    public static async Task<Measurement> LatencyAsync(Replicator r, BenchSizes sizes)
    {
        var clock = Stopwatch.StartNew();
        await r.StartAsync(clock);
        return await MeasureLatencyAsync(r.Source, r.Sink, sizes, r.StopAsync, () => r.PeakMemoryMiB);
    }

    /// <summary>Writes a warm-up second then the measured seconds at the steady rate; waits for the sink; percentiles.</summary>
    public static async Task<Measurement> MeasureLatencyAsync(Npgsql.NpgsqlDataSource source, Npgsql.NpgsqlDataSource sink, BenchSizes sizes, Func<Task> stop, Func<double?> memory)
    {
        const long warmupFrom = 1_000_000_000L;
        const long measuredFrom = 2_000_000_000L;
        await Workloads.PacedInsertsAsync(source, warmupFrom, sizes.Rate, sizes.Rate);
        var count = sizes.Rate * sizes.LatencySeconds;
        var achieved = await Workloads.PacedInsertsAsync(source, measuredFrom, count, sizes.Rate);
        var total = sizes.Rate + count;
        var arrived = await Harness.WaitAsync(
            async () => await Harness.ScalarAsync<long>(sink, "SELECT count(*) FROM bench") == total,
            async () => (await Harness.ScalarAsync<long>(sink, "SELECT count(*) FROM bench")).ToString(CultureInfo.InvariantCulture),
            Stall, TimeSpan.FromMilliseconds(50));
        await stop();
        var delays = await Workloads.DelaysAsync(source, sink, measuredFrom);
        var expected = await Harness.ChecksumAsync(source);
        var actual = await Harness.ChecksumAsync(sink);
        var verified = arrived && expected == actual && expected.Count == total && delays.Count == count;
        var p50 = Workloads.Percentile(delays, 0.50);
        var p95 = Workloads.Percentile(delays, 0.95);
        var p99 = Workloads.Percentile(delays, 0.99);
        var max = delays.Count > 0 ? delays[^1] : double.NaN;
        return new Measurement(p99, verified,
            F($"{count:N0} txns at {achieved:N0} tx/s (target {sizes.Rate}); delay ms p50 {p50:F1} p95 {p95:F1} p99 {p99:F1} max {max:F1}; {Describe(expected, actual, verified)}"),
            memory(), new Dictionary<string, double> { ["p50"] = p50, ["p95"] = p95, ["p99"] = p99, ["max"] = max, ["achievedRate"] = achieved });
    }

    /// <summary>
    /// backfill (ReJot only): rows already in the source and not in the sink; the running engine publishes them with a
    /// backfill requested through the event store (as <c>rejot backfill</c> does) → rows/s from the request until the
    /// sink has every row, plus the backfill's own stored rate.
    /// </summary>
    public static async Task<Measurement> BackfillAsync(ReJotReplicator r, BenchSizes sizes)
    {
        var rows = sizes.BackfillRows;
        await Workloads.InsertRangeAsync(r.Source, 1, rows);
        await Harness.ExecuteAsync(r.Source, "ANALYZE bench");
        var clock = Stopwatch.StartNew();
        await r.StartAsync(clock);
        clock.Restart();
        var store = new ReJot.Sync.Backfill.BackfillStore(r.Source);
        var (record, _) = await store.RequestAsync(BenchModel.Key, null, null, "benchmark", CancellationToken.None);
        var arrived = await Harness.WaitAsync(
            async () => await Harness.ScalarAsync<long>(r.Sink, "SELECT count(*) FROM bench") >= rows,
            async () => (await Harness.ScalarAsync<long>(r.Sink, "SELECT count(*) FROM bench")).ToString(CultureInfo.InvariantCulture),
            Stall, TimeSpan.FromMilliseconds(100));
        var elapsed = clock.Elapsed;
        var done = await store.GetAsync(record.Id, CancellationToken.None);
        await r.StopAsync();
        var (verified, check) = await VerifyAsync(r, rows);
        var stored = done is { StartedAt: { } started } && done.Status == "completed" && done.CompletedAt is { } completed
            ? done.RowsRead / (completed - started).TotalSeconds
            : double.NaN;
        return new Measurement(rows / elapsed.TotalSeconds, arrived && verified && done?.Status == "completed",
            F($"{rows:N0} existing rows: backfill {done?.Status} ({done?.RowsRead:N0} read, {done?.RowsEmitted:N0} events, ~{done?.RowsEstimated:N0} estimated) at {stored:N0} rows/s stored, sink complete at {elapsed.TotalSeconds:F1} s; {check}"),
            r.PeakMemoryMiB,
            new Dictionary<string, double> { ["storedRowsPerSecond"] = stored });
    }

    private static async Task<(bool Verified, string Text)> VerifyAsync(Replicator r, long expectedRows)
    {
        var expected = await Harness.ChecksumAsync(r.Source);
        var actual = await Harness.ChecksumAsync(r.Sink);
        var verified = expected == actual && expected.Count == expectedRows;
        return (verified, Describe(expected, actual, verified));
    }

    private static string Describe((long Count, string Sum) expected, (long Count, string Sum) actual, bool verified)
        => verified ? F($"sink verified ({actual.Count:N0} rows, checksum equal)")
            : F($"SINK MISMATCH: source {expected.Count:N0} rows / {expected.Sum}, sink {actual.Count:N0} rows / {actual.Sum}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
