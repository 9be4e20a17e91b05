using System.Text.Json;
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
        try
        {
            while (true)
            {
                var page = await _source.ReadEventsAsync(_consumer.Source, after, _options.ReadPageSize, cancellationToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    if (transaction is not null)
                    {
                        await FlushAsync(connection!, transaction, batch, reportPosition, cancellationToken).ConfigureAwait(false);
                        await CommitAsync(connection!, transaction, currentLsn, inTransaction, cancellationToken).ConfigureAwait(false);
                        await transaction.DisposeAsync().ConfigureAwait(false);
                        transaction = null;
                        inTransaction = 0;
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
                        await FlushAsync(connection!, transaction, batch, reportPosition, cancellationToken).ConfigureAwait(false);
                        await CommitAsync(connection!, transaction, currentLsn, inTransaction, cancellationToken).ConfigureAwait(false);
                        await transaction.DisposeAsync().ConfigureAwait(false);
                        transaction = null;
                        inTransaction = 0;
                    }

                    if (transaction is null)
                    {
                        connection ??= await _destination.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                        transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    }

                    batch.Add(e);
                    currentLsn = e.CommitLsn;
                    inTransaction++;
                    if (batch.Count >= StatementsPerRoundTrip)
                    {
                        await FlushAsync(connection!, transaction, batch, reportPosition, cancellationToken).ConfigureAwait(false);
                    }
                }

                after = page[^1].Position;
                if (page.Count < _options.ReadPageSize && transaction is not null)
                {
                    // A short page means we are caught up, and every transaction read so far is complete
                    // (transactions are stored atomically).
                    await FlushAsync(connection!, transaction, batch, reportPosition, cancellationToken).ConfigureAwait(false);
                    await CommitAsync(connection!, transaction, currentLsn, inTransaction, cancellationToken).ConfigureAwait(false);
                    await transaction.DisposeAsync().ConfigureAwait(false);
                    transaction = null;
                    inTransaction = 0;
                    after = EventPosition.AfterTransaction(currentLsn);
                }
            }
        }
        finally
        {
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
        await using var batch = new NpgsqlBatch(connection, transaction);
        var applied = new List<StoredEvent>(events.Count);
        foreach (var e in events)
        {
            var sql = e.Operation == EventOperation.Delete ? _delete : _upsert;
            if (sql is null)
            {
                continue;
            }

            var command = new NpgsqlBatchCommand(sql.Sql);
            AddParameters(command, sql, e);
            batch.BatchCommands.Add(command);
            applied.Add(e);
        }

        reportPosition(events[0].Position.ToString());
        events.Clear();
        if (batch.BatchCommands.Count == 0)
        {
            return;
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.BatchCommand is { } failed)
        {
            var index = batch.BatchCommands.IndexOf(failed);
            if (index >= 0)
            {
                reportPosition(applied[index].Position.ToString());
            }

            throw;
        }
    }

    private void AddParameters(NpgsqlBatchCommand command, PositionalSql sql, StoredEvent e)
    {
        if (sql.ParameterCount == 0)
        {
            return;
        }

        using var document = JsonDocument.Parse(e.ObjectJson);
        var root = document.RootElement;
        if (sql.ParameterNames is { } names)
        {
            foreach (var name in names)
            {
                command.Parameters.Add(Parameter(root.TryGetProperty(name, out var value) ? value : default));
            }

            return;
        }

        // $n binds the n-th field of the object, as the original did.
        var values = root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Value).ToList() : [];
        for (var i = 0; i < sql.ParameterCount; i++)
        {
            if (i >= values.Count)
            {
                throw new InvalidOperationException($"Consumer {_consumer.DisplayName}: the SQL uses ${i + 1} but the event at {e.Position} has only {values.Count} field(s).");
            }

            command.Parameters.Add(Parameter(values[i]));
        }
    }

    private static NpgsqlParameter Parameter(JsonElement value)
    {
        // Values travel as untyped text so PostgreSQL parses them for the target column (exact numbers,
        // timestamps, uuids, json).
        object? text = value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.GetRawText(),
        };
        return new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = text ?? DBNull.Value };
    }
}
