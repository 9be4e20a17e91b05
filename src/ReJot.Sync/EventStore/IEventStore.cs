namespace ReJot.Sync.EventStore;

/// <summary>
/// Where a consumer reads events from: the local event store, or a remote sync service's <c>/read</c> route.
/// </summary>
internal interface IEventSource
{
    /// <summary>
    /// Reads up to <paramref name="limit"/> events of <paramref name="schema"/> after <paramref name="after"/>,
    /// in order. A page may end inside a transaction; the caller continues from the last event's position.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when events after <paramref name="after"/> may exist (at once if they already do). May also
    /// complete spuriously; callers read again.
    /// </summary>
    Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, CancellationToken cancellationToken);
}

/// <summary>Creates event sources for public schemas that the local event store does not hold.</summary>
internal interface IRemoteEventSourceFactory
{
    /// <summary>
    /// Returns a source for the schema, or null when this factory cannot reach its manifest. With a
    /// <paramref name="consumer"/> (<c>manifest-slug/consumer-name</c>), the source also serves the events stored for
    /// that consumer only (a backfill requested for it).
    /// </summary>
    IEventSource? TryCreate(PublicSchemaKey schema, string? consumer = null);
}

/// <summary>The durable, ordered store of public schema events.</summary>
internal interface IEventStore : IEventSource
{
    /// <summary>Creates or upgrades the store's schema (idempotent, safe under concurrency).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The last stored position of a source, or null when none was stored.</summary>
    Task<SourcePosition?> GetSourcePositionAsync(string dataStoreSlug, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a source's slot may be acknowledged up to <paramref name="endLsn"/> although no events were stored
    /// (a new slot, an idle heartbeat, transactions that touched none of the schemas' tables). Never moves a position
    /// backwards and keeps the last stored commit LSN, so the slot's confirmed position is never ahead of the store's:
    /// a slot found ahead of it was re-created or advanced behind the engine's back.
    /// </summary>
    Task AdvanceSourcePositionAsync(string dataStoreSlug, string slotName, long endLsn, CancellationToken cancellationToken);

    /// <summary>
    /// Starts writing one source transaction. The events and the new source position commit together in
    /// <see cref="IEventStoreTransaction.CommitAsync"/>.
    /// </summary>
    Task<IEventStoreTransaction> BeginAsync(string dataStoreSlug, string slotName, long commitLsn, CancellationToken cancellationToken);

    /// <summary>
    /// Reads whole transactions after <paramref name="afterCommitLsn"/>: at least <paramref name="limit"/>
    /// events when that many exist, finishing the transaction the limit lands in (never split).
    /// </summary>
    Task<IReadOnlyList<EventTransaction>> ReadTransactionsAsync(PublicSchemaKey schema, long afterCommitLsn, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ReadTransactionsAsync(PublicSchemaKey, long, int, CancellationToken)"/>, for one consumer
    /// (<c>manifest-slug/consumer-name</c>): also the events stored for it only (a backfill requested for it). Null:
    /// untargeted events only.
    /// </summary>
    Task<IReadOnlyList<EventTransaction>> ReadTransactionsAsync(PublicSchemaKey schema, long afterCommitLsn, int limit, string? consumer, CancellationToken cancellationToken);

    /// <summary>As <see cref="IEventSource.WaitForEventsAsync"/>, counting the events stored for <paramref name="consumer"/> only too.</summary>
    Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, string? consumer, CancellationToken cancellationToken);

    /// <summary>The stream one consumer (<c>manifest-slug/consumer-name</c>) reads: untargeted events plus those stored for it only.</summary>
    IEventSource ForConsumer(string consumer);

    /// <summary>The commit LSN of the newest untargeted event of a schema, or 0 when it has none.</summary>
    Task<long> TailAsync(PublicSchemaKey schema, CancellationToken cancellationToken);

    /// <summary>The commit LSN of the newest transaction stored for each schema that has events.</summary>
    Task<IReadOnlyDictionary<PublicSchemaKey, long>> TailAsync(CancellationToken cancellationToken);
}

/// <summary>An open write of one source transaction's events.</summary>
internal interface IEventStoreTransaction : IAsyncDisposable
{
    /// <summary>Appends events in order. May be called many times (large transactions arrive in chunks).</summary>
    Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>Number of events appended so far.</summary>
    int Count { get; }

    /// <summary>
    /// Continues the same store transaction with the next source transaction (group commit when behind): later
    /// appends belong to <paramref name="commitLsn"/>, which must be larger than the previous one.
    /// </summary>
    void StartTransaction(long commitLsn);

    /// <summary>Records a backfill chunk's progress, written atomically with the events at commit.</summary>
    void AddBackfillProgress(Backfill.BackfillProgressUpdate update);

    /// <summary>
    /// Stores the source position (the last started transaction and <paramref name="endLsn"/>) and commits the
    /// events atomically, then wakes waiting consumers.
    /// </summary>
    Task CommitAsync(long endLsn, CancellationToken cancellationToken);
}
