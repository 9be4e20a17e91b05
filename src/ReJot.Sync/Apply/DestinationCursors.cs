using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Model;

namespace ReJot.Sync.Apply;

/// <summary>
/// Consumer cursors kept in the destination (schema <c>rejot_data_store</c>), written in the same transaction as
/// the consumer's statements. Keyed by consumer (manifest slug + name) and public schema (slug, name, major), so
/// several consumers of one public schema can share a destination.
/// </summary>
internal static class DestinationCursors
{
    internal const string Schema = "rejot_data_store";

    internal static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "consumer cursors", """
            CREATE TABLE rejot_data_store.consumer_cursors (
                consumer_manifest_slug text NOT NULL,
                consumer_name text NOT NULL,
                manifest_slug text NOT NULL,
                public_schema_name text NOT NULL,
                public_schema_major integer NOT NULL,
                commit_lsn bigint NOT NULL,
                transaction_id text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer_manifest_slug, consumer_name, manifest_slug, public_schema_name, public_schema_major));
            """),
    ];

    public static Task MigrateAsync(NpgsqlDataSource destination, CancellationToken cancellationToken)
        => PostgresMigrator.MigrateAsync(destination, Schema, Migrations, cancellationToken);

    public static async Task<long> LoadAsync(NpgsqlDataSource destination, ConsumerSchemaModel consumer, CancellationToken cancellationToken)
    {
        await using var command = destination.CreateCommand(
            """
            SELECT commit_lsn FROM rejot_data_store.consumer_cursors
            WHERE consumer_manifest_slug = $1 AND consumer_name = $2 AND manifest_slug = $3 AND public_schema_name = $4 AND public_schema_major = $5
            """);
        AddKey(command, consumer);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long lsn ? lsn : 0;
    }

    /// <summary>Advances the cursor inside the sink transaction; fails if another writer moved it past us.</summary>
    public static async Task AdvanceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ConsumerSchemaModel consumer, long commitLsn, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO rejot_data_store.consumer_cursors AS c
                (consumer_manifest_slug, consumer_name, manifest_slug, public_schema_name, public_schema_major, commit_lsn, transaction_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (consumer_manifest_slug, consumer_name, manifest_slug, public_schema_name, public_schema_major)
            DO UPDATE SET commit_lsn = excluded.commit_lsn, transaction_id = excluded.transaction_id, updated_at = now()
            WHERE c.commit_lsn < excluded.commit_lsn
            """, connection, transaction);
        AddKey(command, consumer);
        command.Parameters.Add(new NpgsqlParameter { Value = commitLsn });
        command.Parameters.Add(new NpgsqlParameter { Value = TransactionIds.Format(commitLsn) });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            throw new InvalidOperationException(
                $"Consumer {consumer.DisplayName}: the destination cursor is already at or past {TransactionIds.Format(commitLsn)}; another sync instance is applying this consumer. Run one instance per consumer.");
        }
    }

    private static void AddKey(NpgsqlCommand command, ConsumerSchemaModel consumer)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = consumer.Source.Major });
    }
}
