using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.Apply;
using ReJot.Sync.Backfill;
using ReJot.Sync.Capture;
using ReJot.Sync.EventStore;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Hosting;

/// <summary>
/// The engine: one reader per source data store, the event store, one pump per consumer schema. Used by the
/// hosted service (<c>AddReJotSync</c>) and by <c>rejot manifest sync</c>.
/// </summary>
internal sealed class SyncEngine : IAsyncDisposable
{
    private int _disposed;

    private readonly SyncModel _model;
    private readonly ReJotSyncOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SyncMetrics _metrics;
    private readonly IRemoteEventSourceFactory? _remote;
    private readonly Dictionary<string, NpgsqlDataSource> _dataSources = new(StringComparer.Ordinal);
    private readonly List<SourceStatus> _sources = [];
    private readonly List<ConsumerStatus> _consumers = [];
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stop = new();
    private PostgresEventStore? _store;
    private BackfillCoordinator? _backfills;
    private volatile SyncState _state = SyncState.Initial;

    public SyncEngine(SyncModel model, ReJotSyncOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, SyncMetrics metrics, IRemoteEventSourceFactory? remote = null)
    {
        _model = model;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("ReJot.Sync");
        _timeProvider = timeProvider;
        _metrics = metrics;
        _remote = remote;
        if (options.Standby)
        {
            // A standby reads no slot and applies nothing, so it has no source or consumer to report.
            return;
        }

        foreach (var source in model.Sources)
        {
            _sources.Add(new SourceStatus(source.Slug, source.SlotName));
        }

        foreach (var consumer in model.Consumers)
        {
            _consumers.Add(new ConsumerStatus(consumer));
        }
    }

    public SyncModel Model => _model;

    /// <summary>The event store (available after <see cref="StartAsync"/>).</summary>
    public IEventStore EventStore => _store ?? throw new InvalidOperationException("The engine has not started.");

    public SyncState State => _state;

    /// <summary>Backfills of this engine's public schemas (available after <see cref="StartAsync"/>; null on a standby).</summary>
    public BackfillCoordinator? Backfills => _backfills;

    public SyncStatusSnapshot GetStatus()
        => new(_state, _sources.Select(s => s.Snapshot()).ToList(), _consumers.Select(c => c.Snapshot()).ToList());

    /// <summary>Migrates the stores and starts every source and consumer in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger, _model.Sources.Count, _model.PublicSchemas.Count, _model.Consumers.Count);
        foreach (var source in _model.Sources)
        {
            // Also for models built in code: these names reach replication commands that take no parameters.
            SyncModelBuilder.ValidateReplicationNames(source);
        }

        var eventStoreSlug = _options.EventStore ?? _model.EventStoreSlug ?? _model.Sources.FirstOrDefault()?.Slug ?? _model.Consumers.FirstOrDefault()?.DestinationSlug
            ?? throw new SyncConfigurationException("Nothing to sync: the manifests declare no public schemas with a source and no consumer schemas.");
        _store = new PostgresEventStore(DataSource(eventStoreSlug), _timeProvider);
        if (_options.Standby)
        {
            await _store.VerifyMigratedAsync(eventStoreSlug, cancellationToken).ConfigureAwait(false);
            Log.StartingStandby(_logger, eventStoreSlug);
            _state = SyncState.Started;
            return;
        }

        await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);

        var validator = new SchemaValidator();
        foreach (var schema in _model.PublicSchemas)
        {
            try
            {
                await validator.AddAsync(schema.Key, schema.OutputSchemaJson, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new SyncConfigurationException($"Public schema {schema.Key}: the outputSchema is not a valid JSON Schema: {e.Message}");
            }
        }

        foreach (var destination in _model.Consumers.Select(c => c.DestinationSlug).Distinct(StringComparer.Ordinal))
        {
            await DestinationCursors.MigrateAsync(DataSource(destination), cancellationToken).ConfigureAwait(false);
        }

        foreach (var key in _options.Consumers.Keys)
        {
            if (!_model.Consumers.Any(c => c.DisplayName == key || c.Name == key))
            {
                throw new SyncConfigurationException(
                    $"ReJot:Consumers:{key} names no consumer schema of this engine (consumers: {(_model.Consumers.Count == 0 ? "none" : string.Join(", ", _model.Consumers.Select(c => c.DisplayName)))}); use the consumer's name or manifest-slug/consumer-name.");
            }
        }

        // Build everything before starting anything, so configuration errors surface before work begins.
        var runners = new List<Func<CancellationToken, Task>>();
        var prepared = new List<Task>();
        var backfillable = new Dictionary<PublicSchemaKey, (SourceTransformer, NpgsqlDataSource)>();
        for (var i = 0; i < _model.Sources.Count; i++)
        {
            var source = _model.Sources[i];
            var status = _sources[i];
            var logger = _loggerFactory.CreateLogger("ReJot.Sync.Capture");
            var db = DataSource(source.Slug);
            var transformer = new SourceTransformer(source, _model.PublicSchemas.Where(p => p.SourceSlug == source.Slug), db, _store, validator,
                _metrics, status, logger, _timeProvider, _options.TransformChunkSize, _options.TransactionVisibilityTimeout);
            var runner = new SourceRunner(source, _model.GetConnectionString(source.Slug), db, _store, transformer, status, _options, _metrics, logger, _timeProvider);
            runners.Add(runner.RunAsync);
            prepared.Add(runner.FirstPreparation);
            foreach (var key in transformer.Schemas.Keys)
            {
                backfillable[key] = (transformer, db);
            }
        }

        _backfills = new BackfillCoordinator(DataSource(eventStoreSlug), _store, backfillable, _options, _metrics, _loggerFactory.CreateLogger("ReJot.Sync.Backfill"), _timeProvider);
        runners.Add(_backfills.RunAsync);

        var localSchemas = _model.PublicSchemas.Select(p => p.Key).ToHashSet();
        for (var i = 0; i < _model.Consumers.Count; i++)
        {
            var consumer = _model.Consumers[i];
            var applyLogger = _loggerFactory.CreateLogger("ReJot.Sync.Apply");
            // Each consumer reads its own view: untargeted events plus those of backfills requested for it alone.
            IEventSource source;
            Func<CancellationToken, Task<long>> tail = ct => _store.TailAsync(consumer.Source, ct);
            if (localSchemas.Contains(consumer.Source))
            {
                source = _store.ForConsumer(consumer.DisplayName);
            }
            else if (_remote?.TryCreate(consumer.Source, consumer.DisplayName) is { } remote)
            {
                source = remote;
                if (remote is Http.RemoteEventReader reader)
                {
                    tail = reader.TailAsync;
                }
            }
            else
            {
                // Legitimate when another engine writes into the same event store; otherwise the consumer would
                // wait for events that never come, so say so loudly, with the fix.
                source = _store.ForConsumer(consumer.DisplayName);
                Log.ConsumerReadsLocalStore(applyLogger, consumer.DisplayName, consumer.Source.ToString(),
                    _remote is null ? "no remote reader is configured (AddReJotSyncHttp)" : "the resolver does not know that manifest's sync service",
                    consumer.Source.ManifestSlug);
            }

            if (StartFrom(consumer) == ConsumerStart.End)
            {
                source = new StartAtEndEventSource(source, tail, DataSource(consumer.DestinationSlug), consumer, applyLogger);
            }

            var pump = new ConsumerPump(consumer, source, DataSource(consumer.DestinationSlug), _options, _consumers[i], _metrics,
                applyLogger, _timeProvider);
            runners.Add(pump.RunAsync);
        }

        _state = SyncState.Prepared;
        foreach (var run in runners)
        {
            _tasks.Add(Task.Run(() => run(_stop.Token), CancellationToken.None));
        }

        // Return once every slot exists, so changes made after start are captured.
        await Task.WhenAll(prepared).WaitAsync(cancellationToken).ConfigureAwait(false);
        _state = SyncState.Started;
    }

    /// <summary>Stops every source and consumer; open batches roll back (their cursors did not move).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_state is SyncState.Stopped)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _state = SyncState.Stopped;
        Log.Stopped(_logger);
    }

    private ConsumerStart StartFrom(ConsumerSchemaModel consumer)
        => _options.Consumers.TryGetValue(consumer.DisplayName, out var options) || _options.Consumers.TryGetValue(consumer.Name, out options)
            ? options.StartFrom
            : ConsumerStart.Beginning;

    private NpgsqlDataSource DataSource(string slug)
    {
        if (!_dataSources.TryGetValue(slug, out var dataSource))
        {
            var builder = new NpgsqlConnectionStringBuilder(_model.GetConnectionString(slug));
            if (builder.MaxAutoPrepare == 0)
            {
                // Transformations and consumer statements repeat: let Npgsql prepare them.
                builder.MaxAutoPrepare = 64;
                builder.AutoPrepareMinUsages = 2;
            }

            builder.ApplicationName ??= "rejot-sync";
            dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(_loggerFactory).Build();
            _dataSources[slug] = dataSource;
        }

        return dataSource;
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: hosts may dispose the same singleton through several service registrations.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_backfills is not null)
        {
            await _backfills.DisposeAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var dataSource in _dataSources.Values)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
