using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ReJot.Sync.Hosting;

/// <summary>The engine's meter <c>ReJot.Sync</c> and activity source <c>ReJot.Sync</c>.</summary>
internal sealed class SyncMetrics : IDisposable
{
    /// <summary>Name of the meter and the activity source.</summary>
    public const string Name = "ReJot.Sync";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public SyncMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Transactions = _meter.CreateCounter<long>("rejot.sync.transactions", "{transaction}", "Source transactions stored in the event store.");
        Events = _meter.CreateCounter<long>("rejot.sync.events", "{event}", "Public schema events stored.");
        Applied = _meter.CreateCounter<long>("rejot.sync.applied", "{event}", "Events applied to destinations.");
        Failures = _meter.CreateCounter<long>("rejot.sync.failures", "{failure}", "Failed attempts (source or consumer), retried with backoff.");
        InvalidObjects = _meter.CreateCounter<long>("rejot.sync.invalid_objects", "{object}", "Transformation results that did not match the contract's JSON Schema.");
        Truncates = _meter.CreateCounter<long>("rejot.sync.truncates", "{truncate}", "TRUNCATEs of published tables (not expressible as events).");
        BackfillRowsRead = _meter.CreateCounter<long>("rejot.backfill.rows_read", "{row}", "Source rows read by backfills (stored chunks).");
        BackfillEvents = _meter.CreateCounter<long>("rejot.backfill.events", "{event}", "Events stored by backfills (rows read minus those superseded by live changes).");
        BackfillsRunning = _meter.CreateUpDownCounter<int>("rejot.backfill.running", "{backfill}", "Backfills running in this engine.");
        VisibilityWaits = _meter.CreateCounter<long>("rejot.sync.visibility_waits", "{wait}", "Times a decoded source transaction was not yet visible to the transformation's snapshot and the engine waited.");
    }

    public Counter<long> Transactions { get; }

    public Counter<long> Events { get; }

    public Counter<long> Applied { get; }

    public Counter<long> Failures { get; }

    public Counter<long> InvalidObjects { get; }

    public Counter<long> Truncates { get; }

    public Counter<long> VisibilityWaits { get; }

    public Counter<long> BackfillRowsRead { get; }

    public Counter<long> BackfillEvents { get; }

    public UpDownCounter<int> BackfillsRunning { get; }

    /// <summary>Registers the gauges that read the status registry.</summary>
    public void ObserveStatus(Func<SyncStatusSnapshot> status)
    {
        _meter.CreateObservableGauge("rejot.sync.retained_wal", () =>
            status().Sources.Where(s => s.RetainedWalBytes is not null)
                .Select(s => new Measurement<long>(s.RetainedWalBytes!.Value, new KeyValuePair<string, object?>("data_store", s.DataStore))),
            "By", "WAL retained by each source's replication slot.");
        _meter.CreateObservableGauge("rejot.sync.consumer_faulted", () =>
            status().Consumers.Select(c => new Measurement<int>(c.Faulted ? 1 : 0, new KeyValuePair<string, object?>("consumer", c.ManifestSlug + "/" + c.Name))),
            "{consumer}", "1 while a consumer is failing.");
    }

    public void Dispose() => _meter.Dispose();
}
