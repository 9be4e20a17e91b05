using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace ReJot.Reliability.Tests.Harness;

/// <summary>
/// A seeded mixed workload on the source: transactions of inserts, updates and deletes across <c>items</c>
/// (replica identity full), <c>orders</c> and <c>accounts</c>, now and then a large one. Every change also writes
/// <c>journal(tbl, id, version)</c> (version -1 for a delete) in the same transaction; the journal is not
/// published, so it is the truth about what committed even when a commit's outcome was unknown to us (the
/// server crashed during it).
/// </summary>
internal sealed class Workload(string connectionString, int seed)
{
    internal static readonly string[] Tables = ["items", "orders", "accounts"];
    private static readonly string[] s_words = ["alpha", "Grüße", "日本語", "emoji 🚀", "quote ' \" \\", "tab\tnew\nline", "ünïcødé", "😀😁😂", "plain"];

    private readonly Random _random = new(seed);
    private readonly Dictionary<string, List<long>> _live = Tables.ToDictionary(t => t, _ => new List<long>(), StringComparer.Ordinal);
    private long _committed;
    private long _failed;
    private long _changes;
    private bool _stale;

    public long Committed => Interlocked.Read(ref _committed);

    public long Failed => Interlocked.Read(ref _failed);

    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Runs transactions until cancelled; failures (a server going away) are counted and survived.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Not pooled: a crashed server leaves broken pooled connections behind.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5, ApplicationName = "reliability-workload" };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (_stale)
                {
                    await RefreshAsync(connection, cancellationToken).ConfigureAwait(false);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await OneTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
                    // Leave the CPU to the engine now and then (two cores).
                    await Task.Delay(_random.Next(0, 4), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The outcome of the transaction in flight is unknown: reload what exists from the source.
                Interlocked.Increment(ref _failed);
                _stale = true;
                try
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RefreshAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            var ids = _live[table];
            ids.Clear();
            await using var command = new NpgsqlCommand($"SELECT id FROM {table} ORDER BY id", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        _stale = false;
    }

    private async Task OneTransactionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Changes to the in-memory id lists apply only once the commit succeeded.
        var inserted = new List<(string Table, long Id)>();
        var deleted = new List<(string Table, long Id)>();
        var changes = 0;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var operations = _random.Next(100) < 2 ? 1 : _random.Next(1, 6);
        for (var i = 0; i < operations; i++)
        {
            var table = Tables[_random.Next(Tables.Length)];
            var live = _live[table].Where(id => !deleted.Contains((table, id))).Concat(inserted.Where(x => x.Table == table).Select(x => x.Id)).ToList();
            var roll = _random.Next(100);
            if (operations == 1 && _random.Next(100) < 25)
            {
                // A large transaction: streamed by PostgreSQL, spooled by the reader, grouped by the store.
                var rows = _random.Next(200, 1500);
                foreach (var id in await InsertAsync(connection, transaction, table, rows, cancellationToken).ConfigureAwait(false))
                {
                    inserted.Add((table, id));
                }

                changes += rows;
            }
            else if (roll < 45 || live.Count < 5)
            {
                foreach (var id in await InsertAsync(connection, transaction, table, _random.Next(1, 4), cancellationToken).ConfigureAwait(false))
                {
                    inserted.Add((table, id));
                    changes++;
                }
            }
            else if (roll < 85)
            {
                // Sometimes the same row twice in one transaction.
                var id = live[_random.Next(live.Count)];
                var times = _random.Next(100) < 20 ? 2 : 1;
                for (var t = 0; t < times; t++)
                {
                    await UpdateAsync(connection, transaction, table, id, cancellationToken).ConfigureAwait(false);
                    changes++;
                }
            }
            else
            {
                var id = live[_random.Next(live.Count)];
                await ExecuteAsync(connection, transaction,
                    $"WITH d AS (DELETE FROM {table} WHERE id = $1 RETURNING id) INSERT INTO journal (tbl, id, version) SELECT '{table}', id, -1 FROM d",
                    cancellationToken, Param(id)).ConfigureAwait(false);
                if (!inserted.Remove((table, id)))
                {
                    deleted.Add((table, id));
                }

                changes++;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (table, id) in deleted)
        {
            _live[table].Remove(id);
        }

        foreach (var (table, id) in inserted)
        {
            _live[table].Add(id);
        }

        Interlocked.Increment(ref _committed);
        Interlocked.Add(ref _changes, changes);
    }

    private async Task<List<long>> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, int rows, CancellationToken cancellationToken)
    {
        var sql = table switch
        {
            "items" => "INSERT INTO items (version, label, amount) SELECT 1, $1 || g, $2 + g FROM generate_series(1, $3) g RETURNING id",
            "orders" => "INSERT INTO orders (version, item_id, qty) SELECT 1, $1 + g, $2 FROM generate_series(1, $3) g RETURNING id",
            _ => "INSERT INTO accounts (version, name, balance) SELECT 1, $1 || g, $2 FROM generate_series(1, $3) g RETURNING id",
        };
        var parameters = table switch
        {
            "items" => new[] { Param(Label()), Param(Amount()), Param(rows) },
            "orders" => [Param((long)_random.Next(1, 1_000_000)), Param(_random.Next(1, 100)), Param(rows)],
            _ => [Param(Label() ?? "nameless"), Param(Amount()), Param(rows)],
        };
        var ids = new List<long>(rows);
        await using (var command = new NpgsqlCommand(
            $"WITH i AS ({sql}) INSERT INTO journal (tbl, id, version) SELECT '{table}', id, 1 FROM i RETURNING id", connection, transaction))
        {
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        return ids;
    }

    private Task UpdateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, long id, CancellationToken cancellationToken)
    {
        var (set, value) = table switch
        {
            "items" => _random.Next(2) == 0 ? ("label = $2", Param(Label())) : ("amount = $2", Param(Amount())),
            "orders" => ("qty = $2", Param(_random.Next(1, 1000))),
            _ => _random.Next(2) == 0 ? ("balance = $2", Param(Amount())) : ("name = $2", Param(Label() ?? "nameless")),
        };
        return ExecuteAsync(connection, transaction,
            $"WITH u AS (UPDATE {table} SET version = version + 1, {set} WHERE id = $1 RETURNING id, version) INSERT INTO journal (tbl, id, version) SELECT '{table}', id, version FROM u",
            cancellationToken, Param(id), value);
    }

    private string? Label()
    {
        if (_random.Next(100) < 10)
        {
            return null;
        }

        var text = new StringBuilder();
        for (var i = _random.Next(1, 4); i > 0; i--)
        {
            text.Append(s_words[_random.Next(s_words.Length)]).Append(' ');
        }

        if (_random.Next(100) < 3)
        {
            // Large enough to be TOASTed.
            text.Append(new string('x', _random.Next(3000, 20000)));
        }

        return text.ToString();
    }

    private decimal Amount() => Math.Round((decimal)_random.NextDouble() * 1_000_000m, 6);

    private static NpgsqlParameter Param(object? value) => value switch
    {
        null => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value },
        string s => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = s },
        _ => new NpgsqlParameter { Value = value },
    };

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Committed} transactions ({Changes} changes) committed, {Failed} failed");
}
