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
                await new SourcePreparer(sourceDb, source, logger).PrepareAsync(transformer.Tables, stored, cancellationToken).ConfigureAwait(false);
                transformer.LastStoredCommitLsn = stored?.CommitLsn ?? 0;
                status.SetPosition(stored?.CommitLsn ?? 0);
                status.SetRunning(true);
                _prepared.TrySetResult();
                heartbeat = HeartbeatAsync(run.Token);
                Log.SourceReading(logger, source.Slug, source.SlotName, source.PublicationName, stored is null ? "the slot's position" : TransactionIds.Format(stored.EndLsn));
                var before = status.Snapshot().Transactions;
                try
                {
                    await new PgOutputReader(connectionString, source, options.SpoolMaxInMemoryChanges, transformer)
                        .RunAsync(stored?.EndLsn ?? 0, stored?.CommitLsn ?? 0, run.Token).ConfigureAwait(false);
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
                _prepared.TrySetResult();
                metrics.Failures.Add(1, new KeyValuePair<string, object?>("data_store", source.Slug));
                Log.SourceFailed(logger, source.Slug, attempt, delay, reason, Failures.ForLog(e));
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

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                status.SetRetainedWal(await SourcePreparer.RetainedWalAsync(sourceDb, source.SlotName, cancellationToken).ConfigureAwait(false));
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
