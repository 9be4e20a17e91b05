using ReJot.Sync.EventStore;

namespace ReJot.Sync.Hosting;

/// <summary>The engine's overall state (the original's <c>/status</c> states).</summary>
public enum SyncState
{
    /// <summary>Created, not started.</summary>
    Initial,

    /// <summary>Migrations ran; sources and consumers are starting.</summary>
    Prepared,

    /// <summary>Running.</summary>
    Started,

    /// <summary>Stopped.</summary>
    Stopped,
}

/// <summary>A point-in-time view of the engine, for <c>/status</c>, health checks and tests.</summary>
/// <param name="State">The overall state.</param>
/// <param name="Sources">One entry per replication source.</param>
/// <param name="Consumers">One entry per consumer schema.</param>
public sealed record SyncStatusSnapshot(SyncState State, IReadOnlyList<SourceStatusSnapshot> Sources, IReadOnlyList<ConsumerStatusSnapshot> Consumers);

/// <summary>A replication source's state.</summary>
/// <param name="DataStore">The data store slug.</param>
/// <param name="SlotName">The replication slot.</param>
/// <param name="Running">Whether the reader is connected and reading.</param>
/// <param name="LastCommitLsn">Commit LSN of the last transaction stored (0 before the first).</param>
/// <param name="LastTransactionId">The same as a fixed-width transaction id.</param>
/// <param name="Transactions">Transactions stored since start.</param>
/// <param name="Events">Events stored since start.</param>
/// <param name="RetainedWalBytes">WAL the slot retains (from pg_replication_slots), when known.</param>
/// <param name="LastActivityUtc">When the last replication message arrived.</param>
/// <param name="Error">The current error (the reader retries with backoff), or null.</param>
/// <param name="Warnings">Notable events that are not errors of the engine (e.g. TRUNCATEs that were not published).</param>
public sealed record SourceStatusSnapshot(
    string DataStore,
    string SlotName,
    bool Running,
    long LastCommitLsn,
    string LastTransactionId,
    long Transactions,
    long Events,
    long? RetainedWalBytes,
    DateTimeOffset? LastActivityUtc,
    string? Error,
    IReadOnlyList<string> Warnings);

/// <summary>A consumer schema's state.</summary>
/// <param name="ManifestSlug">The consumer's manifest.</param>
/// <param name="Name">The consumer schema name.</param>
/// <param name="SourceManifestSlug">The public schema's manifest.</param>
/// <param name="PublicSchemaName">The public schema.</param>
/// <param name="PublicSchemaMajor">Its major version.</param>
/// <param name="Destination">The destination data store.</param>
/// <param name="CursorLsn">Commit LSN of the last applied source transaction (0 before the first).</param>
/// <param name="CursorTransactionId">The same as a fixed-width transaction id.</param>
/// <param name="Applied">Events applied since start.</param>
/// <param name="Faulted">Whether the consumer is failing (it retries with backoff and never skips).</param>
/// <param name="Error">The last error while faulted.</param>
/// <param name="FaultedAt">The position of the event being applied when it failed.</param>
/// <param name="Attempts">Consecutive failed attempts.</param>
public sealed record ConsumerStatusSnapshot(
    string ManifestSlug,
    string Name,
    string SourceManifestSlug,
    string PublicSchemaName,
    int PublicSchemaMajor,
    string Destination,
    long CursorLsn,
    string CursorTransactionId,
    long Applied,
    bool Faulted,
    string? Error,
    string? FaultedAt,
    int Attempts);

/// <summary>Mutable status of one source, updated by its reader.</summary>
internal sealed class SourceStatus(string dataStore, string slotName)
{
    private readonly Lock _gate = new();
    private readonly List<string> _warnings = [];
    private bool _running;
    private long _lastCommitLsn;
    private long _transactions;
    private long _events;
    private long? _retainedWal;
    private DateTimeOffset? _lastActivity;
    private string? _error;

    public string DataStore => dataStore;

    public long LastCommitLsn { get { lock (_gate) { return _lastCommitLsn; } } }

    public long? RetainedWalBytes { get { lock (_gate) { return _retainedWal; } } }

    public string? Error { get { lock (_gate) { return _error; } } }

    public DateTimeOffset? LastActivity { get { lock (_gate) { return _lastActivity; } } }

    public void SetRunning(bool running) { lock (_gate) { _running = running; if (running) { _error = null; } } }

    public void SetError(string? error) { lock (_gate) { _error = error; _running = false; } }

    public void SetPosition(long commitLsn) { lock (_gate) { _lastCommitLsn = Math.Max(_lastCommitLsn, commitLsn); } }

    public void AddTransactions(long commitLsn, int transactions, int events)
    {
        lock (_gate)
        {
            _lastCommitLsn = commitLsn;
            _transactions += transactions;
            _events += events;
        }
    }

    public void SetRetainedWal(long? bytes) { lock (_gate) { _retainedWal = bytes; } }

    public void Touch(DateTimeOffset now) { lock (_gate) { _lastActivity = now; } }

    public void AddWarning(string warning)
    {
        lock (_gate)
        {
            _warnings.Add(warning);
            if (_warnings.Count > 20)
            {
                _warnings.RemoveAt(0);
            }
        }
    }

    public SourceStatusSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new SourceStatusSnapshot(dataStore, slotName, _running, _lastCommitLsn, TransactionIds.Format(_lastCommitLsn),
                _transactions, _events, _retainedWal, _lastActivity, _error, _warnings.ToArray());
        }
    }
}

/// <summary>Mutable status of one consumer pump.</summary>
internal sealed class ConsumerStatus(Model.ConsumerSchemaModel consumer)
{
    private readonly Lock _gate = new();
    private long _cursor;
    private long _applied;
    private string? _error;
    private string? _faultedAt;
    private int _attempts;

    public Model.ConsumerSchemaModel Consumer => consumer;

    public long Cursor { get { lock (_gate) { return _cursor; } } }

    public bool Faulted { get { lock (_gate) { return _error is not null; } } }

    public void SetCursor(long cursor, int applied)
    {
        lock (_gate)
        {
            _cursor = cursor;
            _applied += applied;
            _error = null;
            _faultedAt = null;
            _attempts = 0;
        }
    }

    public int SetFault(string error, string? position)
    {
        lock (_gate)
        {
            _error = error;
            _faultedAt = position;
            return ++_attempts;
        }
    }

    public ConsumerStatusSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ConsumerStatusSnapshot(consumer.ManifestSlug, consumer.Name, consumer.Source.ManifestSlug, consumer.Source.Name,
                consumer.Source.Major, consumer.DestinationSlug, _cursor, TransactionIds.Format(_cursor), _applied, _error is not null,
                _error, _faultedAt, _attempts);
        }
    }
}
