using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Capture;

/// <summary>
/// Runs one source: prepare (checks, publication, slot), read the slot, and on any failure report it, wait
/// with exponential backoff and start again from the event store's position (nothing is acknowledged that was
/// not stored, so a restart loses nothing). Emits idle heartbeats and measures the WAL the slot retains.
/// </summary>
internal sealed class SourceRunner(
    SourceDataStore source,
    string connectionString,
    NpgsqlDataSource sourceDb,
    IEventStore store,
    SourceTransformer transformer,
    SourceStatus status,
    ReJotSyncOptions options,
    SyncMetrics metrics,
    ILogger logger,
    TimeProvider timeProvider)
{
    private readonly TaskCompletionSource _prepared = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyDictionary<uint, TableName>? _tables;
    private Exception? _drift;

    /// <summary>Completes after the first preparation attempt (slot created: later changes are captured), successful or not.</summary>
    public Task FirstPreparation => _prepared.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? heartbeat = null;
            try
            {
                var stored = await store.GetSourcePositionAsync(source.Slug, cancellationToken).ConfigureAwait(false);
                var prepared = await new SourcePreparer(sourceDb, source, logger).PrepareAsync(transformer.Tables, stored, _tables, cancellationToken).ConfigureAwait(false);
                _tables = prepared.Tables;
                if (prepared.CreatedSlotAt is { } createdAt)
                {
                    // From now on the event store knows the slot: if it disappears, that is a loss, not a first start.
                    await store.AdvanceSourcePositionAsync(source.Slug, source.SlotName, createdAt, cancellationToken).ConfigureAwait(false);
                }

                if (prepared.AddedTables.Count > 0)
                {
                    ReportAddedTables(prepared.AddedTables);
                }

                transformer.LastStoredCommitLsn = stored?.CommitLsn ?? 0;
                status.SetPosition(stored?.CommitLsn ?? 0);
                status.SetRunning(true);
                _prepared.TrySetResult();
                heartbeat = HeartbeatAsync(run.Token, run);
                Log.SourceReading(logger, source.Slug, source.SlotName, source.PublicationName, stored is null ? "the slot's position" : TransactionIds.Format(stored.EndLsn));
                var before = status.Snapshot().Transactions;
                try
                {
                    _drift = null;
                    await new PgOutputReader(connectionString, source, options.SpoolMaxInMemoryChanges, transformer, tables: prepared.Tables,
                            recordPosition: (lsn, token) => store.AdvanceSourcePositionAsync(source.Slug, source.SlotName, lsn, token),
                            spoolMaxInMemoryBytes: options.SpoolMaxInMemoryBytes)
                        .RunAsync(stored?.EndLsn ?? prepared.CreatedSlotAt ?? 0, stored?.CommitLsn ?? 0, run.Token).ConfigureAwait(false);
                }
                catch (Exception) when (_drift is not null && run.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The heartbeat found the tables or the publication changed under us.
                    throw _drift;
                }
                finally
                {
                    if (status.Snapshot().Transactions > before)
                    {
                        attempt = 0;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                attempt++;
                var delay = Backoff.Delay(attempt, options.RetryInitialDelay, options.RetryMaxDelay);
                var reason = Failures.Describe(e);
                status.SetError(reason);
                metrics.Failures.Add(1, new KeyValuePair<string, object?>("data_store", source.Slug));
                if (e is TransformationFailedException)
                {
                    // Prepared transformations would keep what they were prepared against; the fix may be DDL.
                    sourceDb.Clear();
                }

                if (e is ChangesLostException)
                {
                    Log.ChangesLost(logger, source.Slug, delay, reason);
                }
                else
                {
                    if (ReferenceEquals(e, _drift))
                    {
                        status.AddWarning(reason);
                    }

                    Log.SourceFailed(logger, source.Slug, attempt, delay, reason, Failures.ForLog(e));
                }

                _prepared.TrySetResult();
                try
                {
                    await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                await run.CancelAsync().ConfigureAwait(false);
                if (heartbeat is not null)
                {
                    await heartbeat.ConfigureAwait(false);
                }
            }
        }

        status.SetRunning(false);
        _prepared.TrySetResult();
    }

    private void ReportAddedTables(IReadOnlyList<TableName> added)
    {
        var tables = string.Join(", ", added);
        var schemas = string.Join(", ", transformer.Schemas.Values
            .Where(s => s.Transformations.Any(t => added.Contains(t.Table)))
            .Select(s => s.Key.ToString()).Distinct(StringComparer.Ordinal));
        Log.PublicationExtended(logger, source.Slug, source.PublicationName, tables, schemas);
        status.AddWarning($"Publication {source.PublicationName} did not cover {tables}; changes to it made before now are not events: backfill {schemas} if consumers need them.");
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken, CancellationTokenSource run)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                status.SetRetainedWal(await SourcePreparer.RetainedWalAsync(sourceDb, source.SlotName, cancellationToken).ConfigureAwait(false));
                if (_tables is { } tables && await SourcePreparer.CheckDriftAsync(sourceDb, source, tables, cancellationToken).ConfigureAwait(false) is { } drift)
                {
                    _drift = drift;
                    await run.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(options.HeartbeatInterval, timeProvider, cancellationToken).ConfigureAwait(false);
                // Lets the reader acknowledge a position on a quiet database (or one whose changes are all unpublished).
                await using var command = sourceDb.CreateCommand($"SELECT pg_logical_emit_message(false, '{PgOutputReader.HeartbeatPrefix}', '')");
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // The reader reports connectivity problems; a missed heartbeat only delays slot advancement.
                try
                {
                    await Task.Delay(options.HeartbeatInterval, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>Exponential backoff.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        var ticks = Math.Min(initial.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
