using ReJot.Sync.EventStore;

namespace ReJot.Sync.Http;

/// <summary>What the HTTP routes serve. The engine registers one in DI; a standby instance needs only the event store.</summary>
internal interface ISyncHttpBackend
{
    /// <summary>The event store behind <c>/read</c>, or null when this instance has none (then <c>/read</c> answers 503).</summary>
    IEventStore? EventStore { get; }

    /// <summary>The public schemas this service publishes (for <c>/public-schemas</c> and to validate <c>/read</c> cursors).</summary>
    IReadOnlyList<PublishedSchema> PublicSchemas { get; }

    /// <summary>The engine state for <c>/status</c>: initial, prepared, started, stopped or closed.</summary>
    string State { get; }

    /// <summary>
    /// What needs an operator, for <c>/status</c> (<c>problems</c>, only when there are any): failing sources, source
    /// warnings (lost or unpublished changes to backfill), faulted consumers.
    /// </summary>
    IReadOnlyList<string> Problems => [];

    /// <summary>The consumers' cursors in their destinations, for <c>/data-store/cursors</c>.</summary>
    Task<IReadOnlyList<ConsumerCursor>> GetDataStoreCursorsAsync(CancellationToken cancellationToken);

    /// <summary>Backfills that are requested or running, and those that ended in the last day (for <c>/status</c>).</summary>
    Task<IReadOnlyList<Hosting.BackfillInfo>> GetRecentBackfillsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<Hosting.BackfillInfo>>([]);
}

/// <summary>A public schema as listed by <c>/public-schemas</c>.</summary>
/// <param name="Key">Manifest slug, name and major version.</param>
/// <param name="Minor">The minor version.</param>
/// <param name="DataStoreSlug">The source data store.</param>
/// <param name="Tables">The source tables its transformations read.</param>
/// <param name="OutputSchemaJson">The output JSON Schema as JSON text.</param>
internal sealed record PublishedSchema(PublicSchemaKey Key, int Minor, string DataStoreSlug, IReadOnlyList<string> Tables, string OutputSchemaJson);

/// <summary>A consumer's position for one public schema: the last applied transaction's commit LSN, or null before the first.</summary>
internal sealed record ConsumerCursor(PublicSchemaKey Schema, long? CommitLsn);

/// <summary>A ready-made <see cref="ISyncHttpBackend"/> over delegates, for the engine's hosting code and for tests.</summary>
internal sealed class SyncHttpBackend(
    IEventStore? eventStore,
    IReadOnlyList<PublishedSchema> publicSchemas,
    Func<string> state,
    Func<CancellationToken, Task<IReadOnlyList<ConsumerCursor>>>? cursors = null) : ISyncHttpBackend
{
    public IEventStore? EventStore => eventStore;

    public IReadOnlyList<PublishedSchema> PublicSchemas => publicSchemas;

    public string State => state();

    public Task<IReadOnlyList<ConsumerCursor>> GetDataStoreCursorsAsync(CancellationToken cancellationToken)
        => cursors?.Invoke(cancellationToken) ?? Task.FromResult<IReadOnlyList<ConsumerCursor>>([]);
}
