using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReJot.Manifest;
using ReJot.Schemas;
using ReJot.Sync.EventStore;
using ReJot.Sync.Model;

namespace ReJot.Sync.Hosting;

/// <summary>Reads the engine's state: for <c>/status</c>, health checks and applications.</summary>
public interface IReJotSyncStatus
{
    /// <summary>A snapshot of the engine, its sources and its consumers.</summary>
    SyncStatusSnapshot GetStatus();
}

/// <summary>Manifests handed to <c>AddReJotSync</c> in code (the CLI passes the files it loaded).</summary>
internal sealed record ManifestRegistration(IReadOnlyList<ManifestDocument> Manifests);

/// <summary>Owns the engine inside a host: builds the model from manifests and configuration, starts and stops it.</summary>
internal sealed class ReJotSyncRuntime : IReJotSyncStatus, IReJotBackfills, Http.ISyncHttpBackend, IAsyncDisposable
{
    private int _disposed;

    private readonly IOptions<ReJotSyncOptions> _options;
    private readonly IEnumerable<ManifestRegistration> _registrations;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly SyncMetrics _metrics;
    private readonly IConfiguration? _configuration;
    private readonly IRemoteEventSourceFactory? _remote;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SyncEngine? _engine;
    private SyncModel? _model;

    public SyncEngine? Engine => _engine;

    /// <summary>Why the last start attempt failed (a database unreachable); null once started.</summary>
    public string? StartFailure { get; private set; }

    /// <summary>Records a failed start attempt that will be retried (shown by the health check).</summary>
    public void ReportStartFailure(string message) => StartFailure = message;

    public ReJotSyncRuntime(
        IOptions<ReJotSyncOptions> options,
        IEnumerable<ManifestRegistration> registrations,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        SyncMetrics metrics,
        IConfiguration? configuration = null,
        IRemoteEventSourceFactory? remote = null)
    {
        _options = options;
        _registrations = registrations;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _configuration = configuration;
        _remote = remote;
        metrics.ObserveStatus(GetStatus);
    }

    public async Task<SyncModel> GetModelAsync(CancellationToken cancellationToken)
    {
        if (_model is not null)
        {
            return _model;
        }

        var manifests = new List<ManifestDocument>();
        foreach (var registration in _registrations)
        {
            manifests.AddRange(registration.Manifests);
        }

        foreach (var path in _options.Value.ManifestPaths)
        {
            var workspace = await ManifestWorkspace.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            manifests.AddRange(workspace.Manifests.Select(m => m.Manifest));
        }

        if (_options.Value.UseGeneratedManifests)
        {
            foreach (var generated in SelectGeneratedManifests(GeneratedManifests.All, _options.Value.GeneratedManifestAssemblies))
            {
                manifests.Add(ManifestSerializer.Read(generated.Json, $"generated manifest of {generated.AssemblyName}"));
            }
        }

        _model = SyncModelBuilder.Build(manifests, _options.Value, slug => _configuration?.GetConnectionString(slug));
        return _model;
    }

    /// <summary>Every registered fragment, or only those of <paramref name="assemblies"/>, which must all have one.</summary>
    internal static IReadOnlyList<GeneratedManifest> SelectGeneratedManifests(IReadOnlyList<GeneratedManifest> registered, ICollection<string> assemblies)
    {
        if (assemblies.Count == 0)
        {
            return registered;
        }

        var wanted = assemblies.ToHashSet(StringComparer.Ordinal);
        var selected = registered.Where(m => wanted.Contains(m.AssemblyName)).ToList();
        var missing = wanted.Except(selected.Select(m => m.AssemblyName), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new SyncConfigurationException(
                $"No generated ReJot manifest is registered for {string.Join(", ", missing.Select(a => $"assembly '{a}'"))} (ReJot:GeneratedManifestAssemblies). "
                + "Check that the assembly declares [PublicSchema] or [ConsumerSchema] types, references ReJot.Schemas, and is loaded (UseGeneratedManifestsFrom loads it).");
        }

        return selected;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var model = await GetModelAsync(cancellationToken).ConfigureAwait(false);
        var engine = new SyncEngine(model, _options.Value, _loggerFactory, _timeProvider, _metrics, _remote);
        try
        {
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _engine = engine;
        StartFailure = null;
        _started.TrySetResult();
    }

    /// <summary>Completes once the engine has started (every slot exists, so later changes are captured).</summary>
    public Task WhenStartedAsync(CancellationToken cancellationToken) => _started.Task.WaitAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_engine is { } engine)
        {
            await engine.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    IEventStore? Http.ISyncHttpBackend.EventStore => _engine is { State: SyncState.Started or SyncState.Prepared } engine ? engine.EventStore : null;

    IReadOnlyList<Http.PublishedSchema> Http.ISyncHttpBackend.PublicSchemas
        => _model?.PublicSchemas.Select(p => new Http.PublishedSchema(p.Key, p.Minor, p.SourceSlug,
            p.Transformations.Select(t => t.Table.ToString()).Distinct(StringComparer.Ordinal).ToList(), p.OutputSchemaJson)).ToList() ?? [];

    string Http.ISyncHttpBackend.State => (_engine?.State ?? SyncState.Initial).ToString().ToLowerInvariant();

    IReadOnlyList<string> Http.ISyncHttpBackend.Problems
        => StartFailure is { } failure && _engine is not { State: SyncState.Started }
            ? [$"cannot start: {failure}", .. Http.SyncEngineHttpBackend.ProblemsOf(GetStatus())]
            : Http.SyncEngineHttpBackend.ProblemsOf(GetStatus());

    Task<IReadOnlyList<Http.ConsumerCursor>> Http.ISyncHttpBackend.GetDataStoreCursorsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<Http.ConsumerCursor>>(GetStatus().Consumers
            .Select(c => new Http.ConsumerCursor(new PublicSchemaKey(c.SourceManifestSlug, c.PublicSchemaName, c.PublicSchemaMajor), c.CursorLsn == 0 ? null : c.CursorLsn))
            .ToList());

    Task<BackfillInfo> IReJotBackfills.StartAsync(string publicSchema, string? filter, CancellationToken cancellationToken)
        => ((IReJotBackfills)this).StartAsync(publicSchema, new BackfillRequest { Filter = filter }, cancellationToken);

    async Task<BackfillInfo> IReJotBackfills.StartAsync(string publicSchema, BackfillRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var backfills = Backfills();
        var key = Backfill.BackfillCoordinator.Resolve(backfills.Schemas, publicSchema);
        var consumer = request.ForConsumer is { } target
            ? Backfill.BackfillCoordinator.ResolveConsumer(_engine!.Model.Consumers, key, target, request.RemoteConsumer)
            : null;
        var (record, _) = await backfills.RequestAsync(key, request.Filter, consumer, "hosting API", cancellationToken).ConfigureAwait(false);
        return BackfillInfo.From(record);
    }

    async Task<IReadOnlyList<BackfillInfo>> Http.ISyncHttpBackend.GetRecentBackfillsAsync(CancellationToken cancellationToken)
        => _engine?.Backfills is { } backfills
            ? (await backfills.Store.RecentAsync(cancellationToken).ConfigureAwait(false)).Select(BackfillInfo.From).ToList()
            : [];

    async Task<BackfillInfo?> IReJotBackfills.GetAsync(long id, CancellationToken cancellationToken)
        => await Backfills().Store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } record ? BackfillInfo.From(record) : null;

    async Task<IReadOnlyList<BackfillInfo>> IReJotBackfills.ListAsync(CancellationToken cancellationToken)
        => (await Backfills().Store.ListAsync(cancellationToken).ConfigureAwait(false)).Select(BackfillInfo.From).ToList();

    Task<bool> IReJotBackfills.CancelAsync(long id, CancellationToken cancellationToken)
        => Backfills().CancelAsync(id, cancellationToken);

    private Backfill.BackfillCoordinator Backfills()
        => _engine?.Backfills ?? throw new InvalidOperationException(
            _options.Value.Standby ? "This instance is a standby: backfills run on the active instance." : "The ReJot sync engine has not started yet; wait for the host to start.");

    public SyncStatusSnapshot GetStatus() => _engine?.GetStatus() ?? new SyncStatusSnapshot(SyncState.Initial, [], []);

    public async ValueTask DisposeAsync()
    {
        // Idempotent: hosts may dispose the same singleton through several service registrations.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_engine is { } engine)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }
}
