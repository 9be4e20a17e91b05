using System.Runtime.ExceptionServices;
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

    // Reused for every batch prepared: the events' values, and the conflict keys of the run being built.
    private readonly EventValues _upsertValues;
    private readonly EventValues? _deleteValues;
    private readonly ValueTable _values;
    private readonly HashSet<int>? _upsertKeys;
    private readonly HashSet<int>? _deleteKeys;

    // The event whose values could not be read while preparing a batch (reported once the batch in flight is done).
    private EventPosition? _readFailedAt;

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

        _upsertValues = new EventValues(_upsert, consumer.DisplayName);
        _deleteValues = _delete is null ? null : new EventValues(_delete, consumer.DisplayName);
        _values = new ValueTable(Math.Max(_upsert.ParameterCount, _delete?.ParameterCount ?? 0));
        _upsertKeys = _upsertShape?.ConflictKey is { } upsertKey ? new HashSet<int>(new ConflictKeyComparer(_values, upsertKey)) : null;
        _deleteKeys = _deleteShape?.ConflictKey is { } deleteKey ? new HashSet<int>(new ConflictKeyComparer(_values, deleteKey)) : null;
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

        // At most one batch executes on the destination connection at a time. The next one is built (events parsed,
        // parameter arrays filled) while it executes, and sent once it has completed: the engine's CPU work and the
        // destination's execution overlap. Building never touches the connection.
        Task? inFlight = null;

        // Waits for the batch in flight; its failure (reported at its own events) surfaces here.
        async Task DrainAsync()
        {
            if (inFlight is { } running)
            {
                inFlight = null;
                await running.ConfigureAwait(false);
            }
        }

        // Builds a batch from the events collected, then sends it behind the one in flight.
        async Task SendAsync()
        {
            PreparedBatch? next = null;
            ExceptionDispatchInfo? buildFailure = null;
            _readFailedAt = null;
            try
            {
                next = Prepare(batch);
            }
            catch (Exception e)
            {
                buildFailure = ExceptionDispatchInfo.Capture(e);
            }

            try
            {
                // The batch in flight holds earlier events: its failure is the one to report.
                await DrainAsync().ConfigureAwait(false);
            }
            catch
            {
                next?.Batch.Dispose();
                throw;
            }

            if (buildFailure is not null)
            {
                if (_readFailedAt is { } failedAt)
                {
                    reportPosition(failedAt.ToString());
                }

                buildFailure.Throw();
            }

            if (next is not null)
            {
                next.Batch.Connection = connection;
                next.Batch.Transaction = transaction;
                reportPosition(next.Applied[0].Position.ToString());
                inFlight = ExecuteAsync(next, reportPosition, cancellationToken);
            }
        }

        // Applies what is batched, advances the cursor and commits: the open destination transaction ends here.
        async Task CommitOpenAsync()
        {
            await SendAsync().ConfigureAwait(false);
            await DrainAsync().ConfigureAwait(false);
            await CommitAsync(connection!, transaction!, currentLsn, inTransaction, cancellationToken).ConfigureAwait(false);
            committed = currentLsn;
            await transaction!.DisposeAsync().ConfigureAwait(false);
            transaction = null;
            inTransaction = 0;
        }

        // Once the pump stops or starts over, a batch still in flight is of no interest; it must only be complete
        // before its transaction is rolled back (one command at a time on the connection).
        async Task AbandonAsync()
        {
            try
            {
                await DrainAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
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
                            await SendAsync().ConfigureAwait(false);
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
                    // key in a run) just passes. Batches built after the failing one were never sent.
                    Log.ConsumerSetBasedRunFailed(_logger, _consumer.DisplayName, failed.Position.ToString(), TransactionIds.Format(currentLsn), failed.InnerException!.Message);
                    _perEventThrough = Math.Max(_perEventThrough, currentLsn);
                    await AbandonAsync().ConfigureAwait(false);
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
            await AbandonAsync().ConfigureAwait(false);
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

    /// <summary>
    /// Builds the statements for <paramref name="events"/> (and clears the list); null when none of them has a
    /// statement. CPU only: the batch has no connection yet.
    /// </summary>
    private PreparedBatch? Prepare(List<StoredEvent> events)
    {
        if (events.Count == 0)
        {
            return null;
        }

        // Every event's values are read once, in order: the first unreadable event is the one reported.
        _values.EnsureRows(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if ((e.Operation == EventOperation.Delete ? _deleteValues : _upsertValues) is { } reader)
            {
                ReadValues(e, reader, _values.Row(i, reader.ParameterCount));
            }
        }

        var prepared = new PreparedBatch(new NpgsqlBatch(), [], new List<StoredEvent>(events.Count));
        var next = 0;
        while (next < events.Count)
        {
            var e = events[next];
            var isDelete = e.Operation == EventOperation.Delete;
            var sql = isDelete ? _delete : _upsert;
            if (sql is null)
            {
                next++;
                continue;
            }

            var setBased = isDelete ? _deleteSetBased : _upsertSetBased;
            if (setBased is not null && e.CommitLsn > _perEventThrough)
            {
                next = AddRun(prepared, events, next, isDelete, sql, setBased, isDelete ? _deleteKeys : _upsertKeys);
                continue;
            }

            prepared.Batch.BatchCommands.Add(Single(sql, _values.Row(next, sql.ParameterCount)));
            prepared.Origins.Add((prepared.Applied.Count, false));
            prepared.Applied.Add(e);
            next++;
        }

        events.Clear();
        if (prepared.Batch.BatchCommands.Count == 0)
        {
            prepared.Batch.Dispose();
            return null;
        }

        return prepared;
    }

    /// <summary>Executes a prepared batch; a failure is mapped to the event it belongs to.</summary>
    private async Task ExecuteAsync(PreparedBatch prepared, Action<string> reportPosition, CancellationToken cancellationToken)
    {
        using var activity = SyncMetrics.ActivitySource.StartActivity("rejot.apply_batch");
        activity?.SetTag("rejot.consumer", _consumer.DisplayName);
        await using var batch = prepared.Batch;
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            var index = FailedCommand(batch, e);
            var origins = prepared.Origins;
            if (index >= 0 ? origins[index].SetBased : origins.Any(o => o.SetBased))
            {
                throw new SetBasedRunFailedException(prepared.Applied[index >= 0 ? origins[index].First : 0].Position, e);
            }

            if (index >= 0)
            {
                reportPosition(prepared.Applied[origins[index].First].Position.ToString());
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
    private int AddRun(PreparedBatch prepared, List<StoredEvent> events, int start, bool isDelete, PositionalSql sql, ResolvedSetBased setBased, HashSet<int>? keys)
    {
        keys?.Clear();
        var end = start;
        while (end < events.Count)
        {
            var e = events[end];
            if ((e.Operation == EventOperation.Delete) != isDelete || e.CommitLsn <= _perEventThrough)
            {
                break;
            }

            if (keys is not null && !keys.Add(end))
            {
                // One statement cannot update a row twice: the next run starts here.
                break;
            }

            end++;
        }

        var count = end - start;
        prepared.Origins.Add((prepared.Applied.Count, count > 1));
        for (var r = start; r < end; r++)
        {
            prepared.Applied.Add(events[r]);
        }

        if (count == 1)
        {
            prepared.Batch.BatchCommands.Add(Single(sql, _values.Row(start, sql.ParameterCount)));
            return end;
        }

        var command = new NpgsqlBatchCommand(setBased.Sql);
        var values = _values.Values;
        var stride = _values.Stride;
        for (var c = 0; c < sql.ParameterCount; c++)
        {
            var column = new string?[count];
            for (int r = 0, at = (start * stride) + c; r < count; r++, at += stride)
            {
                column[r] = values[at];
            }

            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = column });
        }

        prepared.Batch.BatchCommands.Add(command);
        return end;
    }

    private void ReadValues(StoredEvent e, EventValues reader, Span<string?> values)
    {
        try
        {
            reader.Read(e, values);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
        {
            _readFailedAt = e.Position;
            throw;
        }
    }

    private static NpgsqlBatchCommand Single(PositionalSql sql, ReadOnlySpan<string?> values)
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

    /// <summary>A batch built and not yet sent: its commands, and per command the first event it applies (an index into Applied) and whether it is a set-based run.</summary>
    private sealed record PreparedBatch(NpgsqlBatch Batch, List<(int First, bool SetBased)> Origins, List<StoredEvent> Applied);

    /// <summary>The values of the events being prepared: event i's at [i * Stride, i * Stride + parameter count).</summary>
    private sealed class ValueTable(int stride)
    {
        public int Stride { get; } = stride;

        public string?[] Values { get; private set; } = [];

        public void EnsureRows(int rows)
        {
            if (Values.Length < rows * Stride)
            {
                Values = new string?[rows * Stride];
            }
        }

        public Span<string?> Row(int row, int count) => Values.AsSpan(row * Stride, count);
    }

    /// <summary>Compares events (rows of a <see cref="ValueTable"/>) by their conflict key's values, ordinally; NULL equals NULL.</summary>
    private sealed class ConflictKeyComparer(ValueTable table, IReadOnlyList<int> key) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y)
        {
            var values = table.Values;
            foreach (var k in key)
            {
                if (!string.Equals(values[(x * table.Stride) + k], values[(y * table.Stride) + k], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(int row)
        {
            var values = table.Values;
            var hash = default(HashCode);
            foreach (var k in key)
            {
                hash.Add(values[(row * table.Stride) + k]?.GetHashCode() ?? 0);
            }

            return hash.ToHashCode();
        }
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
