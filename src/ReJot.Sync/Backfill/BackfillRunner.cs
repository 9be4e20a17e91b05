using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using ReJot.Sql;
using ReJot.Sync.Capture;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Backfill;

/// <summary>
/// Runs one backfill of a public schema in this engine: reads each table that has an insert transformation in primary
/// key order, a chunk per source transaction, and hands each chunk to the reader through the WAL.
/// </summary>
/// <remarks>
/// <para>
/// A chunk is read in a <c>REPEATABLE READ READ ONLY</c> transaction: its snapshot (<c>pg_current_snapshot()</c>), the
/// next rows after the last stored key, the insert transformations of those rows (one batch), then the objects
/// are written into the WAL by <c>pg_logical_emit_message(true, 'rejot_backfill', …)</c>; the transaction's commit is
/// the chunk's high watermark. The reader meets it in commit order, drops the objects whose key a transaction
/// invisible to the snapshot changed (<see cref="BackfillTracker"/>), and stores the rest with the progress. The
/// next chunk starts once that is stored; <see cref="ReJotSyncOptions.BackfillChunkDelay"/> paces the chunks.
/// </para>
/// <para>
/// The low watermark is the moment the tracker starts watching: changes decoded after it are recorded. A
/// transaction whose commit the reader decoded before that but which was still running for snapshots (its backend
/// had not left the proc array) could otherwise be missed, so before the first chunk the runner waits until every
/// transaction running at the start has finished (as <c>CREATE INDEX CONCURRENTLY</c> does).
/// </para>
/// </remarks>
internal sealed class BackfillRunner(
    BackfillRecord record,
    PublicSchemaModel schema,
    NpgsqlDataSource sourceDb,
    BackfillTracker tracker,
    BackfillStore store,
    ReJotSyncOptions options,
    SyncMetrics metrics,
    ILogger logger,
    TimeProvider timeProvider)
{
    private readonly int _chunkSize = Math.Max(1, options.BackfillChunkSize);

    /// <summary>Runs (or resumes) the backfill until it completes, fails, or <paramref name="cancellationToken"/> stops it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tables = schema.Transformations.Where(t => t.Operation == TransformOperation.Insert).Select(t => t.Table).Distinct().ToList();
        if (tables.Count == 0)
        {
            await FailAsync($"Public schema {schema.Key} has no insert transformation to run on existing rows.", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (record.Filter is { } filter && ValidateFilter(filter) is { } problem)
        {
            await FailAsync($"The filter is not a usable SQL condition: {problem}", cancellationToken).ConfigureAwait(false);
            return;
        }

        var run = tracker.Start(record.Id, schema);
        try
        {
            var descriptions = new List<TableReader>();
            foreach (var table in tables)
            {
                descriptions.Add(await DescribeAsync(table, cancellationToken).ConfigureAwait(false));
            }

            var estimate = record.Status == "requested" || record.RowsEstimated == 0
                ? await EstimateAsync(descriptions, cancellationToken).ConfigureAwait(false)
                : -1;
            await store.MarkRunningAsync(record.Id, estimate, cancellationToken).ConfigureAwait(false);
            var tableIndex = record.TableIndex;
            var lastKey = record.LastKey;
            Log.BackfillRunning(logger, record.Id, schema.Key.ToString(), tables[Math.Min(tableIndex, tables.Count - 1)].ToString(),
                lastKey is null ? "(start)" : string.Join(", ", lastKey), estimate >= 0 ? estimate : record.RowsEstimated);
            await WaitForRunningTransactionsAsync(cancellationToken).ConfigureAwait(false);

            // One chunk at a time: with two in flight the measured rate did not improve (2 cores: the reader and the
            // chunk queries compete), and this keeps progress and failures simple.
            long sequence = 0;
            long read = record.RowsRead;
            long emitted = record.RowsEmitted;
            var estimated = estimate >= 0 ? estimate : record.RowsEstimated;
            var lastReport = timeProvider.GetTimestamp();
            var readAtReport = read;
            while (tableIndex < tables.Count)
            {
                var table = descriptions[tableIndex];
                while (true)
                {
                    var (chunk, stored) = await RunChunkAsync(run, table, tableIndex, tableIndex == tables.Count - 1, lastKey, ++sequence, cancellationToken).ConfigureAwait(false);
                    var outcome = await stored.ConfigureAwait(false);
                    if (outcome.Error is { } error)
                    {
                        Log.BackfillFailed(logger, record.Id, schema.Key.ToString(), error);
                        return;
                    }

                    read += chunk.RowsRead;
                    emitted += outcome.Emitted;
                    var tag = new KeyValuePair<string, object?>("schema", schema.Key.ToString());
                    metrics.BackfillRowsRead.Add(chunk.RowsRead, tag);
                    metrics.BackfillEvents.Add(outcome.Emitted, tag);
                    if (timeProvider.GetElapsedTime(lastReport) is { TotalSeconds: >= 10 } sinceReport)
                    {
                        Log.BackfillProgress(logger, record.Id, schema.Key.ToString(), read, Math.Max(estimated, read), emitted, (long)((read - readAtReport) / sinceReport.TotalSeconds));
                        lastReport = timeProvider.GetTimestamp();
                        readAtReport = read;
                    }
                    if (chunk.TableDone)
                    {
                        break;
                    }

                    lastKey = chunk.LastKey;
                    if (options.BackfillChunkDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(options.BackfillChunkDelay, timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                }

                tableIndex++;
                lastKey = null;
            }

            Log.BackfillCompleted(logger, record.Id, schema.Key.ToString(), read, emitted);
        }
        finally
        {
            tracker.Stop(record.Id, schema.Key);
        }
    }

    /// <summary>A reason the filter cannot be embedded as one condition, or null.</summary>
    internal static string? ValidateFilter(string filter)
    {
        var tokens = SqlTokenizer.Tokenize(filter);
        if (!tokens.IsValid)
        {
            return tokens.Errors[0].Message;
        }

        var depth = 0;
        var meaningful = 0;
        foreach (var token in tokens.Tokens)
        {
            switch (token.Kind)
            {
                case SqlTokenKind.Semicolon:
                    return "it contains ';' (one condition only, e.g. \"created_at > '2024-01-01'\").";
                case SqlTokenKind.PositionalParameter or SqlTokenKind.NamedParameter:
                    return $"it contains the placeholder {token.Text} (write values inline).";
                case SqlTokenKind.OpenParen:
                    depth++;
                    break;
                case SqlTokenKind.CloseParen when --depth < 0:
                    return "it has an unmatched ')'.";
            }

            if (token.Kind is not (SqlTokenKind.Whitespace or SqlTokenKind.LineComment or SqlTokenKind.BlockComment))
            {
                meaningful++;
            }
        }

        return depth != 0 ? "it has an unmatched '('." : meaningful == 0 ? "it is empty." : null;
    }

    private async Task FailAsync(string message, CancellationToken cancellationToken)
    {
        Log.BackfillFailed(logger, record.Id, schema.Key.ToString(), message);
        await store.EndAsync(record.Id, "failed", message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one chunk and commits its watermark; the task completes when the reader stored it.</summary>
    private async Task<(BackfillChunk Chunk, Task<ChunkOutcome> Stored)> RunChunkAsync(string run, TableReader table, int tableIndex, bool lastTable, IReadOnlyList<string>? after, long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await sourceDb.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

        string snapshot;
        var rows = new List<string?[]>(_chunkSize);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // READ ONLY: the operator's filter cannot change anything. The first query fixes the snapshot.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_snapshot()::text"));
            var select = new NpgsqlBatchCommand(table.ChunkSql(after is not null, record.Filter, _chunkSize));
            if (after is not null)
            {
                foreach (var value in after)
                {
                    select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = value });
                }
            }

            batch.BatchCommands.Add(select);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            snapshot = reader.GetString(0);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var values = new string?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                rows.Add(values);
            }
        }

        var objects = new List<string>(rows.Count);
        if (rows.Count > 0 && table.Transformations.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var row in rows)
            {
                foreach (var transformation in table.Transformations)
                {
                    var command = new NpgsqlBatchCommand(transformation.Sql);
                    foreach (var column in transformation.ParameterColumns)
                    {
                        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)row[column] ?? DBNull.Value });
                    }

                    batch.BatchCommands.Add(command);
                }
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            do
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!reader.IsDBNull(0))
                    {
                        objects.Add(reader.GetString(0));
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        var tableDone = rows.Count < _chunkSize;
        var lastKey = rows.Count > 0 ? table.KeyColumns.Select(c => rows[^1][c]!).ToList() : (IReadOnlyList<string>)(after ?? []);
        var chunk = new BackfillChunk(record.Id, run, sequence, tableIndex, snapshot, lastKey, rows.Count, tableDone, tableDone && lastTable, objects, record.ForConsumer);

        // Register before committing: the reader may store the chunk as soon as the commit is decoded.
        var stored = tracker.WhenStoredAsync(record.Id, sequence, cancellationToken);
        await using (var emit = new NpgsqlCommand($"SELECT pg_logical_emit_message(true, '{BackfillChunk.Prefix}', $1)", connection, transaction))
        {
            emit.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = chunk.ToJson() });
            await emit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (chunk, stored);
    }

    /// <summary>Waits until every transaction running now has finished (see the remarks on the class).</summary>
    private async Task WaitForRunningTransactionsAsync(CancellationToken cancellationToken)
    {
        XidSnapshot start;
        await using (var command = sourceDb.CreateCommand("SELECT pg_current_snapshot()::text"))
        {
            start = XidSnapshot.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }

        if (start.InProgress.Count == 0)
        {
            return;
        }

        Log.BackfillWaiting(logger, record.Id, schema.Key.ToString(), start.InProgress.Count);
        var newest = start.InProgress.Max();
        for (var attempt = 0; ; attempt++)
        {
            await using (var command = sourceDb.CreateCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > $1"))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = newest });
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 10 << Math.Min(attempt, 7))), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<long> EstimateAsync(List<TableReader> tables, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var table in tables)
        {
            await using var connection = await sourceDb.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"),
                    new NpgsqlBatchCommand($"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table.Table.Quoted}{(record.Filter is { } f ? $" WHERE ({f}\n)" : string.Empty)}"),
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                using var document = JsonDocument.Parse(reader.GetString(0));
                total += (long)document.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
            }
        }

        return total;
    }

    private async Task<TableReader> DescribeAsync(TableName table, CancellationToken cancellationToken)
    {
        await using var command = sourceDb.CreateCommand(
            """
            SELECT c.oid::bigint, a.attname, a.atttypid::bigint, format_type(a.atttypid, NULL), array_position(i.indkey::int2[], a.attnum)
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE c.oid = to_regclass($1)
            ORDER BY a.attnum
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = table.Quoted });
        uint oid = 0;
        var columns = new List<RelationColumn>();
        var typeNames = new Dictionary<uint, string>();
        var keys = new SortedList<int, int>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                oid = (uint)reader.GetInt64(0);
                var type = (uint)reader.GetInt64(2);
                typeNames[type] = reader.GetString(3);
                if (!reader.IsDBNull(4))
                {
                    keys.Add(reader.GetInt32(4), columns.Count);
                }

                columns.Add(new RelationColumn(reader.GetString(1), type, !reader.IsDBNull(4)));
            }
        }

        if (columns.Count == 0)
        {
            throw new SyncConfigurationException($"Backfill of {schema.Key}: table {table} does not exist in the source.");
        }

        if (keys.Count == 0)
        {
            throw new SyncConfigurationException($"Backfill of {schema.Key}: table {table} has no primary key; a backfill reads rows in primary key order. Add a primary key.");
        }

        var relation = new RelationInfo(oid, 0, table, 'd', columns);
        var compiled = schema.Transformations
            .Where(t => t.Operation == TransformOperation.Insert && t.Table == table)
            .Select(t => CompiledTransformation.Compile(schema, t, relation, o => typeNames[o]))
            .ToList();
        return new TableReader(table, relation, keys.Values.ToList(), typeNames, compiled);
    }

    private sealed record TableReader(TableName Table, RelationInfo Relation, IReadOnlyList<int> KeyColumns, IReadOnlyDictionary<uint, string> TypeNames, IReadOnlyList<CompiledTransformation> Transformations)
    {
        public string ChunkSql(bool after, string? filter, int limit)
        {
            // Qualified: a bare name in ORDER BY would mean the text output column (text order, not key order).
            var keyList = string.Join(", ", KeyColumns.Select(c => "rejot_t." + TableName.Quote(Relation.Columns[c].Name)));
            var sql = new StringBuilder("SELECT ");
            sql.AppendJoin(", ", Relation.Columns.Select(c => "rejot_t." + TableName.Quote(c.Name) + "::text"));
            sql.Append(" FROM ").Append(Table.Quoted).Append(" AS rejot_t WHERE true");
            if (after)
            {
                sql.Append(" AND (").Append(keyList).Append(") > (")
                    .AppendJoin(", ", KeyColumns.Select((c, i) => $"${i + 1}::{TypeNames[Relation.Columns[c].TypeOid]}"))
                    .Append(')');
            }

            if (filter is not null)
            {
                // On its own lines, so a trailing comment in the filter cannot swallow the rest.
                sql.Append(" AND (\n").Append(filter).Append("\n)");
            }

            sql.Append(" ORDER BY ").Append(keyList).Append(CultureInfo.InvariantCulture, $" LIMIT {limit}");
            return sql.ToString();
        }
    }
}
