using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Sync.Capture;

/// <summary>
/// Checks and prepares a source before reading: <c>wal_level</c>, the tables and their replica identity, the
/// publication (created or updated when we manage it, verified when the user does) and the slot (created when
/// missing, unless the event store has a position for it: then data would be lost, which is an error).
/// </summary>
internal sealed class SourcePreparer(NpgsqlDataSource sourceDb, SourceDataStore source, ILogger logger)
{
    internal const string ManagedComment = "managed by rejot";

    public async Task PrepareAsync(IReadOnlyCollection<TableName> tables, SourcePosition? stored, CancellationToken cancellationToken)
    {
        await using var connection = await sourceDb.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var walLevel = (string?)await ScalarAsync(connection, "SHOW wal_level", cancellationToken).ConfigureAwait(false);
        if (walLevel != "logical")
        {
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': wal_level is '{walLevel}', logical replication needs 'logical'. Run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL.");
        }

        await CheckTablesAsync(connection, tables, cancellationToken).ConfigureAwait(false);
        await PreparePublicationAsync(connection, tables, cancellationToken).ConfigureAwait(false);
        await PrepareSlotAsync(connection, stored, cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckTablesAsync(NpgsqlConnection connection, IReadOnlyCollection<TableName> tables, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        var noIdentity = new List<string>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(
                """
                SELECT c.relreplident::text,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = table.Schema });
            command.Parameters.Add(new NpgsqlParameter { Value = table.Name });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                missing.Add(table.ToString());
                continue;
            }

            var identity = reader.GetString(0);
            var hasPrimaryKey = reader.GetBoolean(1);
            var hasIdentityIndex = reader.GetBoolean(2);
            var usable = identity switch
            {
                "f" => true,
                "i" => hasIdentityIndex,
                "d" => hasPrimaryKey,
                _ => false,
            };
            if (!usable)
            {
                noIdentity.Add(table.ToString());
            }
        }

        if (missing.Count > 0)
        {
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': the public schemas read table(s) {string.Join(", ", missing)}, which do not exist in the source database. Create them or fix the transformation's table name (schema.table).");
        }

        if (noIdentity.Count > 0)
        {
            // Publishing such a table would make PostgreSQL reject the application's own UPDATEs and DELETEs.
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': table(s) {string.Join(", ", noIdentity)} have no usable replica identity, so their updates and deletes cannot be keyed (and PostgreSQL would reject them once published). "
                + $"Add a primary key, or run: {string.Join(" ", noIdentity.Select(t => $"ALTER TABLE {t} REPLICA IDENTITY FULL;"))}");
        }
    }

    private async Task PreparePublicationAsync(NpgsqlConnection connection, IReadOnlyCollection<TableName> tables, CancellationToken cancellationToken)
    {
        var tableList = string.Join(", ", tables.OrderBy(t => t.ToString(), StringComparer.Ordinal).Select(t => t.Quoted));
        await using var lookup = new NpgsqlCommand(
            "SELECT p.puballtables, obj_description(p.oid, 'pg_publication'), p.pubinsert AND p.pubupdate AND p.pubdelete FROM pg_publication p WHERE p.pubname = $1", connection);
        lookup.Parameters.Add(new NpgsqlParameter { Value = source.PublicationName });
        bool exists, allTables = false, publishesAll = false;
        string? comment = null;
        await using (var reader = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            exists = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (exists)
            {
                allTables = reader.GetBoolean(0);
                comment = reader.IsDBNull(1) ? null : reader.GetString(1);
                publishesAll = reader.GetBoolean(2);
            }
        }

        var publication = TableName.Quote(source.PublicationName);
        if (!exists)
        {
            await ExecuteAsync(connection,
                $"CREATE PUBLICATION {publication} FOR TABLE {tableList} WITH (publish = 'insert, update, delete, truncate'); COMMENT ON PUBLICATION {publication} IS '{ManagedComment}';",
                cancellationToken).ConfigureAwait(false);
            Log.PublicationUpdated(logger, source.Slug, source.PublicationName, tableList);
            return;
        }

        if (comment == ManagedComment && !allTables)
        {
            var current = await PublishedTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            if (!current.SetEquals(tables))
            {
                await ExecuteAsync(connection, $"ALTER PUBLICATION {publication} SET TABLE {tableList}", cancellationToken).ConfigureAwait(false);
                Log.PublicationUpdated(logger, source.Slug, source.PublicationName, tableList);
            }

            return;
        }

        // User-managed: verify only.
        if (!publishesAll)
        {
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': publication '{source.PublicationName}' does not publish inserts, updates and deletes. Run ALTER PUBLICATION {publication} SET (publish = 'insert, update, delete, truncate');");
        }

        if (!allTables)
        {
            var published = await PublishedTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            var uncovered = tables.Where(t => !published.Contains(t)).ToList();
            if (uncovered.Count > 0)
            {
                throw new SyncConfigurationException(
                    $"Data store '{source.Slug}': publication '{source.PublicationName}' is managed outside ReJot and does not cover {string.Join(", ", uncovered)}. Run ALTER PUBLICATION {publication} ADD TABLE {string.Join(", ", uncovered.Select(t => t.Quoted))};");
            }
        }
    }

    private async Task<HashSet<TableName>> PublishedTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = source.PublicationName });
        var result = new HashSet<TableName>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new TableName(reader.GetString(0), reader.GetString(1)));
        }

        return result;
    }

    private async Task PrepareSlotAsync(NpgsqlConnection connection, SourcePosition? stored, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT plugin::text, database::text, coalesce(wal_status, ''), current_database()::text FROM pg_replication_slots WHERE slot_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = source.SlotName });
        string? plugin = null, database = null, walStatus = null, current = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                plugin = reader.IsDBNull(0) ? null : reader.GetString(0);
                database = reader.IsDBNull(1) ? null : reader.GetString(1);
                walStatus = reader.GetString(2);
                current = reader.GetString(3);
            }
        }

        if (plugin is null)
        {
            if (stored is not null && stored.SlotName == source.SlotName)
            {
                throw new SlotLostException(
                    $"Data store '{source.Slug}': replication slot '{source.SlotName}' is missing, but the event store has a position for it ({TransactionIds.Format(stored.CommitLsn)}). "
                    + "Changes made since then cannot be recovered from the WAL. Resynchronise consumers, then delete the position (DELETE FROM rejot_events.source_positions WHERE data_store = "
                    + $"'{source.Slug}') to start a new slot.");
            }

            await ExecuteAsync(connection, $"SELECT pg_create_logical_replication_slot('{source.SlotName.Replace("'", "''", StringComparison.Ordinal)}', 'pgoutput')", cancellationToken).ConfigureAwait(false);
            Log.SlotCreated(logger, source.Slug, source.SlotName);
            return;
        }

        if (plugin != "pgoutput")
        {
            throw new SyncConfigurationException($"Data store '{source.Slug}': slot '{source.SlotName}' uses plugin '{plugin}', not pgoutput. Drop it or choose another slot name.");
        }

        if (database != current)
        {
            throw new SyncConfigurationException($"Data store '{source.Slug}': slot '{source.SlotName}' belongs to database '{database}', not '{current}'. Choose another slot name.");
        }

        if (walStatus == "lost")
        {
            throw new SlotLostException(
                $"Data store '{source.Slug}': replication slot '{source.SlotName}' was invalidated (wal_status = lost; max_slot_wal_keep_size exceeded). Changes were lost: resynchronise consumers, drop the slot and delete its stored position.");
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the WAL the slot retains, in bytes.</summary>
    public static async Task<long?> RetainedWalAsync(NpgsqlDataSource sourceDb, string slotName, CancellationToken cancellationToken)
    {
        await using var command = sourceDb.CreateCommand(
            "SELECT (pg_current_wal_lsn() - restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = slotName });
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long l ? l : value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}

/// <summary>The slot is gone or invalidated while the event store expects it: data was lost.</summary>
internal sealed class SlotLostException(string message) : Exception(message);
