using Npgsql;
using NpgsqlTypes;
using ReJot.Sync.Backfill;

namespace ReJot.Sync.EventStore;

/// <summary>
/// The PostgreSQL event store: schema <c>rejot_events</c>, events keyed by (manifest slug, schema name, major,
/// commit LSN, index), source positions written in the same transaction as the events, and a NOTIFY on
/// channel <c>rejot_events</c> after each commit.
/// </summary>
internal sealed class PostgresEventStore : IEventStore, IAsyncDisposable
{
    internal const string Schema = "rejot_events";
    internal const string NotifyChannel = "rejot_events";

    internal static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "events and source positions", """
            CREATE TABLE rejot_events.events (
                manifest_slug text NOT NULL,
                schema_name text NOT NULL,
                schema_major integer NOT NULL,
                schema_minor integer NOT NULL,
                commit_lsn bigint NOT NULL,
                idx integer NOT NULL,
                operation text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
                object jsonb NOT NULL,
                data_store text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (manifest_slug, schema_name, schema_major, commit_lsn, idx));
            CREATE TABLE rejot_events.source_positions (
                data_store text PRIMARY KEY,
                slot_name text NOT NULL,
                commit_lsn bigint NOT NULL,
                end_lsn bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now());
            """),
        new(2, "backfills", """
            CREATE TABLE rejot_events.backfills (
                id bigserial PRIMARY KEY,
                manifest_slug text NOT NULL,
                schema_name text NOT NULL,
                schema_major integer NOT NULL,
                filter text,
                status text NOT NULL CHECK (status IN ('requested', 'running', 'completed', 'failed', 'cancelled')),
                table_index integer NOT NULL DEFAULT 0,
                last_key text[],
                rows_read bigint NOT NULL DEFAULT 0,
                rows_emitted bigint NOT NULL DEFAULT 0,
                rows_estimated bigint NOT NULL DEFAULT 0,
                chunks bigint NOT NULL DEFAULT 0,
                error text,
                requested_by text,
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz);
            CREATE UNIQUE INDEX backfills_one_active ON rejot_events.backfills (manifest_slug, schema_name, schema_major)
                WHERE status IN ('requested', 'running');
            """),
        new(3, "backfills for one consumer", """
            CREATE TABLE rejot_events.consumer_events (
                consumer text NOT NULL,
                manifest_slug text NOT NULL,
                schema_name text NOT NULL,
                schema_major integer NOT NULL,
                schema_minor integer NOT NULL,
                commit_lsn bigint NOT NULL,
                idx integer NOT NULL,
                operation text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
                object jsonb NOT NULL,
                data_store text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, manifest_slug, schema_name, schema_major, commit_lsn, idx));
            ALTER TABLE rejot_events.backfills ADD COLUMN for_consumer text;
            DROP INDEX rejot_events.backfills_one_active;
            CREATE UNIQUE INDEX backfills_one_active ON rejot_events.backfills (manifest_slug, schema_name, schema_major, coalesce(for_consumer, ''))
                WHERE status IN ('requested', 'running');
            """),
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly EventStoreNotifications _notifications;

    public PostgresEventStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        _dataSource = dataSource;
        _notifications = new EventStoreNotifications(dataSource, NotifyChannel, timeProvider ?? TimeProvider.System);
    }

    /// <summary>How long a waiter sleeps without a notification before it looks again (a safety net only).</summary>
    public TimeSpan WaitFallback { get; init; } = TimeSpan.FromSeconds(10);

    public async Task MigrateAsync(CancellationToken cancellationToken)
        => await PostgresMigrator.MigrateAsync(_dataSource, Schema, Migrations, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Checks, without writing, that the store has every migration (a standby must not create or change it).
    /// </summary>
    public async Task VerifyMigratedAsync(string eventStoreSlug, CancellationToken cancellationToken)
    {
        var latest = Migrations.Max(m => m.Version);
        object? version = null;
        await using (var exists = _dataSource.CreateCommand($"SELECT to_regclass('{Schema}.schema_migrations') IS NOT NULL"))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                await using var command = _dataSource.CreateCommand($"SELECT max(version) FROM {Schema}.schema_migrations");
                version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (version is not int current || current < latest)
        {
            throw new Model.SyncConfigurationException(
                $"The event store '{eventStoreSlug}' is not migrated (version {(version is int v ? v : 0)}, expected {latest}); a standby does not change it. Start the active instance (Standby = false) first.");
        }
    }

    public async Task<SourcePosition?> GetSourcePositionAsync(string dataStoreSlug, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT slot_name, commit_lsn, end_lsn FROM rejot_events.source_positions WHERE data_store = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = dataStoreSlug });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SourcePosition(dataStoreSlug, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public async Task AdvanceSourcePositionAsync(string dataStoreSlug, string slotName, long endLsn, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            """
            INSERT INTO rejot_events.source_positions AS p (data_store, slot_name, commit_lsn, end_lsn) VALUES ($1, $2, 0, $3)
            ON CONFLICT (data_store) DO UPDATE SET slot_name = excluded.slot_name,
                commit_lsn = CASE WHEN p.slot_name = excluded.slot_name THEN p.commit_lsn ELSE 0 END,
                end_lsn = CASE WHEN p.slot_name = excluded.slot_name THEN greatest(p.end_lsn, excluded.end_lsn) ELSE excluded.end_lsn END,
                updated_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = dataStoreSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = slotName });
        command.Parameters.Add(new NpgsqlParameter { Value = endLsn });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IEventStoreTransaction> BeginAsync(string dataStoreSlug, string slotName, long commitLsn, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new Writer(connection, transaction, dataStoreSlug, slotName, commitLsn);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, CancellationToken cancellationToken)
        => ReadEventsAsync(schema, after, limit, null, cancellationToken);

    /// <summary>
    /// The events one consumer reads: every untargeted event plus those stored for <paramref name="consumer"/> only
    /// (a backfill requested for it); with a null consumer, untargeted events only.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, string? consumer, CancellationToken cancellationToken)
    {
        // Targeted events live in their own table, so the untargeted read (the common one) is unchanged; a consumer's
        // read merges two ordered index scans.
        await using var command = _dataSource.CreateCommand(consumer is null
            ? """
              SELECT schema_minor, commit_lsn, idx, operation, object::text FROM rejot_events.events
              WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5)
              ORDER BY commit_lsn, idx LIMIT $6
              """
            : """
              SELECT schema_minor, commit_lsn, idx, operation, object FROM (
                  (SELECT schema_minor, commit_lsn, idx, operation, object::text AS object FROM rejot_events.events
                   WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5)
                   ORDER BY commit_lsn, idx LIMIT $6)
                  UNION ALL
                  (SELECT schema_minor, commit_lsn, idx, operation, object::text AS object FROM rejot_events.consumer_events
                   WHERE consumer = $7 AND manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5)
                   ORDER BY commit_lsn, idx LIMIT $6)) e
              ORDER BY commit_lsn, idx LIMIT $6
              """);
        AddKey(command, schema);
        command.Parameters.Add(new NpgsqlParameter { Value = after.CommitLsn });
        command.Parameters.Add(new NpgsqlParameter { Value = after.Index });
        command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(1, limit) });
        if (consumer is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = consumer });
        }

        return await ReadAllAsync(command, schema, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<EventTransaction>> ReadTransactionsAsync(PublicSchemaKey schema, long afterCommitLsn, int limit, CancellationToken cancellationToken)
        => ReadTransactionsAsync(schema, afterCommitLsn, limit, null, cancellationToken);

    public async Task<IReadOnlyList<EventTransaction>> ReadTransactionsAsync(PublicSchemaKey schema, long afterCommitLsn, int limit, string? consumer, CancellationToken cancellationToken)
    {
        // The limit picks the last transaction to return; that transaction is then returned whole.
        await using var command = _dataSource.CreateCommand(consumer is null
            ? """
              SELECT schema_minor, commit_lsn, idx, operation, object::text FROM rejot_events.events
              WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4
                AND commit_lsn <= (SELECT max(l.commit_lsn) FROM (
                      SELECT commit_lsn FROM rejot_events.events
                      WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4
                      ORDER BY commit_lsn, idx LIMIT $5) l)
              ORDER BY commit_lsn, idx
              """
            : """
              WITH bound AS (SELECT max(l.commit_lsn) AS lsn FROM (
                  SELECT commit_lsn, idx FROM (
                      (SELECT commit_lsn, idx FROM rejot_events.events
                       WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4
                       ORDER BY commit_lsn, idx LIMIT $5)
                      UNION ALL
                      (SELECT commit_lsn, idx FROM rejot_events.consumer_events
                       WHERE consumer = $6 AND manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4
                       ORDER BY commit_lsn, idx LIMIT $5)) u
                  ORDER BY commit_lsn, idx LIMIT $5) l)
              SELECT schema_minor, commit_lsn, idx, operation, object FROM (
                  SELECT schema_minor, commit_lsn, idx, operation, object::text AS object FROM rejot_events.events
                  WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4 AND commit_lsn <= (SELECT lsn FROM bound)
                  UNION ALL
                  SELECT schema_minor, commit_lsn, idx, operation, object::text AS object FROM rejot_events.consumer_events
                  WHERE consumer = $6 AND manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND commit_lsn > $4 AND commit_lsn <= (SELECT lsn FROM bound)) e
              ORDER BY commit_lsn, idx
              """);
        AddKey(command, schema);
        command.Parameters.Add(new NpgsqlParameter { Value = afterCommitLsn });
        command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(1, limit) });
        if (consumer is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = consumer });
        }

        var events = await ReadAllAsync(command, schema, cancellationToken).ConfigureAwait(false);
        var result = new List<EventTransaction>();
        var start = 0;
        for (var i = 1; i <= events.Count; i++)
        {
            if (i == events.Count || events[i].CommitLsn != events[start].CommitLsn)
            {
                result.Add(new EventTransaction(events[start].CommitLsn, events.Skip(start).Take(i - start).ToList()));
                start = i;
            }
        }

        return result;
    }

    /// <summary>The commit LSN of the newest event of a schema, or 0 when it has none.</summary>
    public async Task<long> TailAsync(PublicSchemaKey schema, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT coalesce(max(commit_lsn), 0) FROM rejot_events.events WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3");
        AddKey(command, schema);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The stream one consumer reads: untargeted events plus those stored for it only.</summary>
    public IEventSource ForConsumer(string consumer) => new ConsumerView(this, consumer);

    public async Task<IReadOnlyDictionary<PublicSchemaKey, long>> TailAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT manifest_slug, schema_name, schema_major, max(commit_lsn) FROM rejot_events.events GROUP BY 1, 2, 3");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<PublicSchemaKey, long>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[new PublicSchemaKey(reader.GetString(0), reader.GetString(1), reader.GetInt32(2))] = reader.GetInt64(3);
        }

        return result;
    }

    public Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, CancellationToken cancellationToken)
        => WaitForEventsAsync(schema, after, null, cancellationToken);

    public async Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, string? consumer, CancellationToken cancellationToken)
    {
        // Take the signal before looking, so a commit between the look and the wait still wakes us.
        var signal = await _notifications.GetSignalAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = _dataSource.CreateCommand(
            """
            SELECT EXISTS (SELECT 1 FROM rejot_events.events
                WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5))
            OR ($6::text IS NOT NULL AND EXISTS (SELECT 1 FROM rejot_events.consumer_events
                WHERE consumer = $6 AND manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5)))
            """))
        {
            AddKey(command, schema);
            command.Parameters.Add(new NpgsqlParameter { Value = after.CommitLsn });
            command.Parameters.Add(new NpgsqlParameter { Value = after.Index });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)consumer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
        }

        try
        {
            await signal.WaitAsync(WaitFallback, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Safety net only: the caller reads again.
        }
    }

    public ValueTask DisposeAsync() => _notifications.DisposeAsync();

    private static void AddKey(NpgsqlCommand command, PublicSchemaKey schema)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = schema.ManifestSlug });
        command.Parameters.Add(new NpgsqlParameter { Value = schema.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = schema.Major });
    }

    private static async Task<List<StoredEvent>> ReadAllAsync(NpgsqlCommand command, PublicSchemaKey schema, CancellationToken cancellationToken)
    {
        var result = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new StoredEvent(
                schema,
                reader.GetInt32(0),
                reader.GetInt64(1),
                reader.GetInt32(2),
                ParseOperation(reader.GetString(3)),
                reader.GetString(4)));
        }

        return result;
    }

    internal static EventOperation ParseOperation(string text) => text switch
    {
        "insert" => EventOperation.Insert,
        "update" => EventOperation.Update,
        "delete" => EventOperation.Delete,
        _ => throw new InvalidOperationException($"Unknown event operation '{text}' in the event store."),
    };

    internal static string FormatOperation(EventOperation operation) => operation switch
    {
        EventOperation.Insert => "insert",
        EventOperation.Update => "update",
        EventOperation.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    private sealed class ConsumerView(PostgresEventStore store, string consumer) : IEventSource
    {
        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, CancellationToken cancellationToken)
            => store.ReadEventsAsync(schema, after, limit, consumer, cancellationToken);

        public Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, CancellationToken cancellationToken)
            => store.WaitForEventsAsync(schema, after, consumer, cancellationToken);
    }

    private sealed class Writer(NpgsqlConnection connection, NpgsqlTransaction transaction, string dataStore, string slotName, long firstCommitLsn)
        : IEventStoreTransaction
    {
        private readonly Dictionary<PublicSchemaKey, int> _nextIndex = [];
        private readonly List<BackfillProgressUpdate> _backfills = [];
        private readonly List<(NewEvent Event, long CommitLsn, int Index)> _targeted = [];
        private long _commitLsn = firstCommitLsn;
        private EventCopyBuffer? _rows;
        private NpgsqlRawCopyStream? _copy;
        private bool _completed;

        public int Count { get; private set; }

        public void StartTransaction(long commitLsn)
        {
            if (commitLsn <= _commitLsn)
            {
                throw new InvalidOperationException($"Transactions must be written in commit order ({TransactionIds.Format(commitLsn)} after {TransactionIds.Format(_commitLsn)}).");
            }

            _commitLsn = commitLsn;
            _nextIndex.Clear();
        }

        public async Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
        {
            if (events.Count == 0)
            {
                return;
            }

            foreach (var e in events)
            {
                _nextIndex.TryGetValue(e.Schema, out var index);
                _nextIndex[e.Schema] = index + 1;
                Count++;
                if (e.Consumer is not null)
                {
                    // For one consumer only (few: a backfill chunk); written at commit, after the COPY.
                    _targeted.Add((e, _commitLsn, index));
                    continue;
                }

                // Binary COPY, rows built by hand (the fastest way in); the transaction's position row makes a replay
                // skip, so no ON CONFLICT is needed.
                _rows ??= new EventCopyBuffer(dataStore);
                _rows.Append(e, _commitLsn, index);
                if (_rows.Length >= EventCopyBuffer.FlushThreshold)
                {
                    await SendRowsAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task SendRowsAsync(CancellationToken cancellationToken)
        {
            _copy ??= await connection.BeginRawBinaryCopyAsync(EventCopyBuffer.CopySql, cancellationToken).ConfigureAwait(false);
            await _copy.WriteAsync(_rows!.Written, cancellationToken).ConfigureAwait(false);
            _rows.Clear();
        }

        public void AddBackfillProgress(BackfillProgressUpdate update) => _backfills.Add(update);

        public async Task CommitAsync(long endLsn, CancellationToken cancellationToken)
        {
            if (_rows is not null)
            {
                _rows.Finish();
                await SendRowsAsync(cancellationToken).ConfigureAwait(false);
                var copy = _copy!;
                _copy = null;
                // Ends the COPY and waits for the server's verdict on every row.
                await copy.DisposeAsync().ConfigureAwait(false);
            }

            if (_targeted.Count > 0)
            {
                await using var command = new NpgsqlCommand(
                    """
                    INSERT INTO rejot_events.consumer_events (consumer, manifest_slug, schema_name, schema_major, schema_minor, commit_lsn, idx, operation, object, data_store)
                    SELECT c, m, n, ma, mi, l, i, o, j::jsonb, $10
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[], $7::int[], $8::text[], $9::text[]) AS t(c, m, n, ma, mi, l, i, o, j)
                    """, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _targeted.Select(t => t.Event.Consumer!).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _targeted.Select(t => t.Event.Schema.ManifestSlug).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _targeted.Select(t => t.Event.Schema.Name).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = _targeted.Select(t => t.Event.Schema.Major).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = _targeted.Select(t => t.Event.Minor).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = _targeted.Select(t => t.CommitLsn).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = _targeted.Select(t => t.Index).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _targeted.Select(t => FormatOperation(t.Event.Operation)).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _targeted.Select(t => t.Event.ObjectJson).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = dataStore });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var update in _backfills)
            {
                await using var command = new NpgsqlCommand(BackfillProgressUpdate.Sql, connection, transaction);
                update.AddParameters(command);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var command = new NpgsqlCommand(
                """
                INSERT INTO rejot_events.source_positions AS p (data_store, slot_name, commit_lsn, end_lsn) VALUES ($1, $2, $3, $4)
                ON CONFLICT (data_store) DO UPDATE SET slot_name = excluded.slot_name, commit_lsn = excluded.commit_lsn,
                    end_lsn = excluded.end_lsn, updated_at = now()
                """, connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = dataStore });
                command.Parameters.Add(new NpgsqlParameter { Value = slotName });
                command.Parameters.Add(new NpgsqlParameter { Value = _commitLsn });
                command.Parameters.Add(new NpgsqlParameter { Value = endLsn });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (Count > 0)
            {
                await using var notify = new NpgsqlCommand($"SELECT pg_notify('{NotifyChannel}', $1)", connection, transaction);
                notify.Parameters.Add(new NpgsqlParameter { Value = TransactionIds.Format(_commitLsn) });
                await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            _rows?.Dispose();
            if (_copy is not null)
            {
                try
                {
                    await _copy.CancelAsync().ConfigureAwait(false);
                    await _copy.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The connection is going away with the transaction anyway.
                }
            }

            if (!_completed)
            {
                try
                {
                    await transaction.RollbackAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A broken connection rolls back by itself.
                }
            }

            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
