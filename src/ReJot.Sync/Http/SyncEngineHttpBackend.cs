using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;

namespace ReJot.Sync.Http;

/// <summary>Serves a running <see cref="SyncEngine"/> over HTTP: its event store, public schemas, state and consumer cursors.</summary>
internal sealed class SyncEngineHttpBackend(SyncEngine engine) : ISyncHttpBackend
{
    private readonly IReadOnlyList<PublishedSchema> _schemas = engine.Model.PublicSchemas
        .Select(p => new PublishedSchema(p.Key, p.Minor, p.SourceSlug, p.Transformations.Select(t => t.Table.ToString()).Distinct(StringComparer.Ordinal).ToArray(), p.OutputSchemaJson))
        .ToArray();

    /// <summary>Null until the engine has started (then <c>/read</c> answers 503).</summary>
    public IEventStore? EventStore => engine.State is SyncState.Initial ? null : engine.EventStore;

    public IReadOnlyList<PublishedSchema> PublicSchemas => _schemas;

    public string State => engine.State.ToString().ToLowerInvariant();

    public IReadOnlyList<string> Problems => ProblemsOf(engine.GetStatus());

    /// <summary>Failing sources, source warnings and faulted consumers, one line each.</summary>
    internal static IReadOnlyList<string> ProblemsOf(SyncStatusSnapshot status)
        =>
        [
            .. status.Sources.Where(s => s.Error is not null).Select(s => $"source {s.DataStore}: {s.Error}"),
            .. status.Sources.SelectMany(s => s.Warnings.Select(w => $"source {s.DataStore} warning: {w}")),
            .. status.Consumers.Where(c => c.Faulted).Select(c => $"consumer {c.ManifestSlug}/{c.Name} faulted at {c.FaultedAt}: {c.Error}"),
        ];

    public Task<IReadOnlyList<ConsumerCursor>> GetDataStoreCursorsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<ConsumerCursor>>(engine.GetStatus().Consumers
            .Select(c => new ConsumerCursor(new PublicSchemaKey(c.SourceManifestSlug, c.PublicSchemaName, c.PublicSchemaMajor), c.CursorLsn == 0 ? null : c.CursorLsn))
            .ToArray());

    public async Task<IReadOnlyList<BackfillInfo>> GetRecentBackfillsAsync(CancellationToken cancellationToken)
        => engine.Backfills is { } backfills
            ? (await backfills.Store.RecentAsync(cancellationToken).ConfigureAwait(false)).Select(BackfillInfo.From).ToArray()
            : [];
}
