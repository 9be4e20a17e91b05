using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Sync.EventStore;

/// <summary>
/// The event source of a consumer configured to start at the end of the stream (<see cref="ConsumerStart.End"/>):
/// when the consumer has no cursor yet, its cursor is created at the newest stored transaction, in the
/// destination, before anything is read, so only later events are applied, also after a restart.
/// </summary>
/// <remarks>
/// The pump reads "after the beginning" when it has no cursor; this source moves such reads to the stored cursor.
/// Doing it on the first read (not at engine start) puts it inside the pump's retry loop: an unreachable
/// destination or remote service is retried like any read.
/// </remarks>
internal sealed class StartAtEndEventSource(
    IEventSource inner,
    Func<CancellationToken, Task<long>> tail,
    NpgsqlDataSource destination,
    ConsumerSchemaModel consumer,
    ILogger logger) : IEventSource
{
    private long? _floor;

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, CancellationToken cancellationToken)
        => await inner.ReadEventsAsync(schema, await MoveAsync(after, cancellationToken).ConfigureAwait(false), limit, cancellationToken).ConfigureAwait(false);

    public async Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, CancellationToken cancellationToken)
        => await inner.WaitForEventsAsync(schema, await MoveAsync(after, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<EventPosition> MoveAsync(EventPosition after, CancellationToken cancellationToken)
    {
        if (after.CommitLsn != 0)
        {
            return after;
        }

        if (_floor is not { } floor)
        {
            floor = await StartCursorAsync(cancellationToken).ConfigureAwait(false);
            _floor = floor;
        }

        return floor == 0 ? after : EventPosition.AfterTransaction(floor);
    }

    private async Task<long> StartCursorAsync(CancellationToken cancellationToken)
    {
        var end = await tail(cancellationToken).ConfigureAwait(false);
        if (end == 0)
        {
            // Nothing stored yet: the beginning is the end.
            return 0;
        }

        // A cursor stored meanwhile (or by an earlier run) wins: the insert does nothing then.
        await using var command = destination.CreateCommand(
            """
            WITH created AS (
                INSERT INTO rejot_data_store.consumer_cursors
                    (consumer_manifest_slug, consumer_name, manifest_slug, public_schema_name, public_schema_major, commit_lsn, transaction_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT DO NOTHING
                RETURNING commit_lsn)
            SELECT commit_lsn FROM created
            UNION ALL
            SELECT commit_lsn FROM rejot_data_store.consumer_cursors
            WHERE consumer_manifest_slug = $1 AND consumer_name = $2 AND manifest_slug = $3 AND public_schema_name = $4 AND public_schema_major = $5
            LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.Major });
        command.Parameters.Add(new NpgsqlParameter { Value = end });
        command.Parameters.Add(new NpgsqlParameter { Value = TransactionIds.Format(end) });
        var stored = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (stored == end)
        {
            Log.ConsumerStartsAtEnd(logger, consumer.DisplayName, consumer.Source.ToString(), TransactionIds.Format(end));
        }

        return stored;
    }
}
