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
/// missing, unless the event store has a position for it: then data would be lost, which is an error; likewise a
/// slot whose confirmed position is ahead of the event store's, i.e. re-created or advanced behind our back).
/// </summary>
internal sealed class SourcePreparer(NpgsqlDataSource sourceDb, SourceDataStore source, ILogger logger)
{
    internal const string ManagedComment = "managed by rejot";

    /// <summary>
    /// Prepares the source. <paramref name="known"/> holds the tables' relation ids from the last successful
    /// preparation, so a table that disappeared can be reported as renamed.
    /// </summary>
    public async Task<PreparedSource> PrepareAsync(IReadOnlyCollection<TableName> tables, SourcePosition? stored, IReadOnlyDictionary<uint, TableName>? known, CancellationToken cancellationToken)
    {
        await using var connection = await sourceDb.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var walLevel = (string?)await ScalarAsync(connection, "SHOW wal_level", cancellationToken).ConfigureAwait(false);
        if (walLevel != "logical")
        {
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': wal_level is '{walLevel}', logical replication needs 'logical'. Run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL.");
        }

        var oids = await CheckTablesAsync(connection, tables, known, cancellationToken).ConfigureAwait(false);
        var added = await PreparePublicationAsync(connection, tables, cancellationToken).ConfigureAwait(false);
        var created = await PrepareSlotAsync(connection, stored, cancellationToken).ConfigureAwait(false);
        return new PreparedSource(oids, stored is null ? [] : added, created);
    }

    private async Task<Dictionary<uint, TableName>> CheckTablesAsync(
        NpgsqlConnection connection, IReadOnlyCollection<TableName> tables, IReadOnlyDictionary<uint, TableName>? known, CancellationToken cancellationToken)
    {
        var oids = new Dictionary<uint, TableName>();
        var missing = new List<string>();
        var noIdentity = new List<string>();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(
                """
                SELECT c.relreplident::text,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident),
                       c.oid
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

            oids[reader.GetFieldValue<uint>(3)] = table;
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
            var renamed = await RenamedAsync(connection, known ?? new Dictionary<uint, TableName>(), missing, cancellationToken).ConfigureAwait(false);
            if (renamed.Count == 0)
            {
                // A publication lists tables by identity: a renamed table stays in it under its new name.
                var published = await PublishedTablesAsync(connection, cancellationToken).ConfigureAwait(false);
                var unexpected = published.Where(t => !tables.Contains(t)).Select(t => t.ToString()).Order(StringComparer.Ordinal).ToList();
                if (unexpected.Count > 0 && missing.Count > 0)
                {
                    renamed.Add($"publication '{source.PublicationName}' lists {string.Join(", ", unexpected)} instead: renamed?");
                }
            }

            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': the public schemas read table(s) {string.Join(", ", missing)}, which do not exist in the source database"
                + (renamed.Count > 0 ? $" ({string.Join(", ", renamed)})" : string.Empty)
                + ". Create them or fix the transformation's table name (schema.table). Nothing is read until then.");
        }

        if (noIdentity.Count > 0)
        {
            // Publishing such a table would make PostgreSQL reject the application's own UPDATEs and DELETEs.
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': table(s) {string.Join(", ", noIdentity)} have no usable replica identity, so their updates and deletes cannot be keyed (and PostgreSQL would reject them once published). "
                + $"Add a primary key, or run: {string.Join(" ", noIdentity.Select(t => $"ALTER TABLE {t} REPLICA IDENTITY FULL;"))}");
        }

        return oids;
    }

    /// <summary>For tables that vanished: "a was renamed to b" when their relation id now has another name.</summary>
    private static async Task<List<string>> RenamedAsync(NpgsqlConnection connection, IReadOnlyDictionary<uint, TableName> known, List<string> missing, CancellationToken cancellationToken)
    {
        var current = await CurrentNamesAsync(connection, known.Keys, cancellationToken).ConfigureAwait(false);
        var result = new List<string>();
        foreach (var (oid, name) in known)
        {
            if (missing.Contains(name.ToString()) && current.TryGetValue(oid, out var now) && now != name)
            {
                result.Add($"{name} was renamed to {now}");
            }
        }

        return result;
    }

    private static async Task<Dictionary<uint, TableName>> CurrentNamesAsync(NpgsqlConnection connection, IEnumerable<uint> oids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT c.oid, n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1)", connection);
        command.Parameters.Add(new NpgsqlParameter<uint[]> { TypedValue = oids.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
        var result = new Dictionary<uint, TableName>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetFieldValue<uint>(0)] = new TableName(reader.GetString(1), reader.GetString(2));
        }

        return result;
    }

    /// <summary>
    /// Checks, while reading, that every table the schemas read still exists under its name and is still in the
    /// publication. PostgreSQL simply stops sending the changes of a table removed from the publication, so this
    /// is the only way to notice (only a check at an interval: changes in between are missed, and reported as such);
    /// returns the problem, or null.
    /// </summary>
    public static async Task<SyncConfigurationException?> CheckDriftAsync(NpgsqlDataSource sourceDb, SourceDataStore source, IReadOnlyDictionary<uint, TableName> tables, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
        {
            return null;
        }

        await using var connection = await sourceDb.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentNamesAsync(connection, tables.Keys, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        foreach (var (oid, name) in tables)
        {
            if (!current.TryGetValue(oid, out var now))
            {
                problems.Add($"table {name} was dropped");
            }
            else if (now != name)
            {
                problems.Add($"table {name} was renamed to {now}");
            }
        }

        if (problems.Count > 0)
        {
            return new SyncConfigurationException($"Data store '{source.Slug}': {string.Join("; ", problems)} while syncing, but the transformations still read {string.Join(", ", tables.Values.Where(t => !current.ContainsValue(t)))}. "
                + "Fix the transformations (or the table) and restart; nothing of it is stored until then.");
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT p.puballtables, ARRAY(SELECT pr.prrelid FROM pg_publication_rel pr WHERE pr.prpubid = p.oid)
            FROM pg_publication p WHERE p.pubname = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = source.PublicationName });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return new SyncConfigurationException($"Data store '{source.Slug}': publication '{source.PublicationName}' was dropped while syncing. PostgreSQL 15 cannot decode the WAL written while it did not exist, "
                + "so the source stops at that point even once the publication is re-created: accept the gap with rejot reset-source <data-store>, then backfill the public schemas of this source.");
        }

        if (reader.GetBoolean(0))
        {
            return null;
        }

        var published = reader.GetFieldValue<uint[]>(1).ToHashSet();
        var removed = tables.Where(t => !published.Contains(t.Key)).Select(t => t.Value.ToString()).Order(StringComparer.Ordinal).ToList();
        return removed.Count == 0
            ? null
            : new SyncConfigurationException($"Data store '{source.Slug}': publication '{source.PublicationName}' no longer covers {string.Join(", ", removed)} (removed while syncing, e.g. ALTER PUBLICATION … DROP TABLE), and PostgreSQL does not send their changes since. "
                + "Those changes are not in the event store: once the table is back in the publication (ReJot re-adds it to a publication it manages), backfill the public schemas that read it (rejot backfill <schema>).");
    }

    /// <summary>Returns the tables a managed publication had to be extended with.</summary>
    private async Task<IReadOnlyList<TableName>> PreparePublicationAsync(NpgsqlConnection connection, IReadOnlyCollection<TableName> tables, CancellationToken cancellationToken)
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
            return [.. tables];
        }

        if (comment == ManagedComment && !allTables)
        {
            var current = await PublishedTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            if (!current.SetEquals(tables))
            {
                await ExecuteAsync(connection, $"ALTER PUBLICATION {publication} SET TABLE {tableList}", cancellationToken).ConfigureAwait(false);
                Log.PublicationUpdated(logger, source.Slug, source.PublicationName, tableList);
            }

            return [.. tables.Where(t => !current.Contains(t)).OrderBy(t => t.ToString(), StringComparer.Ordinal)];
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
                    $"Data store '{source.Slug}': publication '{source.PublicationName}' is managed outside ReJot and does not cover {string.Join(", ", uncovered)}, so PostgreSQL would not send their changes. "
                    + $"Run ALTER PUBLICATION {publication} ADD TABLE {string.Join(", ", uncovered.Select(t => t.Quoted))}; then, if it covered them before, backfill the public schemas that read them.");
            }
        }

        return [];
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

    /// <summary>Returns the position of a slot it created, or null.</summary>
    private async Task<long?> PrepareSlotAsync(NpgsqlConnection connection, SourcePosition? stored, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT plugin::text, database::text, coalesce(wal_status, ''), current_database()::text, (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint
            FROM pg_replication_slots WHERE slot_name = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = source.SlotName });
        string? plugin = null, database = null, walStatus = null, current = null;
        long? confirmed = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                plugin = reader.IsDBNull(0) ? null : reader.GetString(0);
                database = reader.IsDBNull(1) ? null : reader.GetString(1);
                walStatus = reader.GetString(2);
                current = reader.GetString(3);
                confirmed = reader.IsDBNull(4) ? null : reader.GetInt64(4);
            }
        }

        const string WayOut = "Changes made in between are not in the event store and cannot be read from the WAL any more. "
            + "To accept the gap and continue from a new slot at the current position: rejot reset-source <data-store> --accept-data-loss, then backfill the public schemas of this source (rejot backfill <schema>) so consumers get the current rows.";
        if (stored is not null && stored.SlotName != source.SlotName)
        {
            throw new ChangesLostException(
                $"Data store '{source.Slug}': the event store's position ({TransactionIds.Format(stored.EndLsn)}) belongs to replication slot '{stored.SlotName}', but the data store now reads slot '{source.SlotName}'. {WayOut}");
        }

        if (plugin is null)
        {
            if (stored is not null)
            {
                throw new ChangesLostException(
                    $"Data store '{source.Slug}': replication slot '{source.SlotName}' is missing (dropped behind ReJot's back), but the event store has a position for it ({TransactionIds.Format(stored.EndLsn)}). {WayOut}");
            }

            await using var create = new NpgsqlCommand("SELECT (lsn - '0/0'::pg_lsn)::bigint FROM pg_create_logical_replication_slot($1, 'pgoutput')", connection);
            create.Parameters.Add(new NpgsqlParameter { Value = source.SlotName });
            var lsn = Convert.ToInt64(await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            Log.SlotCreated(logger, source.Slug, source.SlotName);
            return lsn;
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
            throw new ChangesLostException(
                $"Data store '{source.Slug}': replication slot '{source.SlotName}' was invalidated (wal_status = lost; max_slot_wal_keep_size exceeded). {WayOut}");
        }

        // The engine stores a position before it acknowledges it, so a slot ahead of the store was re-created
        // (or advanced with pg_replication_slot_advance) by someone else, and skipped what lies between.
        if (stored is not null && confirmed is { } flushed && flushed > stored.EndLsn)
        {
            throw new ChangesLostException(
                $"Data store '{source.Slug}': replication slot '{source.SlotName}' starts at {TransactionIds.Format(flushed)}, after the event store's position {TransactionIds.Format(stored.EndLsn)}: "
                + $"it was re-created or advanced behind ReJot's back. {WayOut}");
        }

        return null;
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

/// <summary>What a preparation found.</summary>
/// <param name="Tables">The relation id of every table the schemas read.</param>
/// <param name="AddedTables">Tables a managed publication had to be extended with while the event store already had a position.</param>
/// <param name="CreatedSlotAt">The position of the slot created by this preparation, or null.</param>
internal sealed record PreparedSource(IReadOnlyDictionary<uint, TableName> Tables, IReadOnlyList<TableName> AddedTables, long? CreatedSlotAt);

/// <summary>
/// Changes were lost and the source cannot continue without an operator's decision: the slot is gone, invalidated,
/// re-created or advanced behind the engine's back, or a table left the publication while syncing.
/// </summary>
internal sealed class ChangesLostException(string message) : Exception(message);
