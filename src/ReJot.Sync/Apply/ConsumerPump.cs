using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using ReJot.Sql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Sync.Apply;

/// <summary>
/// Applies one consumer schema: reads events after its cursor (woken by the event source), runs the upsert or
/// delete SQL on the destination with parameters from the event's fields, and advances the cursor in the same
/// transaction. Whole source transactions only; several of them per destination transaction when behind. A
/// failure rolls back, is reported (faulted, with the position) and retried with backoff; nothing is skipped.
/// </summary>
internal sealed class ConsumerPump
{
    private const int StatementsPerRoundTrip = 500;

    // Events per round trip when a statement is applied set-based (a run is one statement).
    private const int SetBasedEventsPerRoundTrip = 2000;

    private readonly ConsumerSchemaModel _consumer;
    private readonly IEventSource _source;
    private readonly NpgsqlDataSource _destination;
    private readonly ReJotSyncOptions _options;
    private readonly ConsumerStatus _status;
    private readonly SyncMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly PositionalSql _upsert;
    private readonly PositionalSql? _delete;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly SetBasedSql? _upsertShape;
    private readonly SetBasedSql? _deleteShape;

    // The set-based statements with the parameter types of the current connection (null: apply one by one).
    private ResolvedSetBased? _upsertSetBased;
    private ResolvedSetBased? _deleteSetBased;

    // After a set-based run failed, events up to this commit LSN are applied one by one, so that a real failure is
    // reported at its exact event (and a false alarm simply passes).
    private long _perEventThrough = -1;

    public ConsumerPump(ConsumerSchemaModel consumer, IEventSource source, NpgsqlDataSource destination, ReJotSyncOptions options, ConsumerStatus status, SyncMetrics metrics, ILogger logger, TimeProvider timeProvider)
    {
        _consumer = consumer;
        _source = source;
        _destination = destination;
        _options = options;
        _status = status;
        _metrics = metrics;
        _logger = logger;
        _timeProvider = timeProvider;
        _upsert = Convert(consumer, consumer.Sql, "sql");
        _delete = consumer.DeleteSql is { Length: > 0 } deleteSql ? Convert(consumer, deleteSql, "deleteSql") : null;
        _tag = new KeyValuePair<string, object?>("consumer", consumer.DisplayName);
        if (_delete is null)
        {
            Log.ConsumerIgnoresDeletes(logger, consumer.DisplayName, consumer.Source.ToString());
        }

        if (options.SetBasedApply)
        {
            _upsertShape = Shape(_upsert, "sql");
            _deleteShape = _delete is null ? null : Shape(_delete, "deleteSql");
        }
    }

    private SetBasedSql? Shape(PositionalSql sql, string what)
    {
        if (SetBasedSql.Analyze(sql.Sql, out var reason, sql.ParameterNames) is { } shape && shape.ParameterCount == sql.ParameterCount)
        {
            return shape;
        }

        Log.ConsumerAppliesPerEvent(_logger, _consumer.DisplayName, what, reason.Length > 0 ? reason : "its placeholders could not be mapped");
        return null;
    }

    /// <summary>
    /// Looks up, on this connection, the types PostgreSQL infers for the placeholders of the single-row statement
    /// (PREPARE, then pg_prepared_statements), so the set-based statement casts each value exactly as the
    /// single-row statement would parse it. Types are named schema.typname, never with format_type: that would
    /// turn bpchar into "character", which means char(1). Without them (e.g. the table does not exist yet) events apply one by one.
    /// </summary>
    private async Task<ResolvedSetBased?> ResolveAsync(NpgsqlConnection connection, PositionalSql sql, SetBasedSql? shape, string what, CancellationToken cancellationToken)
    {
        if (shape is null)
        {
            return null;
        }

        const string Name = "rejot_apply_probe";
        try
        {
            await using (var prepare = new NpgsqlCommand($"PREPARE {Name} AS {sql.Sql}", connection))
            {
                await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            string[] types;
            await using (var query = new NpgsqlCommand(
                $"""
                SELECT ARRAY(
                    SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname)
                    FROM unnest(s.parameter_types::oid[]) WITH ORDINALITY AS p(type, ord)
                    JOIN pg_type t ON t.oid = p.type JOIN pg_namespace n ON n.oid = t.typnamespace
                    ORDER BY p.ord)
                FROM pg_prepared_statements s WHERE s.name = '{Name}'
                """, connection))
            {
                types = (string[])(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            await using (var deallocate = new NpgsqlCommand($"DEALLOCATE {Name}", connection))
            {
                await deallocate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (types.Length != shape.ParameterCount || types.Any(t => t is "pg_catalog.unknown"))
            {
                Log.ConsumerAppliesPerEvent(_logger, _consumer.DisplayName, what, "PostgreSQL infers no type for some placeholder");
                return null;
            }

            // Placeholders in DO UPDATE become EXCLUDED.col only where the target table proves them equal.
            var target = shape.Target is { } name ? await SetBasedTarget.ReadAsync(connection, name, cancellationToken).ConfigureAwait(false) : null;
            if (shape.Build(types, target, out var reason) is not { } built)
            {
                Log.ConsumerAppliesPerEvent(_logger, _consumer.DisplayName, what, reason);
                return null;
            }

            return new ResolvedSetBased(shape, built);
        }
        catch (PostgresException e)
        {
            Log.ConsumerAppliesPerEvent(_logger, _consumer.DisplayName, what, "preparing it failed: " + e.MessageText);
            return null;
        }
    }

    private static PositionalSql Convert(ConsumerSchemaModel consumer, string sql, string what)
    {
        try
        {
            return SqlPlaceholders.ToPositional(sql);
        }
        catch (SqlPlaceholderException e)
        {
            throw new SyncConfigurationException($"Consumer schema {consumer.DisplayName}: {what} is not valid: {e.Message}");
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? position = null;
            try
            {
                var cursor = await DestinationCursors.LoadAsync(_destination, _consumer, cancellationToken).ConfigureAwait(false);
                Log.ConsumerStarting(_logger, _consumer.DisplayName, _consumer.Source.ToString(), _consumer.DestinationSlug, TransactionIds.Format(cursor));
                await PumpAsync(cursor, p => position = p, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var reason = Failures.Describe(e);
                var attempt = _status.SetFault(reason, position);
                var delay = Capture.Backoff.Delay(attempt, _options.RetryInitialDelay, _options.RetryMaxDelay);
                _metrics.Failures.Add(1, _tag);
                Log.ConsumerFaulted(_logger, _consumer.DisplayName, position ?? "?", attempt, delay, reason, Failures.ForLog(e));
                if (e is PostgresException)
                {
                    // Auto-prepared statements keep the parameter types inferred when they were prepared: after the
                    // destination is fixed (e.g. a column's type), only a fresh connection prepares them anew.
                    _destination.Clear();
                }

                try
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task PumpAsync(long cursor, Action<string> reportPosition, CancellationToken cancellationToken)
    {
        var after = EventPosition.AfterTransaction(cursor);
        if (!_status.Faulted)
        {
            _status.SetCursor(cursor, 0);
        }

        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        var batch = new List<StoredEvent>(StatementsPerRoundTrip);
        var inTransaction = 0;
        long currentLsn = cursor;
        var committed = cursor;

        // Applies what is batched, advances the cursor and commits: the open destination transaction ends here.
        async Task CommitOpenAsync()
        {
            await FlushAsync(connection!, transaction!, batch, reportPosition, cancellationToken).ConfigureAwait(false);
            await CommitAsync(connection!, transaction!, currentLsn, inTransaction, cancellationToken).ConfigureAwait(false);
            committed = currentLsn;
            await transaction!.DisposeAsync().ConfigureAwait(false);
            transaction = null;
            inTransaction = 0;
        }

        // While a full page is applied, the next one is already being read.
        Task<IReadOnlyList<StoredEvent>>? prefetch = null;
        var prefetchAfter = after;
        try
        {
            while (true)
            {
                try
                {
                    IReadOnlyList<StoredEvent> page;
                    if (prefetch is not null)
                    {
                        var read = prefetch;
                        prefetch = null;
                        page = await read.ConfigureAwait(false);
                        if (prefetchAfter != after)
                        {
                            page = await _source.ReadEventsAsync(_consumer.Source, after, _options.ReadPageSize, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        page = await _source.ReadEventsAsync(_consumer.Source, after, _options.ReadPageSize, cancellationToken).ConfigureAwait(false);
                    }

                    if (page.Count == _options.ReadPageSize)
                    {
                        prefetchAfter = page[^1].Position;
                        prefetch = _source.ReadEventsAsync(_consumer.Source, prefetchAfter, _options.ReadPageSize, cancellationToken);
                    }

                    if (page.Count == 0)
                    {
                        if (transaction is not null)
                        {
                            await CommitOpenAsync().ConfigureAwait(false);
                            after = EventPosition.AfterTransaction(currentLsn);
                            continue;
                        }

                        await _source.WaitForEventsAsync(_consumer.Source, after, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var e in page)
                    {
                        if (transaction is not null && e.CommitLsn != currentLsn && inTransaction >= _options.ApplyBatchSize)
                        {
                            // The previous source transaction is complete: a good place to commit when the batch is full.
                            await CommitOpenAsync().ConfigureAwait(false);
                        }

                        if (transaction is null)
                        {
                            if (connection is null)
                            {
                                connection = await _destination.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                                _upsertSetBased = await ResolveAsync(connection, _upsert, _upsertShape, "sql", cancellationToken).ConfigureAwait(false);
                                _deleteSetBased = _delete is null ? null : await ResolveAsync(connection, _delete, _deleteShape, "deleteSql", cancellationToken).ConfigureAwait(false);
                            }

                            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                        }

                        batch.Add(e);
                        currentLsn = e.CommitLsn;
                        inTransaction++;
                        if (batch.Count >= (_upsertSetBased is null && _deleteSetBased is null ? StatementsPerRoundTrip : SetBasedEventsPerRoundTrip))
                        {
                            await FlushAsync(connection!, transaction, batch, reportPosition, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    after = page[^1].Position;
                    if (page.Count < _options.ReadPageSize && transaction is not null)
                    {
                        // A short page means we are caught up, and every transaction read so far is complete
                        // (transactions are stored atomically).
                        await CommitOpenAsync().ConfigureAwait(false);
                        after = EventPosition.AfterTransaction(currentLsn);
                    }
                }
                catch (SetBasedRunFailedException failed)
                {
                    // Roll back and apply the same events again one by one: a real failure then faults at its
                    // exact event with nothing of the batch committed; a false alarm (e.g. two spellings of one
                    // key in a run) just passes.
                    Log.ConsumerSetBasedRunFailed(_logger, _consumer.DisplayName, failed.Position.ToString(), TransactionIds.Format(currentLsn), failed.InnerException!.Message);
                    _perEventThrough = Math.Max(_perEventThrough, currentLsn);
                    await transaction!.DisposeAsync().ConfigureAwait(false);
                    transaction = null;
                    batch.Clear();
                    inTransaction = 0;
                    currentLsn = committed;
                    after = EventPosition.AfterTransaction(committed);
                }
            }
        }
        finally
        {
            if (prefetch is not null)
            {
                // Observe it: a failed or cancelled read ahead is of no interest once the pump stops.
                try
                {
                    await prefetch.ConfigureAwait(false);
                }
                catch (Exception)
                {
                }
            }

            // Stopping mid-batch rolls the open destination transaction back; the cursor was not advanced.
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long commitLsn, int events, CancellationToken cancellationToken)
    {
        var wasFaulted = _status.Faulted;
        await DestinationCursors.AdvanceAsync(connection, transaction, _consumer, commitLsn, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _status.SetCursor(commitLsn, events);
        _metrics.Applied.Add(events, _tag);
        Log.ConsumerCommitted(_logger, _consumer.DisplayName, events, TransactionIds.Format(commitLsn));
        if (wasFaulted)
        {
            Log.ConsumerRecovered(_logger, _consumer.DisplayName, TransactionIds.Format(commitLsn));
        }
    }

    private async Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<StoredEvent> events, Action<string> reportPosition, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        using var activity = SyncMetrics.ActivitySource.StartActivity("rejot.apply_batch");
        activity?.SetTag("rejot.consumer", _consumer.DisplayName);
        reportPosition(events[0].Position.ToString());
        await using var batch = new NpgsqlBatch(connection, transaction);

        // Per batch command: the first event it applies (index into applied) and whether it is a set-based run.
        var origins = new List<(int First, bool SetBased)>();
        var applied = new List<StoredEvent>(events.Count);
        var i = 0;
        while (i < events.Count)
        {
            var e = events[i];
            var isDelete = e.Operation == EventOperation.Delete;
            var sql = isDelete ? _delete : _upsert;
            if (sql is null)
            {
                i++;
                continue;
            }

            var setBased = isDelete ? _deleteSetBased : _upsertSetBased;
            if (setBased is not null && e.CommitLsn > _perEventThrough)
            {
                i = AddRun(batch, origins, applied, events, i, isDelete, sql, setBased, reportPosition);
                continue;
            }

            AddSingle(batch, origins, applied, e, sql, reportPosition);
            i++;
        }

        events.Clear();
        if (batch.BatchCommands.Count == 0)
        {
            return;
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            var index = FailedCommand(batch, e);
            if (index >= 0 ? origins[index].SetBased : origins.Any(o => o.SetBased))
            {
                throw new SetBasedRunFailedException(applied[index >= 0 ? origins[index].First : 0].Position, e);
            }

            if (index >= 0)
            {
                reportPosition(applied[origins[index].First].Position.ToString());
            }

            throw;
        }
    }

    /// <summary>
    /// The index of the batch command that failed: the first one that did not complete (a completed command has its
    /// statement type). PostgresException.BatchCommand is not relied on: Npgsql 10 leaves it unset for
    /// ExecuteNonQuery, and names the previous command when a parameter value fails to parse (at Bind).
    /// </summary>
    private static int FailedCommand(NpgsqlBatch batch, PostgresException e)
    {
        for (var i = 0; i < batch.BatchCommands.Count; i++)
        {
            if (batch.BatchCommands[i].StatementType == StatementType.Unknown)
            {
                return i;
            }
        }

        return e.BatchCommand is { } failed ? batch.BatchCommands.IndexOf(failed) : -1;
    }

    /// <summary>
    /// Adds consecutive events of one kind from <paramref name="start"/> as one set-based statement (a single event
    /// as a plain one), up to a repeated conflict key; returns the index of the first event not added.
    /// </summary>
    private int AddRun(NpgsqlBatch batch, List<(int First, bool SetBased)> origins, List<StoredEvent> applied, List<StoredEvent> events, int start,
        bool isDelete, PositionalSql sql, ResolvedSetBased setBased, Action<string> reportPosition)
    {
        var columns = new List<string?>[sql.ParameterCount];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = new List<string?>();
        }

        var key = setBased.Shape.ConflictKey;
        var keys = key is null ? null : new HashSet<string>(StringComparer.Ordinal);
        var first = applied.Count;
        var values = new string?[sql.ParameterCount];
        var end = start;
        while (end < events.Count)
        {
            var e = events[end];
            if ((e.Operation == EventOperation.Delete) != isDelete || e.CommitLsn <= _perEventThrough)
            {
                break;
            }

            ReadValues(e, sql, values, reportPosition);
            if (keys is not null && !keys.Add(KeyOf(values, key!)))
            {
                // One statement cannot update a row twice: the next run starts here.
                break;
            }

            for (var c = 0; c < values.Length; c++)
            {
                columns[c].Add(values[c]);
            }

            applied.Add(e);
            end++;
        }

        if (end - start == 1)
        {
            batch.BatchCommands.Add(Single(sql, values));
            origins.Add((first, false));
            return end;
        }

        var command = new NpgsqlBatchCommand(setBased.Sql);
        foreach (var column in columns)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = column.ToArray() });
        }

        batch.BatchCommands.Add(command);
        origins.Add((first, true));
        return end;
    }

    private void AddSingle(NpgsqlBatch batch, List<(int First, bool SetBased)> origins, List<StoredEvent> applied, StoredEvent e, PositionalSql sql, Action<string> reportPosition)
    {
        var values = new string?[sql.ParameterCount];
        ReadValues(e, sql, values, reportPosition);
        batch.BatchCommands.Add(Single(sql, values));
        origins.Add((applied.Count, false));
        applied.Add(e);
    }

    private void ReadValues(StoredEvent e, PositionalSql sql, string?[] values, Action<string> reportPosition)
    {
        try
        {
            EventValues.Read(e, sql, values, _consumer.DisplayName);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
        {
            reportPosition(e.Position.ToString());
            throw;
        }
    }

    private static NpgsqlBatchCommand Single(PositionalSql sql, string?[] values)
    {
        // Values travel as untyped text so PostgreSQL parses them for the target column (exact numbers,
        // timestamps, uuids, json).
        var command = new NpgsqlBatchCommand(sql.Sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)value ?? DBNull.Value });
        }

        return command;
    }

    private static string KeyOf(string?[] values, IReadOnlyList<int> key)
    {
        if (key.Count == 1)
        {
            return values[key[0]] is { } single ? "v" + single : "n";
        }

        // Length-prefixed parts: distinct tuples never collide.
        var builder = new System.Text.StringBuilder();
        foreach (var index in key)
        {
            if (values[index] is { } value)
            {
                builder.Append(value.Length).Append(':').Append(value);
            }
            else
            {
                builder.Append('n');
            }
        }

        return builder.ToString();
    }
}

/// <summary>A consumer statement applied set-based on the current connection: its shape and its SQL with the inferred types.</summary>
internal sealed record ResolvedSetBased(SetBasedSql Shape, string Sql);

/// <summary>A set-based run failed; the pump re-applies the events one by one to find (or rule out) the failing one.</summary>
internal sealed class SetBasedRunFailedException(EventPosition position, Exception inner)
    : Exception($"A set-based run starting at {position} failed: {inner.Message}", inner)
{
    /// <summary>The first event of the run.</summary>
    public EventPosition Position { get; } = position;
}
