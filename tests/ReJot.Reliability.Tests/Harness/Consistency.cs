using System.Diagnostics;

namespace ReJot.Reliability.Tests.Harness;

/// <summary>
/// Compares the sink with the source: the same rows in every table, every committed change applied exactly once
/// (the source's journal against the sink's apply log), no double apply (n = 1 everywhere).
/// </summary>
internal static class Consistency
{
    private static readonly (string Table, string Columns)[] s_tables =
    [
        ("items", "id, version, label, amount::text"),
        ("orders", "id, version, item_id, qty"),
        ("accounts", "id, version, name, balance::text"),
    ];

    /// <summary>What is wrong now (empty when consistent).</summary>
    public static async Task<List<string>> ProblemsAsync(Topology topology, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var liveAccounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, columns) in s_tables)
        {
            var sql = $"SELECT {columns} FROM {table} ORDER BY id";
            var source = await Db.RowsAsync(topology.SourceConnection, sql, cancellationToken).ConfigureAwait(false);
            var sink = await Db.RowsAsync(topology.SinkConnection, sql, cancellationToken).ConfigureAwait(false);
            var missing = source.Except(sink, StringComparer.Ordinal).ToList();
            var unexpected = sink.Except(source, StringComparer.Ordinal).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                problems.Add($"{table}: {source.Count} rows in the source, {sink.Count} in the sink; missing or different in the sink {Topology.Describe(missing.Select(Short))}; unexpected in the sink {Topology.Describe(unexpected.Select(Short))}");
            }

            if (table == "accounts")
            {
                liveAccounts.UnionWith(source.Select(r => r[..r.IndexOf('|', StringComparison.Ordinal)]));
            }
        }

        var journal = (await Db.RowsAsync(topology.SourceConnection, "SELECT tbl, id, version FROM journal", cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        var log = await Db.RowsAsync(topology.SinkConnection, "SELECT tbl, id, version, n FROM apply_log", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<string>(StringComparer.Ordinal);
        var doubles = new List<string>();
        foreach (var row in log)
        {
            var cut = row.LastIndexOf('|');
            applied.Add(row[..cut]);
            if (row[(cut + 1)..] != "1")
            {
                doubles.Add(row);
            }
        }

        if (doubles.Count > 0)
        {
            problems.Add($"applied more than once (tbl|id|version|times) {Topology.Describe(doubles)}");
        }

        // Every change of items and orders yields exactly one event; accounts read the current row, so a change
        // of a row deleted before it was transformed may yield none.
        static bool MustApply(string entry, HashSet<string> liveAccounts)
        {
            var parts = entry.Split('|');
            return parts[0] != "accounts" || parts[2] == "-1" || liveAccounts.Contains(parts[1]);
        }

        var lost = journal.Where(j => !applied.Contains(j) && MustApply(j, liveAccounts)).Order(StringComparer.Ordinal).ToList();
        if (lost.Count > 0)
        {
            problems.Add($"committed changes never applied (tbl|id|version) {Topology.Describe(lost)}");
        }

        var phantom = applied.Where(a => !journal.Contains(a)).Order(StringComparer.Ordinal).ToList();
        if (phantom.Count > 0)
        {
            problems.Add($"applied changes that never committed (tbl|id|version) {Topology.Describe(phantom)}");
        }

        return problems;
    }

    /// <summary>Waits until the sink is consistent with the source; fails with the differences and the engine's output.</summary>
    public static async Task WaitConsistentAsync(Topology topology, SyncProcess sync, string context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        List<string> problems;
        // A soak leaves a backlog that grows with its length: fail when the sink stops making progress for
        // `timeout`, not after a fixed time (and never wait longer than an hour).
        long? applied = null;
        var lastProgress = TimeSpan.Zero;
        while (true)
        {
            try
            {
                problems = await ProblemsAsync(topology, cancellationToken).ConfigureAwait(false);
                var now = await Db.ScalarAsync(topology.SinkConnection, "SELECT coalesce(sum(n), 0) FROM apply_log", cancellationToken).ConfigureAwait(false);
                if (now != applied)
                {
                    applied = now;
                    lastProgress = watch.Elapsed;
                }
            }
            catch (Npgsql.NpgsqlException e)
            {
                problems = [$"cannot compare yet: {e.Message}"];
            }

            // A double apply never heals: report it at once.
            if (problems.Count == 0 || problems.Any(p => p.StartsWith("applied more than once", StringComparison.Ordinal))
                || watch.Elapsed - lastProgress > timeout || watch.Elapsed > TimeSpan.FromHours(1))
            {
                break;
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }

        if (problems.Count > 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"The sink is not consistent with the source after {watch.Elapsed.TotalSeconds:F0} s, {(watch.Elapsed - lastProgress).TotalSeconds:F0} s without progress ({context}):\n  - {string.Join("\n  - ", problems)}\nEngine output (tail):\n{sync.Tail()}");
        }
    }

    /// <summary>Waits until <c>/health</c> says Healthy.</summary>
    public static async Task WaitHealthyAsync(SyncProcess sync, string context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        (int Status, string Body)? last = null;
        while (watch.Elapsed < timeout)
        {
            last = await sync.HealthAsync(cancellationToken).ConfigureAwait(false);
            if (last is { Status: 200 } ok && ok.Body.StartsWith("Healthy", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new Xunit.Sdk.XunitException($"The engine did not report healthy within {timeout} ({context}); last /health: {last?.Status} {last?.Body}\nEngine output (tail):\n{sync.Tail()}");
    }

    private static string Short(string row) => row.Length > 80 ? row[..77] + "…" : row;
}
