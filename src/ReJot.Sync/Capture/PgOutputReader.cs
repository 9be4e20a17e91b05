using System.Diagnostics;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using ReJot.Sync.Model;

namespace ReJot.Sync.Capture;

/// <summary>Receives committed transactions (in commit order) and other stream events from a reader.</summary>
internal interface ICaptureHandler
{
    /// <summary>
    /// Handles one committed transaction. When this returns, its effects are durable and the reader
    /// acknowledges <paramref name="endLsn"/> to the slot.
    /// </summary>
    Task HandleTransactionAsync(TransactionSpool changes, long commitLsn, long endLsn, CancellationToken cancellationToken);

    /// <summary>A TRUNCATE of published tables was decoded.</summary>
    void OnTruncate(IReadOnlyList<TableName> tables, long lsn);

    /// <summary>A message arrived (for liveness and lag).</summary>
    void OnProgress(long walEnd);

    /// <summary>
    /// A new reader run starts (relation shapes follow again): the replication session's settings that shape the
    /// text form of values, or null when they could not be read.
    /// </summary>
    void OnStreamStarted(Transform.OutputSettings? settings);

    /// <summary>Handled transactions not yet durable (grouped into one store transaction).</summary>
    int PendingTransactions { get; }

    /// <summary>Makes every handled transaction durable.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Waits until what the previous call started is durable (its failure is thrown here), then starts making the
    /// handled transactions durable in the background and returns, so the next ones can be handled meanwhile.
    /// </summary>
    Task BeginFlushAsync(CancellationToken cancellationToken);

    /// <summary>Drops handled transactions that are not durable (the reader stops; they will be replayed).</summary>
    Task AbortAsync();
}

/// <summary>
/// Reads one slot with pgoutput protocol version 2 and streaming on: large in-progress transactions arrive in
/// chunks that are spooled per transaction id (bounded memory) and handled at their commit; aborted ones are
/// dropped. Values are read in text form (exact, including numeric) and bound later as typed parameters.
/// Idle heartbeats (<c>pg_logical_emit_message</c> with prefix <see cref="HeartbeatPrefix"/>) are acknowledged
/// when no transaction is in flight, so the slot keeps advancing on a quiet database. A position is stored before it
/// is acknowledged, also when nothing was stored with it (<paramref name="recordPosition"/>), so the slot is never
/// ahead of the event store. A table of <paramref name="tables"/> that arrives under another name stops the reader.
/// </summary>
internal sealed class PgOutputReader(
    string connectionString,
    SourceDataStore source,
    int spoolMaxInMemory,
    ICaptureHandler handler,
    int maxGroup = 1000,
    IReadOnlyDictionary<uint, TableName>? tables = null,
    Func<long, CancellationToken, Task>? recordPosition = null,
    long spoolMaxInMemoryBytes = long.MaxValue)
{
    /// <summary>
    /// The longest a handled transaction waits in an open group for more WAL: under a steady stream more WAL is
    /// nearly always waiting, and without an age cap a group would only close at <c>maxGroup</c> transactions,
    /// holding its first transaction back from consumers for seconds.
    /// </summary>
    internal static readonly TimeSpan MaxGroupAge = TimeSpan.FromMilliseconds(20);

    private long? _pendingAck;

    // The end of the last transaction of the group committing in the background: acknowledged once it is durable.
    private long? _inFlightAck;
    private long _groupStarted;
    private long _storedEnd;
    private long _groupStoredEnd;

    internal const string HeartbeatPrefix = "rejot_heartbeat";

    private readonly Dictionary<uint, RelationInfo> _relations = [];
    private readonly Dictionary<(uint Id, int Version), RelationInfo> _relationVersions = [];
    private readonly Dictionary<uint, TransactionSpool> _streams = [];
    private int _relationVersion;

    /// <summary>Runs until cancelled or the connection fails. Transactions committed at or before <paramref name="skipThroughCommitLsn"/> are acknowledged without handling (they are already stored).</summary>
    public async Task RunAsync(long startLsn, long skipThroughCommitLsn, CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync(startLsn, skipThroughCommitLsn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTornDownReplicationConnection(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new ReplicationConnectionLostException(
                $"The replication connection was lost (its walsender ended: terminated, or the server is restarting) [{e.GetType().Name}: {e.Message}]", e);
        }
    }

    /// <summary>
    /// Npgsql's replication connection, torn down under it, fails with a NullReferenceException (reading the next
    /// message from a connector that is gone), an ObjectDisposedException, or an InvalidOperationException ("Status
    /// update can only be sent during replication") instead of a connection error: npgsql/npgsql#6630 (teardown
    /// NRE/ODE in SendStatusUpdate) and npgsql/npgsql#5752 (misleading exceptions when the server ends replication).
    /// Only those types, thrown inside Npgsql's replication code, are a lost connection: the same types from our
    /// own code stay bugs, with their stack trace.
    /// </summary>
    internal static bool IsTornDownReplicationConnection(Exception e)
    {
        if (e is not (NullReferenceException or ObjectDisposedException or InvalidOperationException) || e.StackTrace is not { } trace)
        {
            return false;
        }

        var ours = trace.IndexOf(" ReJot.", StringComparison.Ordinal);
        var npgsql = trace.IndexOf(" Npgsql.", StringComparison.Ordinal);
        return npgsql >= 0 && (ours < 0 || npgsql < ours) && trace.AsSpan(0, ours < 0 ? trace.Length : ours).Contains("Npgsql.Replication.", StringComparison.Ordinal);
    }

    private async Task ReadAsync(long startLsn, long skipThroughCommitLsn, CancellationToken cancellationToken)
    {
        await using var connection = new LogicalReplicationConnection(connectionString);
        connection.WalReceiverStatusInterval = TimeSpan.FromSeconds(5);
        await connection.Open(cancellationToken).ConfigureAwait(false);
        handler.OnStreamStarted(await ReadSettingsAsync(connection, cancellationToken).ConfigureAwait(false));
        var slot = new PgOutputReplicationSlot(source.SlotName);
        var options = new PgOutputReplicationOptions(
            source.PublicationName,
            PgOutputProtocolVersion.V2,
            binary: false,
            streamingMode: PgOutputStreamingMode.On,
            messages: true);

        TransactionSpool? current = null;
        uint? streamXid = null;
        _storedEnd = startLsn;
        try
        {
            var start = startLsn > 0 ? new NpgsqlLogSequenceNumber((ulong)startLsn) : (NpgsqlLogSequenceNumber?)null;
            var messages = connection.StartReplication(slot, options, cancellationToken, start).GetAsyncEnumerator(cancellationToken);
            var failing = true;
            try
            {
                while (true)
                {
                    var next = messages.MoveNextAsync();
                    if ((_pendingAck is not null || _inFlightAck is not null) && !next.IsCompleted)
                    {
                        // Nothing more waiting: commit the group, then acknowledge it.
                        await FlushAndAcknowledgeAsync(connection, cancellationToken).ConfigureAwait(false);
                    }
                    else if (_pendingAck is not null && (handler.PendingTransactions >= maxGroup || Stopwatch.GetElapsedTime(_groupStarted) >= MaxGroupAge))
                    {
                        // More is waiting but the group is big or old enough: it commits while the next one is read.
                        await FlushInBackgroundAsync(connection, cancellationToken).ConfigureAwait(false);
                    }

                    if (!await next.ConfigureAwait(false))
                    {
                        break;
                    }

                    var message = messages.Current;
                    handler.OnProgress((long)(ulong)message.WalEnd);
                    switch (message)
                    {
                        case RelationMessage relation:
                            AddRelation(relation);
                            break;

                        case BeginMessage begin:
                            current = NewSpool(begin.TransactionXid);
                            break;

                        case CommitMessage commit:
                            if (current is not null)
                            {
                                // Owned by this block from here: the cleanup below must not dispose it a second time
                                // (that would replace a handling error with "Cannot access a closed file").
                                var completing = current;
                                current = null;
                                await using (completing.ConfigureAwait(false))
                                {
                                    await CompleteAsync(connection, completing, (long)(ulong)commit.CommitLsn, (long)(ulong)commit.TransactionEndLsn, skipThroughCommitLsn, cancellationToken).ConfigureAwait(false);
                                }
                            }

                            break;

                        case StreamStartMessage streamStart:
                            streamXid = streamStart.TransactionXid;
                            if (!_streams.ContainsKey(streamStart.TransactionXid))
                            {
                                _streams[streamStart.TransactionXid] = NewSpool(streamStart.TransactionXid);
                            }

                            break;

                        case StreamStopMessage:
                            streamXid = null;
                            break;

                        case StreamCommitMessage streamCommit:
                            if (_streams.Remove(streamCommit.TransactionXid, out var committed))
                            {
                                await using (committed.ConfigureAwait(false))
                                {
                                    await CompleteAsync(connection, committed, (long)(ulong)streamCommit.CommitLsn, (long)(ulong)streamCommit.TransactionEndLsn, skipThroughCommitLsn, cancellationToken).ConfigureAwait(false);
                                }
                            }

                            break;

                        case StreamAbortMessage streamAbort:
                            if (streamAbort.SubtransactionXid == streamAbort.TransactionXid)
                            {
                                if (_streams.Remove(streamAbort.TransactionXid, out var aborted))
                                {
                                    await aborted.DisposeAsync().ConfigureAwait(false);
                                }
                            }
                            else if (_streams.TryGetValue(streamAbort.TransactionXid, out var parent))
                            {
                                parent.AbortSubtransaction(streamAbort.SubtransactionXid);
                            }

                            break;

                        case InsertMessage insert:
                            Spool(current, streamXid).Add(new CapturedChange(
                                ChangeKind.Insert, Relation(insert.Relation), insert.TransactionXid ?? 0,
                                await ReadRowAsync(insert.NewRow, cancellationToken).ConfigureAwait(false), null));
                            break;

                        case FullUpdateMessage fullUpdate:
                            {
                                var old = await ReadRowAsync(fullUpdate.OldRow, cancellationToken).ConfigureAwait(false);
                                var row = await ReadRowAsync(fullUpdate.NewRow, cancellationToken).ConfigureAwait(false);
                                Spool(current, streamXid).Add(new CapturedChange(ChangeKind.Update, Relation(fullUpdate.Relation), fullUpdate.TransactionXid ?? 0, row, old));
                                break;
                            }

                        case IndexUpdateMessage indexUpdate:
                            {
                                var key = await ReadRowAsync(indexUpdate.Key, cancellationToken).ConfigureAwait(false);
                                var row = await ReadRowAsync(indexUpdate.NewRow, cancellationToken).ConfigureAwait(false);
                                Spool(current, streamXid).Add(new CapturedChange(ChangeKind.Update, Relation(indexUpdate.Relation), indexUpdate.TransactionXid ?? 0, row, key));
                                break;
                            }

                        case UpdateMessage update:
                            Spool(current, streamXid).Add(new CapturedChange(
                                ChangeKind.Update, Relation(update.Relation), update.TransactionXid ?? 0,
                                await ReadRowAsync(update.NewRow, cancellationToken).ConfigureAwait(false), null));
                            break;

                        case FullDeleteMessage fullDelete:
                            Spool(current, streamXid).Add(new CapturedChange(
                                ChangeKind.Delete, Relation(fullDelete.Relation), fullDelete.TransactionXid ?? 0, null,
                                await ReadRowAsync(fullDelete.OldRow, cancellationToken).ConfigureAwait(false)));
                            break;

                        case KeyDeleteMessage keyDelete:
                            Spool(current, streamXid).Add(new CapturedChange(
                                ChangeKind.Delete, Relation(keyDelete.Relation), keyDelete.TransactionXid ?? 0, null,
                                await ReadRowAsync(keyDelete.Key, cancellationToken).ConfigureAwait(false)));
                            break;

                        case TruncateMessage truncate:
                            handler.OnTruncate(truncate.Relations.Select(r => Relation(r).Table).ToList(), (long)(ulong)truncate.WalEnd);
                            break;

                        case LogicalDecodingMessage decodingMessage:
                            if (decodingMessage.Prefix == Backfill.BackfillChunk.Prefix && (decodingMessage.Flags & 1) != 0 && (current is not null || streamXid is not null))
                            {
                                // A backfill chunk (its high watermark): handled with its transaction, in commit order.
                                using var text = new StreamReader(decodingMessage.Data, System.Text.Encoding.UTF8);
                                Spool(current, streamXid).AddBackfillMessage(await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
                            }
                            else if (decodingMessage.Prefix == HeartbeatPrefix && current is null && _streams.Count == 0)
                            {
                                // Nothing in flight: everything before this point is handled, so the slot may advance.
                                await FlushAndAcknowledgeAsync(connection, cancellationToken).ConfigureAwait(false);
                                var lsn = decodingMessage.MessageLsn > decodingMessage.WalEnd ? decodingMessage.MessageLsn : decodingMessage.WalEnd;
                                await RecordPositionAsync((long)(ulong)lsn, cancellationToken).ConfigureAwait(false);
                                await AcknowledgeAsync(connection, (long)(ulong)lsn, cancellationToken).ConfigureAwait(false);
                            }

                            break;
                    }
                }

                failing = false;
            }
            finally
            {
                try
                {
                    await messages.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception) when (failing)
                {
                    // Failing while a read is pending: keep the original error; the connection is closed below.
                }
            }
        }
        finally
        {
            // Whatever was handled but not committed is dropped; it was not acknowledged, so it is replayed.
            await handler.AbortAsync().ConfigureAwait(false);
            _pendingAck = null;
            _inFlightAck = null;
            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var spool in _streams.Values)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }

            _streams.Clear();
        }
    }

    private async Task CompleteAsync(LogicalReplicationConnection connection, TransactionSpool spool, long commitLsn, long endLsn, long skipThroughCommitLsn, CancellationToken cancellationToken)
    {
        if (commitLsn > skipThroughCommitLsn)
        {
            var before = handler.PendingTransactions;
            await handler.HandleTransactionAsync(spool, commitLsn, endLsn, cancellationToken).ConfigureAwait(false);
            if (handler.PendingTransactions > before)
            {
                _groupStoredEnd = endLsn;
            }
        }

        // Acknowledged only after the group containing it is committed (see FlushAndAcknowledgeAsync).
        if (_pendingAck is null)
        {
            _groupStarted = Stopwatch.GetTimestamp();
        }

        _pendingAck = endLsn;
        _ = connection;
    }

    private async Task FlushAndAcknowledgeAsync(LogicalReplicationConnection connection, CancellationToken cancellationToken)
    {
        var storing = handler.PendingTransactions > 0;
        await handler.FlushAsync(cancellationToken).ConfigureAwait(false);
        var ack = _pendingAck ?? _inFlightAck;
        if (_inFlightAck is { } committed)
        {
            _storedEnd = Math.Max(_storedEnd, committed);
            _inFlightAck = null;
        }

        if (storing)
        {
            _storedEnd = Math.Max(_storedEnd, _groupStoredEnd);
        }

        if (ack is { } lsn)
        {
            _pendingAck = null;
            // The group may end with transactions that stored nothing (none of the schemas' tables changed).
            await RecordPositionAsync(lsn, cancellationToken).ConfigureAwait(false);
            await AcknowledgeAsync(connection, lsn, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts committing the group in the background (after the previous background commit, which is then durable and
    /// acknowledged). Transactions after the group's last stored one that stored nothing stay pending: a later flush
    /// records and acknowledges them.
    /// </summary>
    private async Task FlushInBackgroundAsync(LogicalReplicationConnection connection, CancellationToken cancellationToken)
    {
        if (handler.PendingTransactions == 0)
        {
            await FlushAndAcknowledgeAsync(connection, cancellationToken).ConfigureAwait(false);
            return;
        }

        await handler.BeginFlushAsync(cancellationToken).ConfigureAwait(false);
        if (_inFlightAck is { } committed)
        {
            _storedEnd = Math.Max(_storedEnd, committed);
            await AcknowledgeAsync(connection, committed, cancellationToken).ConfigureAwait(false);
        }

        _inFlightAck = _groupStoredEnd;
        if (_pendingAck <= _groupStoredEnd)
        {
            _pendingAck = null;
        }
    }

    /// <summary>Tells the slot that everything up to <paramref name="lsn"/> is stored (it may release that WAL).</summary>
    private static async Task AcknowledgeAsync(LogicalReplicationConnection connection, long lsn, CancellationToken cancellationToken)
    {
        connection.SetReplicationStatus(new NpgsqlLogSequenceNumber((ulong)lsn));
        await connection.SendStatusUpdate(cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordPositionAsync(long lsn, CancellationToken cancellationToken)
    {
        if (lsn > _storedEnd && recordPosition is not null)
        {
            await recordPosition(lsn, cancellationToken).ConfigureAwait(false);
            _storedEnd = lsn;
        }
    }

    private TransactionSpool NewSpool(uint xid) => new(xid, spoolMaxInMemory, (id, version) => _relationVersions[(id, version)], spoolMaxInMemoryBytes);

    private TransactionSpool Spool(TransactionSpool? current, uint? streamXid)
    {
        if (streamXid is { } xid)
        {
            return _streams[xid];
        }

        return current ?? throw new InvalidOperationException("A row change arrived outside a transaction; the replication stream is out of sync.");
    }

    private RelationInfo Relation(RelationMessage relation)
        => _relations.TryGetValue(relation.RelationId, out var info) ? info : AddRelation(relation);

    private RelationInfo AddRelation(RelationMessage relation)
    {
        var columns = new List<RelationColumn>(relation.Columns.Count);
        foreach (var column in relation.Columns)
        {
            columns.Add(new RelationColumn(
                column.ColumnName,
                column.DataTypeId,
                (column.Flags & RelationMessage.Column.ColumnFlags.PartOfKey) != 0));
        }

        var name = new TableName(relation.Namespace, relation.RelationName);
        if (tables is not null && tables.TryGetValue(relation.RelationId, out var expected) && expected != name)
        {
            // Its changes would otherwise match no transformation and be skipped (and acknowledged) in silence.
            throw new SyncConfigurationException(
                $"Data store '{source.Slug}': table {expected} was renamed to {name} while syncing, but the transformations still read {expected}. "
                + "Update the transformations to the new name (or rename the table back) and restart; nothing from this change on is stored until then.");
        }

        var info = new RelationInfo(
            relation.RelationId,
            ++_relationVersion,
            name,
            (char)relation.ReplicaIdentity,
            columns);
        _relations[relation.RelationId] = info;
        _relationVersions[(info.Id, info.Version)] = info;
        return info;
    }

    /// <summary>The walsender's settings that change the text of timestamps and floats (SHOW, before streaming).</summary>
    private static async Task<Transform.OutputSettings?> ReadSettingsAsync(LogicalReplicationConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return new Transform.OutputSettings(
                await connection.Show("TimeZone", cancellationToken).ConfigureAwait(false),
                await connection.Show("DateStyle", cancellationToken).ConfigureAwait(false),
                await connection.Show("extra_float_digits", cancellationToken).ConfigureAwait(false));
        }
        catch (Npgsql.PostgresException)
        {
            // Not known: the types they affect are queried, not rendered from the WAL.
            return null;
        }
    }

    private static async Task<RowImage> ReadRowAsync(ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var values = new string?[tuple.NumColumns];
        bool[]? unchanged = null;
        var i = 0;
        await foreach (var value in tuple.ConfigureAwait(false))
        {
            if (value.IsUnchangedToastedValue)
            {
                (unchanged ??= new bool[values.Length])[i] = true;
            }
            else if (!value.IsDBNull)
            {
                values[i] = await value.Get<string>(cancellationToken).ConfigureAwait(false);
            }

            i++;
        }

        return new RowImage(values, unchanged);
    }
}

/// <summary>The replication connection ended under the reader (a routine failure: retried, logged in one line).</summary>
internal sealed class ReplicationConnectionLostException(string message, Exception inner) : Exception(message, inner);
