using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using ReJot.Sync.Backfill;
using ReJot.Sync.Capture;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Sync.Transform;

/// <summary>
/// Turns one source's committed transactions into public schema events: for each change, in WAL order, the
/// matching transformations run against the source (a batch per chunk of changes, one round trip), each result
/// row becomes an event (0 rows: no event), objects are validated against the contract, and the events plus the
/// source position commit in one event store transaction.
/// </summary>
/// <remarks>
/// The walsender can send a commit as soon as its WAL record is flushed, before the committing backend has left
/// the proc array; until then new snapshots still see the transaction as running, and a transformation would find
/// "no row" and drop the change. So the first batch of each source transaction starts with a check that the
/// transaction is visible to the snapshot of that statement (<c>pg_visible_in_snapshot</c>); later statements take
/// later snapshots, so they see it too. If it is not visible yet, the batch runs again after a short wait, for at
/// most <see cref="ReJotSyncOptions.TransactionVisibilityTimeout"/>; then the source fails and retries from the slot.
/// </remarks>
internal sealed class SourceTransformer : ICaptureHandler
{
    private readonly SourceDataStore _source;
    private readonly NpgsqlDataSource _sourceDb;
    private readonly IEventStore _store;
    private readonly SchemaValidator _validator;
    private readonly SyncMetrics _metrics;
    private readonly SourceStatus _status;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly int _chunkSize;
    private readonly TimeSpan _visibilityTimeout;
    private readonly Dictionary<(TableName Table, TransformOperation Operation), List<(PublicSchemaModel Schema, TransformationModel Transformation)>> _matches = [];
    private readonly Dictionary<TableName, List<PublicSchemaModel>> _implicitDeletes = [];
    private readonly Dictionary<TableName, List<PublicSchemaModel>> _schemasByTable = [];
    // Per relation shape of the current reader run (by reference: versions restart with each run).
    private readonly Dictionary<RelationInfo, Dictionary<TransformationModel, CompiledTransformation>> _compiled = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RelationInfo, Dictionary<TransformationModel, RowProjection?>> _projections = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TransformationModel, (ProjectionShape? Shape, string Reason)> _shapes = [];
    private readonly Dictionary<uint, string> _typeNames = [];
    private readonly Dictionary<uint, uint> _baseTypes = [];
    private readonly StringBuilder _json = new(256);
    private readonly List<CapturedChange> _chunk = [];
    private OutputSettings? _walSettings;
    private OutputSettings? _querySettings;
    private readonly Dictionary<PublicSchemaKey, PublicSchemaModel> _schemas = [];
    private readonly List<(PublicSchemaKey Schema, BackfillChunk Chunk, ChunkOutcome Outcome)> _groupChunks = [];
    private static readonly TransformOperation[] s_projectedOperations = [TransformOperation.Insert, TransformOperation.Update];
    private IEventStoreTransaction? _group;
    private Task? _commit;
    private CommittingGroup? _committing;
    private long _groupLastCommitLsn;
    private long _groupEndLsn;

    // The source transaction being transformed, and whether queries are known to see it.
    private uint _xid;
    private long _commitLsn;
    private bool _xidVisible;

    /// <summary>
    /// Whether the transaction with the 32-bit id $1 is visible to the statement's snapshot. The full (epoch) id is
    /// rebuilt from the snapshot's xmax: a committed transaction is older than xmax and less than 2^31 ids away.
    /// </summary>
    private const string VisibilitySql = """
        SELECT pg_visible_in_snapshot(
            (CASE WHEN $1 < (x & 4294967295) THEN ((x >> 32) << 32) | $1 ELSE (((x >> 32) - 1) << 32) | $1 END)::text::xid8, s)
        FROM (SELECT s, pg_snapshot_xmax(s)::text::bigint AS x FROM pg_current_snapshot() AS s) AS c
        """;

    public SourceTransformer(
        SourceDataStore source,
        IEnumerable<PublicSchemaModel> schemas,
        NpgsqlDataSource sourceDb,
        IEventStore store,
        SchemaValidator validator,
        SyncMetrics metrics,
        SourceStatus status,
        ILogger logger,
        TimeProvider timeProvider,
        int chunkSize,
        TimeSpan visibilityTimeout)
    {
        _source = source;
        _sourceDb = sourceDb;
        _store = store;
        _validator = validator;
        _metrics = metrics;
        _status = status;
        _logger = logger;
        _timeProvider = timeProvider;
        _chunkSize = Math.Max(1, chunkSize);
        _visibilityTimeout = visibilityTimeout;
        foreach (var schema in schemas)
        {
            _schemas[schema.Key] = schema;
            foreach (var t in schema.Transformations)
            {
                var key = (t.Table, t.Operation);
                if (!_matches.TryGetValue(key, out var list))
                {
                    _matches[key] = list = [];
                }

                list.Add((schema, t));
                if (!_schemasByTable.TryGetValue(t.Table, out var byTable))
                {
                    _schemasByTable[t.Table] = byTable = [];
                }

                if (!byTable.Contains(schema))
                {
                    byTable.Add(schema);
                }
            }

            foreach (var table in schema.Transformations.Select(t => t.Table).Distinct())
            {
                if (schema.Transformations.Any(t => t.Table == table && t.Operation == TransformOperation.Delete))
                {
                    continue;
                }

                if (schema.Keys.Count > 0)
                {
                    if (!_implicitDeletes.TryGetValue(table, out var list))
                    {
                        _implicitDeletes[table] = list = [];
                    }

                    list.Add(schema);
                }
                else
                {
                    Log.DeletesNotPublished(logger, schema.Key.ToString(), table.ToString());
                }
            }
        }
    }

    /// <summary>The live side of backfills of this source's public schemas (watermarks, superseded rows).</summary>
    public BackfillTracker Backfills { get; } = new();

    /// <summary>The public schemas of this source.</summary>
    public IReadOnlyDictionary<PublicSchemaKey, PublicSchemaModel> Schemas => _schemas;

    /// <summary>The tables this source's public schemas read changes from.</summary>
    public IReadOnlyCollection<TableName> Tables => _schemasByTable.Keys;

    /// <summary>The last commit LSN stored; replays at or before it are skipped.</summary>
    public long LastStoredCommitLsn { get; set; }

    public void OnProgress(long walEnd) => _status.Touch(_timeProvider.GetUtcNow());

    public void OnStreamStarted(OutputSettings? settings)
    {
        // A new reader run: relation shapes arrive again (their versions restart), decisions are made again.
        _walSettings = settings;
        _compiled.Clear();
        _projections.Clear();
    }

    public void OnTruncate(IReadOnlyList<TableName> tables, long lsn)
    {
        var schemas = tables.SelectMany(t => _schemasByTable.TryGetValue(t, out var s) ? s : []).Select(s => s.Key.ToString()).Distinct().ToList();
        var tableList = string.Join(", ", tables);
        Log.TruncateNotPublished(_logger, _source.Slug, tableList, TransactionIds.Format(lsn), string.Join(", ", schemas));
        _metrics.Truncates.Add(1, new KeyValuePair<string, object?>("data_store", _source.Slug));
        _status.AddWarning($"TRUNCATE of {tableList} at {TransactionIds.Format(lsn)} was not published; consumers of {string.Join(", ", schemas)} need a resync.");
    }

    /// <summary>Source transactions appended to the open store transaction and not yet committed.</summary>
    public int PendingTransactions { get; private set; }

    public async Task HandleTransactionAsync(TransactionSpool changes, long commitLsn, long endLsn, CancellationToken cancellationToken)
    {
        if (commitLsn <= LastStoredCommitLsn)
        {
            return;
        }

        using var activity = SyncMetrics.ActivitySource.StartActivity("rejot.transform_transaction");
        activity?.SetTag("rejot.data_store", _source.Slug);
        activity?.SetTag("rejot.transaction_id", TransactionIds.Format(commitLsn));
        var started = false;
        _xid = changes.Xid;
        _commitLsn = commitLsn;
        _xidVisible = false;
        // Reused across transactions: a backlog of single-row transactions allocates no list per transaction.
        var chunk = _chunk;
        chunk.Clear();
        try
        {
            foreach (var change in changes.Replay())
            {
                if (!_schemasByTable.ContainsKey(change.Relation.Table))
                {
                    continue;
                }

                // A transaction without changes to our tables needs no store write: replaying it yields nothing.
                if (!started)
                {
                    await StartAsync(commitLsn, cancellationToken).ConfigureAwait(false);
                    started = true;
                }

                chunk.Add(change);
                if (chunk.Count >= _chunkSize)
                {
                    await _group!.AppendAsync(await TransformAsync(chunk, commitLsn, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    chunk.Clear();
                }
            }

            if (started && chunk.Count > 0)
            {
                await _group!.AppendAsync(await TransformAsync(chunk, commitLsn, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            if (changes.BackfillMessages is { } messages)
            {
                started = await HandleBackfillChunksAsync(messages, commitLsn, started, cancellationToken).ConfigureAwait(false);
            }

            if (!started)
            {
                return;
            }

            _groupLastCommitLsn = commitLsn;
            _groupEndLsn = endLsn;
            PendingTransactions++;
        }
        catch
        {
            await AbortAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // Holds no rows between transactions.
            chunk.Clear();
        }
    }

    /// <summary>
    /// Commits the open store transaction (one or more source transactions, grouped while the reader had more
    /// messages waiting), after the one committing in the background, if any: every handled transaction is durable
    /// when this returns, so the reader may acknowledge them.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await BeginFlushAsync(cancellationToken).ConfigureAwait(false);
        await EndCommitAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the store transaction committing in the background, if any (its failure is thrown here), then
    /// starts committing the open one in the background and returns: the next source transactions are transformed
    /// and written into a new store transaction while it commits. Store transactions still commit one after the
    /// other, in commit order, so the stored position never passes a transaction that is not stored.
    /// </summary>
    public async Task BeginFlushAsync(CancellationToken cancellationToken)
    {
        await EndCommitAsync().ConfigureAwait(false);
        if (_group is not { } group)
        {
            return;
        }

        if (PendingTransactions == 0)
        {
            await AbortAsync().ConfigureAwait(false);
            return;
        }

        var committing = new CommittingGroup(group, _groupLastCommitLsn, PendingTransactions, [.. _groupChunks]);
        _group = null;
        PendingTransactions = 0;
        _groupChunks.Clear();
        _committing = committing;
        _commit = group.CommitAsync(_groupEndLsn, cancellationToken);
    }

    /// <summary>Waits for the background commit and records what it stored; the store transaction is disposed either way.</summary>
    private async Task EndCommitAsync()
    {
        if (_commit is not { } commit)
        {
            return;
        }

        var committed = _committing!;
        _commit = null;
        _committing = null;
        try
        {
            await commit.ConfigureAwait(false);
            LastStoredCommitLsn = committed.LastCommitLsn;
            _status.AddTransactions(committed.LastCommitLsn, committed.Transactions, committed.Group.Count);
            var tag = new KeyValuePair<string, object?>("data_store", _source.Slug);
            _metrics.Transactions.Add(committed.Transactions, tag);
            _metrics.Events.Add(committed.Group.Count, tag);
            Log.TransactionStored(_logger, _source.Slug, TransactionIds.Format(committed.LastCommitLsn), committed.Group.Count);
            if (committed.Chunks.Count > 0)
            {
                Backfills.Stored(committed.Chunks);
            }
        }
        finally
        {
            await committed.Group.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops the open store transaction (rolled back; nothing of it was acknowledged) and waits for the one committing
    /// in the background, if any (whether it committed or not, it was not acknowledged: a restart replays from the
    /// stored position).
    /// </summary>
    public async Task AbortAsync()
    {
        var group = _group;
        _group = null;
        PendingTransactions = 0;
        _groupChunks.Clear();
        if (group is not null)
        {
            await group.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await EndCommitAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported by whoever aborts (the reader fails with its own error and retries from the stored position).
        }
    }

    /// <summary>A store transaction committing in the background, and what to record once it has.</summary>
    private sealed record CommittingGroup(IEventStoreTransaction Group, long LastCommitLsn, int Transactions, List<(PublicSchemaKey Schema, BackfillChunk Chunk, ChunkOutcome Outcome)> Chunks);

    private async Task StartAsync(long commitLsn, CancellationToken cancellationToken)
    {
        if (_group is null)
        {
            _group = await _store.BeginAsync(_source.Slug, _source.SlotName, commitLsn, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _group.StartTransaction(commitLsn);
        }
    }

    /// <summary>
    /// Stores the chunks of a backfill whose high watermark this source transaction is: the chunk's objects minus those
    /// whose key a live change superseded (<see cref="BackfillTracker"/>), as insert events at this commit position,
    /// with the backfill's progress in the same store transaction. An object that does not match the contract fails
    /// the backfill, not the source.
    /// </summary>
    private async Task<bool> HandleBackfillChunksAsync(List<string> messages, long commitLsn, bool started, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            BackfillChunk chunk;
            try
            {
                chunk = BackfillChunk.Parse(message);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                Log.BackfillMessageIgnored(_logger, _source.Slug, TransactionIds.Format(commitLsn), e.Message);
                continue;
            }

            if (Backfills.Accept(chunk) is not var (schemaKey, objects) || !_schemas.TryGetValue(schemaKey, out var schema))
            {
                // A chunk of an earlier run or of a stopped backfill: its progress was not stored, it is read again.
                continue;
            }

            if (!started)
            {
                await StartAsync(commitLsn, cancellationToken).ConfigureAwait(false);
                started = true;
            }

            var events = new List<NewEvent>(objects.Count);
            string? error = null;
            foreach (var json in objects)
            {
                if (_validator.Validate(schema.Key, json) is { } errors)
                {
                    _metrics.InvalidObjects.Add(1, new KeyValuePair<string, object?>("schema", schema.Key.ToString()));
                    error = $"Public schema {schema.Key}: an object read by the backfill does not match the contract ({errors}); the backfill stopped, live changes continue.";
                    events.Clear();
                    Backfills.Fail(chunk);
                    break;
                }

                events.Add(new NewEvent(schema.Key, schema.Minor, EventOperation.Insert, json) { Consumer = chunk.ForConsumer });
            }

            await _group!.AppendAsync(events, cancellationToken).ConfigureAwait(false);
            _group.AddBackfillProgress(new BackfillProgressUpdate(chunk.BackfillId, chunk.TableIndex, chunk.LastKey, chunk.RowsRead, events.Count, chunk.TableDone, chunk.Completed, error));
            _groupChunks.Add((schemaKey, chunk, new ChunkOutcome(events.Count, error)));
        }

        return started;
    }

    private sealed record PlanItem(PublicSchemaModel Schema, EventOperation Operation, TableName Table, CompiledTransformation? Command, string? DirectJson);

    private async Task<List<NewEvent>> TransformAsync(List<CapturedChange> chunk, long commitLsn, CancellationToken cancellationToken)
    {
        await EnsureTypeNamesAsync(chunk, cancellationToken).ConfigureAwait(false);
        await EnsureProjectionsAsync(chunk, cancellationToken).ConfigureAwait(false);

        // Opened only when a change needs a query: a chunk of projections reads nothing from the source.
        await using var queries = new SourceQueries(_sourceDb);
        var plan = new List<PlanItem>(chunk.Count);
        foreach (var change in chunk)
        {
            switch (change.Kind)
            {
                case ChangeKind.Insert:
                    await AddAsync(queries, plan, change, TransformOperation.Insert, EventOperation.Insert, change.New!, cancellationToken).ConfigureAwait(false);
                    break;
                case ChangeKind.Update:
                    if (KeyChanged(change))
                    {
                        // A key change is, for consumers, the old object going away and the new one appearing.
                        await AddDeleteAsync(queries, plan, change, change.Old!, cancellationToken).ConfigureAwait(false);
                        await AddAsync(queries, plan, change, TransformOperation.Insert, EventOperation.Insert, change.New!, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await AddAsync(queries, plan, change, TransformOperation.Update, EventOperation.Update, change.New!, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case ChangeKind.Delete:
                    await AddDeleteAsync(queries, plan, change, change.Old!, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        var events = new List<NewEvent>(plan.Count);
        if (queries.Batch is not { } batch || batch.BatchCommands.Count == 0)
        {
            foreach (var item in plan)
            {
                AddEvent(events, item, item.DirectJson!, commitLsn);
            }

            return events;
        }

        // Which transformation's result is being read: PostgreSQL reports a failing statement when its result is reached.
        var reading = plan.FirstOrDefault(p => p.Command is not null);
        try
        {
            await using var reader = await ExecuteWhenVisibleAsync(batch, cancellationToken).ConfigureAwait(false);
            var first = true;
            foreach (var item in plan)
            {
                if (item.Command is null)
                {
                    AddEvent(events, item, item.DirectJson!, commitLsn);
                    continue;
                }

                reading = item;
                if (!first)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                first = false;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!reader.IsDBNull(0))
                    {
                        AddEvent(events, item, reader.GetString(0), commitLsn);
                    }
                }
            }

            return events;
        }
        catch (PostgresException e) when (reading is not null && IsSqlFault(e))
        {
            // A fault of the schema's SQL, not of the connection: say which transformation, where, and PostgreSQL's words.
            throw new TransformationFailedException(
                $"Public schema {reading.Schema.Key}: the {reading.Operation.ToString().ToLowerInvariant()} transformation of {reading.Table} failed at transaction {TransactionIds.Format(commitLsn)}: "
                + $"{e.MessageText} (SQLSTATE {e.SqlState}{(e.Hint is { Length: > 0 } hint ? $"; hint: {hint}" : string.Empty)}). Nothing of this transaction is stored; it is retried until the SQL or the database is fixed.",
                e);
        }
    }

    /// <summary>False for failures of the connection or the server (retried as they are, with their own message).</summary>
    private static bool IsSqlFault(PostgresException e)
        => e.SqlState.Length >= 2 && e.SqlState[..2] is not ("08" or "57" or "53" or "58" or "40" or "XX");

    /// <summary>
    /// Runs the batch; the first time in a source transaction, with the visibility check in front (no extra round
    /// trip), again until the check passes. Returns the reader at the first transformation's result.
    /// </summary>
    private async Task<NpgsqlDataReader> ExecuteWhenVisibleAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        if (_xidVisible)
        {
            return await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }

        batch.BatchCommands.Insert(0, VisibilityCheck());
        var waited = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (await IsVisibleAsync(reader, cancellationToken).ConfigureAwait(false))
                {
                    _xidVisible = true;
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    return reader;
                }
            }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            // Results computed before the transaction was visible may miss its rows: run the batch again.
            await reader.DisposeAsync().ConfigureAwait(false);
            await WaitForVisibilityAsync(attempt, waited, cancellationToken).ConfigureAwait(false);
        }
    }

    private NpgsqlBatchCommand VisibilityCheck()
    {
        var command = new NpgsqlBatchCommand(VisibilitySql);
        command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = _xid });
        return command;
    }

    private static async Task<bool> IsVisibleAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
        => await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetBoolean(0);

    /// <summary>Waits until the current source transaction is visible to new snapshots (before reading rows outside the batch).</summary>
    private async Task EnsureVisibleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!_xidVisible)
        {
            // An empty batch: just the check, with the same wait-and-retry as a batch of transformations.
            await using var batch = new NpgsqlBatch(connection);
            await using var reader = await ExecuteWhenVisibleAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForVisibilityAsync(int attempt, Stopwatch waited, CancellationToken cancellationToken)
    {
        if (waited.Elapsed >= _visibilityTimeout)
        {
            throw new TransactionNotVisibleException(string.Create(CultureInfo.InvariantCulture,
                $"Source transaction {TransactionIds.Format(_commitLsn)} (xid {_xid}) of {_source.Slug} is committed in the WAL but not visible to queries after {_visibilityTimeout.TotalSeconds:0.###} s: ")
                + "its session has not finished committing (typically it waits for a synchronous standby; check synchronous_standby_names). Nothing was stored; the source retries.");
        }

        _metrics.VisibilityWaits.Add(1, new KeyValuePair<string, object?>("data_store", _source.Slug));
        // 1, 2, 4 … 64 ms: the normal window is microseconds (the backend is between its WAL flush and leaving the proc array).
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(64, 1 << Math.Min(attempt - 1, 6))), _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private void AddEvent(List<NewEvent> events, PlanItem item, string json, long commitLsn)
    {
        if (item.Operation == EventOperation.Delete)
        {
            json = ProjectKeys(item, json, commitLsn);
        }
        else if (_validator.Validate(item.Schema.Key, json) is { } errors)
        {
            _metrics.InvalidObjects.Add(1, new KeyValuePair<string, object?>("schema", item.Schema.Key.ToString()));
            Log.InvalidObject(_logger, item.Schema.Key.ToString(), item.Table.ToString(), TransactionIds.Format(commitLsn), errors);
            throw new InvalidEventException(
                $"Public schema {item.Schema.Key}: the object produced for a change of {item.Table} in transaction {TransactionIds.Format(commitLsn)} does not match the contract ({errors}). Nothing after this transaction is stored until the transformation or the contract is fixed.");
        }

        events.Add(new NewEvent(item.Schema.Key, item.Schema.Minor, item.Operation, json));
        if (Backfills.Active)
        {
            Backfills.Observe(item.Schema.Key, json, _xid);
        }
    }

    private string ProjectKeys(PlanItem item, string json, long commitLsn)
    {
        if (item.Schema.Keys.Count == 0)
        {
            return json;
        }

        var node = JsonNode.Parse(json) as JsonObject
            ?? throw new InvalidEventException($"Public schema {item.Schema.Key}: the delete transformation of {item.Table} did not return an object.");
        var result = new JsonObject();
        foreach (var key in item.Schema.Keys)
        {
            if (!node.TryGetPropertyValue(key, out var value))
            {
                _metrics.InvalidObjects.Add(1, new KeyValuePair<string, object?>("schema", item.Schema.Key.ToString()));
                throw new InvalidEventException(
                    $"Public schema {item.Schema.Key}: the delete of a {item.Table} row in transaction {TransactionIds.Format(commitLsn)} has no value for key field '{key}'. Return it from the delete transformation (e.g. SELECT :id AS \"{key}\").");
            }

            result[key] = value?.DeepClone();
        }

        return result.ToJsonString();
    }

    private static bool KeyChanged(CapturedChange change)
    {
        // Only a default/index identity sends an old key on update, and only when the key changed. With FULL
        // identity every column is flagged as key, so an old image does not mean the key changed.
        return change.Old is not null && change.Relation.ReplicaIdentity != 'f';
    }

    private async Task AddAsync(SourceQueries queries, List<PlanItem> plan, CapturedChange change, TransformOperation operation, EventOperation eventOperation, RowImage row, CancellationToken cancellationToken)
    {
        if (!_matches.TryGetValue((change.Relation.Table, operation), out var matches))
        {
            return;
        }

        foreach (var (schema, transformation) in matches)
        {
            if (operation != TransformOperation.Delete
                && _projections.TryGetValue(change.Relation, out var projections)
                && projections.TryGetValue(transformation, out var projection)
                && projection is not null
                && projection.TryWrite(row, _json))
            {
                plan.Add(new PlanItem(schema, eventOperation, change.Relation.Table, null, _json.ToString()));
                continue;
            }

            var compiled = Compile(schema, transformation, change.Relation);
            var command = new NpgsqlBatchCommand(compiled.Sql);
            foreach (var column in compiled.ParameterColumns)
            {
                var value = await ValueAsync(queries, change, row, column, cancellationToken).ConfigureAwait(false);
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)value ?? DBNull.Value });
            }

            (await queries.BatchAsync(cancellationToken).ConfigureAwait(false)).BatchCommands.Add(command);
            plan.Add(new PlanItem(schema, eventOperation, change.Relation.Table, compiled, null));
        }
    }

    private async Task AddDeleteAsync(SourceQueries queries, List<PlanItem> plan, CapturedChange change, RowImage old, CancellationToken cancellationToken)
    {
        await AddAsync(queries, plan, change, TransformOperation.Delete, EventOperation.Delete, old, cancellationToken).ConfigureAwait(false);
        if (!_implicitDeletes.TryGetValue(change.Relation.Table, out var schemas))
        {
            return;
        }

        foreach (var schema in schemas)
        {
            var obj = new JsonObject();
            foreach (var key in schema.Keys)
            {
                var column = FindKeyColumn(change.Relation, key);
                if (column < 0)
                {
                    throw new SyncConfigurationException(
                        $"Public schema {schema.Key}: key field '{key}' does not match a column of {change.Relation.Table}, so deletes cannot be published. Add a delete transformation, e.g. SELECT :id AS \"{key}\".");
                }

                obj[key] = ToJsonValue(old.Values[column], change.Relation.Columns[column].TypeOid);
            }

            plan.Add(new PlanItem(schema, EventOperation.Delete, change.Relation.Table, null, obj.ToJsonString()));
        }
    }

    private static int FindKeyColumn(RelationInfo relation, string field)
    {
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            var name = relation.Columns[i].Name;
            if (string.Equals(name, field, StringComparison.OrdinalIgnoreCase)
                || string.Equals(name.Replace("_", string.Empty, StringComparison.Ordinal), field, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonNode? ToJsonValue(string? text, uint typeOid)
    {
        if (text is null)
        {
            return null;
        }

        return typeOid switch
        {
            // int2, int4, int8, oid, float4, float8, numeric: JSON numbers written verbatim.
            21 or 23 or 20 or 26 or 700 or 701 or 1700 when text is not "NaN" and not "Infinity" and not "-Infinity" => JsonNode.Parse(text),
            16 => JsonValue.Create(text == "t"),
            114 or 3802 => JsonNode.Parse(text),
            _ => JsonValue.Create(text),
        };
    }

    private async Task<string?> ValueAsync(SourceQueries queries, CapturedChange change, RowImage row, int column, CancellationToken cancellationToken)
    {
        if (!row.IsUnchangedToast(column))
        {
            return row.Values[column];
        }

        if (change.Old is { } old && !old.IsUnchangedToast(column) && old.Values.Length > column)
        {
            return old.Values[column];
        }

        var connection = await queries.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureVisibleAsync(connection, cancellationToken).ConfigureAwait(false);

        // An unchanged TOASTed value is not in the WAL: read the current one by the replica identity key.
        var keys = change.Relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey && !row.IsUnchangedToast(x.i)).ToList();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException($"Column {change.Relation.Columns[column].Name} of {change.Relation.Table} was not sent (unchanged TOAST) and the table has no key to read it by.");
        }

        var sql = $"SELECT {TableName.Quote(change.Relation.Columns[column].Name)}::text FROM {change.Relation.Table.Quoted} WHERE "
            + string.Join(" AND ", keys.Select((k, n) => $"{TableName.Quote(k.c.Name)} = ${n + 1}::{_typeNames[k.c.TypeOid]}"));
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (_, i) in keys)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Unknown, Value = (object?)row.Values[i] ?? DBNull.Value });
        }

        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private CompiledTransformation Compile(PublicSchemaModel schema, TransformationModel transformation, RelationInfo relation)
    {
        if (!_compiled.TryGetValue(relation, out var byTransformation))
        {
            _compiled[relation] = byTransformation = [];
        }

        if (!byTransformation.TryGetValue(transformation, out var compiled))
        {
            byTransformation[transformation] = compiled = CompiledTransformation.Compile(schema, transformation, relation, oid => _typeNames[oid]);
        }

        return compiled;
    }

    private async Task EnsureTypeNamesAsync(List<CapturedChange> chunk, CancellationToken cancellationToken)
    {
        List<uint>? missing = null;
        RelationInfo? previous = null;
        foreach (var change in chunk)
        {
            if (ReferenceEquals(change.Relation, previous))
            {
                continue;
            }

            previous = change.Relation;
            foreach (var column in change.Relation.Columns)
            {
                if (!_typeNames.ContainsKey(column.TypeOid) && (missing is null || !missing.Contains(column.TypeOid)))
                {
                    (missing ??= []).Add(column.TypeOid);
                }
            }
        }

        if (missing is null)
        {
            return;
        }

        // The name for casts; the base type (domains resolved, as row_to_json does) for projections.
        await using var command = _sourceDb.CreateCommand("""
            WITH RECURSIVE d(oid, base) AS (
                SELECT oid, oid FROM pg_type WHERE oid = ANY($1::oid[])
                UNION ALL
                SELECT d.oid, t.typbasetype FROM d JOIN pg_type t ON t.oid = d.base WHERE t.typtype = 'd')
            SELECT d.oid::bigint, format_type(d.oid, NULL), d.base::bigint FROM d JOIN pg_type t ON t.oid = d.base WHERE t.typtype <> 'd'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(o => (long)o).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var oid = (uint)reader.GetInt64(0);
            _typeNames[oid] = reader.GetString(1);
            _baseTypes[oid] = (uint)reader.GetInt64(2);
        }

        foreach (var oid in missing)
        {
            _typeNames.TryAdd(oid, "text");
        }
    }

    /// <summary>
    /// Decides, once per relation shape, which insert/update transformations of its table are projections of the
    /// changed row (evaluated from the decoded row, see <see cref="RowProjection"/>) and logs the decision.
    /// </summary>
    private async Task EnsureProjectionsAsync(List<CapturedChange> chunk, CancellationToken cancellationToken)
    {
        RelationInfo? previous = null;
        foreach (var change in chunk)
        {
            var relation = change.Relation;
            if (ReferenceEquals(relation, previous) || _projections.ContainsKey(relation))
            {
                previous = relation;
                continue;
            }

            previous = relation;
            var decisions = new Dictionary<TransformationModel, RowProjection?>();
            foreach (var operation in s_projectedOperations)
            {
                if (!_matches.TryGetValue((relation.Table, operation), out var matches))
                {
                    continue;
                }

                foreach (var (schema, transformation) in matches)
                {
                    if (!decisions.ContainsKey(transformation))
                    {
                        decisions[transformation] = await DecideAsync(schema, transformation, relation, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            _projections[relation] = decisions;
        }
    }

    private async Task<RowProjection?> DecideAsync(PublicSchemaModel schema, TransformationModel transformation, RelationInfo relation, CancellationToken cancellationToken)
    {
        // Invalid SQL or parameters fail here exactly as on the query path.
        Compile(schema, transformation, relation);
        if (!_shapes.TryGetValue(transformation, out var parsed))
        {
            _shapes[transformation] = parsed = (ProjectionParser.Parse(transformation.Sql, out var why), why);
        }

        var operation = transformation.Operation.ToString().ToLowerInvariant();
        string reason;
        RowProjection? projection = null;
        if (parsed.Shape is not { } shape)
        {
            reason = parsed.Reason;
        }
        else if (await ResolveTableAsync(shape.TableText, cancellationToken).ConfigureAwait(false) is not var (oid, rowSecurity) || oid != relation.Id)
        {
            reason = $"FROM {shape.TableText} does not resolve to {relation.Table} on the source connection";
        }
        else if (rowSecurity)
        {
            // The WAL carries every row; a query applies the table's policies for the engine's role. Keep that.
            reason = $"row-level security is active on {relation.Table} for the source connection's role, and a query applies its policies";
        }
        else
        {
            _querySettings ??= await ReadQuerySettingsAsync(cancellationToken).ConfigureAwait(false);
            projection = RowProjection.Bind(
                shape,
                relation,
                oid => _baseTypes.TryGetValue(oid, out var b) ? b : null,
                kind => OutputSettings.Mismatch(kind, _walSettings, _querySettings),
                out reason);
        }

        if (projection is not null)
        {
            Log.TransformationFromRow(_logger, schema.Key.ToString(), operation, relation.Table.ToString());
        }
        else
        {
            Log.TransformationQueried(_logger, schema.Key.ToString(), operation, relation.Table.ToString(), reason);
        }

        return projection;
    }

    /// <summary>The table a FROM clause names on the source connection, and whether row-level security applies to this role there.</summary>
    private async Task<(long Oid, bool RowSecurity)?> ResolveTableAsync(string tableText, CancellationToken cancellationToken)
    {
        await using var command = _sourceDb.CreateCommand("SELECT c.oid::bigint, row_security_active(c.oid) FROM pg_class c WHERE c.oid = to_regclass($1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tableText });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetBoolean(1)) : null;
    }

    private async Task<OutputSettings> ReadQuerySettingsAsync(CancellationToken cancellationToken)
    {
        await using var command = _sourceDb.CreateCommand("SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('extra_float_digits')");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new OutputSettings(reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    /// <summary>The source connection and batch of one chunk, opened on first use.</summary>
    private sealed class SourceQueries(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        private NpgsqlConnection? _connection;

        public NpgsqlBatch? Batch { get; private set; }

        public async ValueTask<NpgsqlConnection> ConnectionAsync(CancellationToken cancellationToken)
            => _connection ??= await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        public async ValueTask<NpgsqlBatch> BatchAsync(CancellationToken cancellationToken)
            => Batch ??= new NpgsqlBatch(await ConnectionAsync(cancellationToken).ConfigureAwait(false));

        public async ValueTask DisposeAsync()
        {
            if (Batch is not null)
            {
                await Batch.DisposeAsync().ConfigureAwait(false);
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A decoded source transaction stayed invisible to queries too long; the source stops before storing it.</summary>
internal sealed class TransactionNotVisibleException(string message) : Exception(message);

/// <summary>A produced object does not match its contract; the source stops before storing it.</summary>
internal sealed class InvalidEventException(string message) : Exception(message);

/// <summary>A transformation's SQL failed in PostgreSQL (an error of the schema, not of the connection).</summary>
internal sealed class TransformationFailedException(string message, Exception inner) : Exception(message, inner);
