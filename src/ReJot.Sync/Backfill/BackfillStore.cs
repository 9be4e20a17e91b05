using Npgsql;
using NpgsqlTypes;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Backfill;

/// <summary>A chunk's effect on its backfill's row, written in the event store transaction that holds its events.</summary>
internal sealed record BackfillProgressUpdate(long BackfillId, int TableIndex, IReadOnlyList<string> LastKey, int RowsRead, int RowsEmitted, bool TableDone, bool Completed, string? Error)
{
    public const string Sql = """
        UPDATE rejot_events.backfills SET
            table_index = CASE WHEN $8 IS NULL AND $6 THEN $2 + 1 ELSE $2 END,
            last_key = CASE WHEN $8 IS NOT NULL THEN last_key WHEN $6 THEN NULL ELSE $3 END,
            rows_read = rows_read + CASE WHEN $8 IS NULL THEN $4 ELSE 0 END,
            rows_emitted = rows_emitted + CASE WHEN $8 IS NULL THEN $5 ELSE 0 END,
            chunks = chunks + 1,
            status = CASE WHEN $8 IS NOT NULL THEN 'failed' WHEN $7 THEN 'completed' ELSE status END,
            error = $8,
            completed_at = CASE WHEN $8 IS NOT NULL OR $7 THEN now() ELSE completed_at END,
            updated_at = now()
        WHERE id = $1 AND status = 'running'
        """;

    public void AddParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = BackfillId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = TableIndex });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = LastKey.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RowsRead });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = RowsEmitted });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = TableDone });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = Completed });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
    }
}

/// <summary>A backfill row as stored.</summary>
internal sealed record BackfillRecord(
    long Id,
    PublicSchemaKey Schema,
    string? Filter,
    string Status,
    int TableIndex,
    IReadOnlyList<string>? LastKey,
    long RowsRead,
    long RowsEmitted,
    long RowsEstimated,
    long Chunks,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    string? ForConsumer = null);

/// <summary>
/// The <c>rejot_events.backfills</c> table: requests (from the hosting API, the CLI or <c>initial</c> mode), state and
/// resumable progress. At most one backfill per public schema (and per target: every consumer, or one consumer) is
/// requested or running at a time.
/// </summary>
internal sealed class BackfillStore(NpgsqlDataSource eventStore)
{
    /// <summary>Notification channel that wakes engines when a backfill is requested.</summary>
    public const string NotifyChannel = "rejot_backfills";

    private const string Columns = """
        id, manifest_slug, schema_name, schema_major, filter, status, table_index, last_key, rows_read, rows_emitted,
        rows_estimated, chunks, error, created_at, started_at, updated_at, completed_at, for_consumer
        """;

    /// <summary>
    /// Requests a backfill; when one of the schema (for the same consumer, or for every consumer) is already requested
    /// or running, returns that one instead.
    /// </summary>
    public async Task<(BackfillRecord Record, bool Created)> RequestAsync(PublicSchemaKey schema, string? filter, string? forConsumer, string requestedBy, CancellationToken cancellationToken)
    {
        await using var connection = await eventStore.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            $"""
            INSERT INTO rejot_events.backfills (manifest_slug, schema_name, schema_major, filter, status, requested_by, for_consumer)
            VALUES ($1, $2, $3, $4, 'requested', $5, $6)
            ON CONFLICT (manifest_slug, schema_name, schema_major, (coalesce(for_consumer, ''))) WHERE status IN ('requested', 'running') DO NOTHING
            RETURNING {Columns}
            """, connection, transaction))
        {
            AddKey(insert, schema);
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)filter ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = requestedBy });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)forConsumer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            var created = await ReadAsync(insert, cancellationToken).ConfigureAwait(false);
            if (created.Count == 1)
            {
                await using var notify = new NpgsqlCommand($"SELECT pg_notify('{NotifyChannel}', $1::text)", connection, transaction);
                notify.Parameters.Add(new NpgsqlParameter { Value = created[0].Id });
                await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (created[0], true);
            }
        }

        await using var existing = new NpgsqlCommand(
            $"""
            SELECT {Columns} FROM rejot_events.backfills
            WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND coalesce(for_consumer, '') = coalesce($4, '') AND status IN ('requested', 'running')
            """,
            connection, transaction);
        AddKey(existing, schema);
        existing.Parameters.Add(new NpgsqlParameter { Value = (object?)forConsumer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var found = await ReadAsync(existing, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 1 ? (found[0], false) : throw new InvalidOperationException("The active backfill vanished while requesting a new one; request again.");
    }

    public async Task<BackfillRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand($"SELECT {Columns} FROM rejot_events.backfills WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        var rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    public async Task<IReadOnlyList<BackfillRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand($"SELECT {Columns} FROM rejot_events.backfills ORDER BY id");
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Backfills that are requested or running, and the last ones that ended within a day (at most 20 in all), oldest first.</summary>
    public async Task<IReadOnlyList<BackfillRecord>> RecentAsync(CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand(
            $"""
            SELECT * FROM (
                SELECT {Columns} FROM rejot_events.backfills
                WHERE status IN ('requested', 'running') OR completed_at > now() - interval '1 day'
                ORDER BY status IN ('requested', 'running') DESC, id DESC LIMIT 20) b
            ORDER BY id
            """);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Backfills that are requested or running (to start or resume).</summary>
    public async Task<IReadOnlyList<BackfillRecord>> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand($"SELECT {Columns} FROM rejot_events.backfills WHERE status IN ('requested', 'running') ORDER BY id");
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a backfill running (keeps its first start time) and records the estimated number of rows.</summary>
    public async Task MarkRunningAsync(long id, long estimated, CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand(
            """
            UPDATE rejot_events.backfills SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
                rows_estimated = CASE WHEN $2 >= 0 THEN $2 ELSE rows_estimated END
            WHERE id = $1 AND status IN ('requested', 'running')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = estimated });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a requested or running backfill with <paramref name="status"/> (failed or cancelled).</summary>
    public async Task<bool> EndAsync(long id, string status, string? error, CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand(
            $"""
            WITH ended AS (
                UPDATE rejot_events.backfills SET status = $2, error = $3, completed_at = now(), updated_at = now()
                WHERE id = $1 AND status IN ('requested', 'running') RETURNING id)
            SELECT pg_notify('{NotifyChannel}', id::text) FROM ended
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Whether a backfill of the schema was ever requested (for <c>initial</c> mode).</summary>
    public async Task<bool> AnyAsync(PublicSchemaKey schema, CancellationToken cancellationToken)
    {
        await using var command = eventStore.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM rejot_events.backfills WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3)");
        AddKey(command, schema);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static void AddKey(NpgsqlCommand command, PublicSchemaKey schema)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = schema.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = schema.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = schema.Major });
    }

    private static async Task<List<BackfillRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var result = new List<BackfillRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new BackfillRecord(
                reader.GetInt64(0),
                new PublicSchemaKey(reader.GetString(1), reader.GetString(2), reader.GetInt32(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<string[]>(7),
                reader.GetInt64(8),
                reader.GetInt64(9),
                reader.GetInt64(10),
                reader.GetInt64(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.GetFieldValue<DateTimeOffset>(13),
                reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
                reader.GetFieldValue<DateTimeOffset>(15),
                reader.IsDBNull(16) ? null : reader.GetFieldValue<DateTimeOffset>(16),
                reader.IsDBNull(17) ? null : reader.GetString(17)));
        }

        return result;
    }
}
