using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Backfill;

/// <summary>
/// Starts and resumes the backfills of this engine's public schemas: requests come from the hosting API, the CLI
/// (a row in <c>rejot_events.backfills</c> plus a NOTIFY) or <c>initial</c> mode; running ones found at start are
/// resumed from their stored progress. Transient failures are retried with backoff; configuration problems fail
/// the backfill with the reason.
/// </summary>
internal sealed class BackfillCoordinator : IAsyncDisposable
{
    private readonly BackfillStore _store;
    private readonly EventStoreNotifications _notifications;
    private readonly IEventStore _events;
    private readonly IReadOnlyDictionary<PublicSchemaKey, (SourceTransformer Transformer, NpgsqlDataSource SourceDb)> _schemas;
    private readonly ReJotSyncOptions _options;
    private readonly SyncMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (Task Task, CancellationTokenSource Stop)> _running = [];

    public BackfillCoordinator(
        NpgsqlDataSource eventStoreDb,
        IEventStore events,
        IReadOnlyDictionary<PublicSchemaKey, (SourceTransformer Transformer, NpgsqlDataSource SourceDb)> schemas,
        ReJotSyncOptions options,
        SyncMetrics metrics,
        ILogger logger,
        TimeProvider timeProvider)
    {
        _metrics = metrics;
        _store = new BackfillStore(eventStoreDb);
        _notifications = new EventStoreNotifications(eventStoreDb, BackfillStore.NotifyChannel, timeProvider);
        _events = events;
        _schemas = schemas;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public BackfillStore Store => _store;

    /// <summary>The public schemas this engine can backfill (those it reads from a source).</summary>
    public IEnumerable<PublicSchemaModel> Schemas => _schemas.Values.Select(v => v.Transformer).Distinct().SelectMany(t => t.Schemas.Values);

    /// <summary>Requests a backfill for every consumer (or returns the one already active for the schema) and wakes the loop.</summary>
    public Task<(BackfillRecord Record, bool Created)> RequestAsync(PublicSchemaKey schema, string? filter, string requestedBy, CancellationToken cancellationToken)
        => RequestAsync(schema, filter, null, requestedBy, cancellationToken);

    /// <summary>
    /// Requests a backfill (or returns the one already active for the schema and target) and wakes the loop. With
    /// <paramref name="forConsumer"/> (<c>manifest-slug/consumer-name</c>, see <see cref="ResolveConsumer"/>), its
    /// events are stored for that consumer only.
    /// </summary>
    public async Task<(BackfillRecord Record, bool Created)> RequestAsync(PublicSchemaKey schema, string? filter, string? forConsumer, string requestedBy, CancellationToken cancellationToken)
    {
        if (!_schemas.ContainsKey(schema))
        {
            throw new SyncConfigurationException($"Public schema {schema} is not read from a source by this engine, so it cannot be backfilled here.");
        }

        if (filter is not null && BackfillRunner.ValidateFilter(filter) is { } problem)
        {
            throw new SyncConfigurationException($"The filter is not a usable SQL condition: {problem}");
        }

        var result = await _store.RequestAsync(schema, string.IsNullOrWhiteSpace(filter) ? null : filter, forConsumer, requestedBy, cancellationToken).ConfigureAwait(false);
        if (result.Created)
        {
            Log.BackfillRequested(_logger, result.Record.Id, schema.ToString(), forConsumer ?? "every consumer", requestedBy);
        }

        return result;
    }

    /// <summary>Cancels a requested or running backfill; what it stored stays.</summary>
    public async Task<bool> CancelAsync(long id, CancellationToken cancellationToken)
    {
        var ended = await _store.EndAsync(id, "cancelled", null, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_running.TryGetValue(id, out var run))
            {
                run.Stop.Cancel();
            }
        }

        return ended;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.InitialBackfill == InitialBackfillMode.NewSchemas)
            {
                await RequestInitialAsync(cancellationToken).ConfigureAwait(false);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var signal = await _notifications.GetSignalAsync(cancellationToken).ConfigureAwait(false);
                    var active = await _store.ActiveAsync(cancellationToken).ConfigureAwait(false);
                    var activeIds = active.Select(r => r.Id).ToHashSet();
                    lock (_gate)
                    {
                        foreach (var (id, run) in _running)
                        {
                            if (!activeIds.Contains(id))
                            {
                                // Cancelled elsewhere (another process, the CLI).
                                run.Stop.Cancel();
                            }
                        }

                        foreach (var record in active)
                        {
                            if (_schemas.ContainsKey(record.Schema) && !_running.ContainsKey(record.Id))
                            {
                                var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                                _running[record.Id] = (Task.Run(() => RunOneAsync(record, stop), CancellationToken.None), stop);
                            }
                        }
                    }

                    try
                    {
                        await signal.WaitAsync(TimeSpan.FromSeconds(30), _timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // Safety net only: look again.
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.BackfillRetrying(_logger, 0, "(requests)", _options.RetryInitialDelay, e.Message);
                    await Task.Delay(_options.RetryInitialDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        List<Task> tasks;
        lock (_gate)
        {
            tasks = _running.Values.Select(r => r.Task).ToList();
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task RequestInitialAsync(CancellationToken cancellationToken)
    {
        var tails = await _events.TailAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schema in _schemas.Keys)
        {
            if (!tails.ContainsKey(schema) && !await _store.AnyAsync(schema, cancellationToken).ConfigureAwait(false))
            {
                await RequestAsync(schema, null, "initial mode: new public schema", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunOneAsync(BackfillRecord record, CancellationTokenSource stop)
    {
        var (transformer, sourceDb) = _schemas[record.Schema];
        var schema = transformer.Schemas[record.Schema];
        var tag = new KeyValuePair<string, object?>("schema", record.Schema.ToString());
        _metrics.BackfillsRunning.Add(1, tag);
        try
        {
            for (var attempt = 1; !stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    // Always from the stored progress: chunks read but not stored are read again.
                    var current = await _store.GetAsync(record.Id, stop.Token).ConfigureAwait(false);
                    if (current is null || current.Status is not ("requested" or "running"))
                    {
                        return;
                    }

                    await new BackfillRunner(current, schema, sourceDb, transformer.Backfills, _store, _options, _metrics, _logger, _timeProvider)
                        .RunAsync(stop.Token).ConfigureAwait(false);
                    return;
                }
                catch (SyncConfigurationException e)
                {
                    Log.BackfillFailed(_logger, record.Id, record.Schema.ToString(), e.Message);
                    await _store.EndAsync(record.Id, "failed", e.Message, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException e) when (e.SqlState is "42601" or "42703" or "42883" or "42P01" or "42804" or "22P02")
                {
                    // The filter (or a transformation) does not compile against the table: retrying will not help.
                    var message = $"The source rejected the backfill's query: {e.MessageText}";
                    Log.BackfillFailed(_logger, record.Id, record.Schema.ToString(), message);
                    await _store.EndAsync(record.Id, "failed", message, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    var delay = Capture.Backoff.Delay(attempt, _options.RetryInitialDelay, _options.RetryMaxDelay);
                    Log.BackfillRetrying(_logger, record.Id, record.Schema.ToString(), delay, e.Message);
                    await Task.Delay(delay, _timeProvider, stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.BackfillFailed(_logger, record.Id, record.Schema.ToString(), e.Message);
        }
        finally
        {
            _metrics.BackfillsRunning.Add(-1, tag);
            lock (_gate)
            {
                _running.Remove(record.Id);
            }

            stop.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _notifications.DisposeAsync();

    /// <summary>
    /// The identity (<c>manifest-slug/consumer-name</c>) of the consumer a backfill of <paramref name="schema"/> is
    /// for: a consumer of that schema in <paramref name="consumers"/> named <c>consumer-name</c> or
    /// <c>manifest-slug/consumer-name</c>; or, when <paramref name="remote"/>, any <c>manifest-slug/consumer-name</c>
    /// (a consumer in another service that reads this one's <c>/read</c> and identifies itself with <c>consumer=</c>).
    /// </summary>
    internal static string ResolveConsumer(IEnumerable<ConsumerSchemaModel> consumers, PublicSchemaKey schema, string text, bool remote)
    {
        var name = text.Trim();
        var local = consumers.Where(c => c.Source == schema).ToList();
        var matches = local.Where(c => c.DisplayName == name || (!name.Contains('/', StringComparison.Ordinal) && c.Name == name)).ToList();
        if (matches.Count == 1)
        {
            return matches[0].DisplayName;
        }

        if (matches.Count > 1)
        {
            throw new SyncConfigurationException(
                $"'{text}' matches several consumers of {schema} ({string.Join(", ", matches.Select(c => c.DisplayName))}); name one as manifest-slug/consumer-name.");
        }

        if (remote)
        {
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == name.Length - 1 || name.IndexOf('/', slash + 1) >= 0 || name.Any(char.IsWhiteSpace))
            {
                throw new SyncConfigurationException(
                    $"A remote consumer is named manifest-slug/consumer-name (as its sync service sends it in /read?consumer=), not '{text}'.");
            }

            return name;
        }

        throw new SyncConfigurationException(
            $"No consumer '{text}' of {schema} is known here (consumers of it: {(local.Count == 0 ? "none" : string.Join(", ", local.Select(c => c.DisplayName)))}). "
            + "For a consumer in another service that reads this service's /read, pass its manifest-slug/consumer-name as a remote consumer (--remote-consumer).");
    }

    /// <summary>Finds a public schema by <c>name</c>, <c>name@major</c> or <c>manifest/name@major</c>.</summary>
    internal static PublicSchemaKey Resolve(IEnumerable<PublicSchemaModel> schemas, string text)
    {
        var all = schemas.Select(s => s.Key).Distinct().ToList();
        var name = text.Trim();
        string? manifest = null;
        int? major = null;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            manifest = name[..slash];
            name = name[(slash + 1)..];
        }

        var at = name.LastIndexOf('@');
        if (at > 0 && int.TryParse(name.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var m))
        {
            major = m;
            name = name[..at];
        }

        var matches = all.Where(k => k.Name == name && (manifest is null || k.ManifestSlug == manifest) && (major is null || k.Major == major)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new SyncConfigurationException(
                $"No public schema '{text}' is read from a source here. Known: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(k => $"{k.ManifestSlug}/{k.Name}@{k.Major}")))}."),
            _ => throw new SyncConfigurationException(
                $"'{text}' matches several public schemas ({string.Join(", ", matches.Select(k => $"{k.ManifestSlug}/{k.Name}@{k.Major}"))}); name one as manifest/name@major."),
        };
    }
}
