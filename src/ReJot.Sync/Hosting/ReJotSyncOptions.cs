using System.ComponentModel.DataAnnotations;

namespace ReJot.Sync.Hosting;

/// <summary>
/// Options of the sync engine, bound from the <c>ReJot</c> configuration section. Connection strings come from
/// <c>ConnectionStrings:&lt;data store slug&gt;</c> (overriding manifest connections).
/// </summary>
public sealed class ReJotSyncOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "ReJot";

    /// <summary>Manifest files (or workspace roots) to load in addition to the generated manifests.</summary>
    public IList<string> ManifestPaths { get; } = [];

    /// <summary>Whether to load the manifests generated at build time (<c>GeneratedManifests.All</c>). Default true.</summary>
    public bool UseGeneratedManifests { get; set; } = true;

    /// <summary>
    /// When not empty, only the generated manifests of these assemblies (by simple name) are loaded, instead of every
    /// registered one: for a process that hosts several services, or a service that references another service's
    /// contract assembly (whose public schemas it must not publish). Set through
    /// <c>AddReJotSync().UseGeneratedManifestsFrom(...)</c>, or <c>ReJot:GeneratedManifestAssemblies</c>.
    /// </summary>
    public IList<string> GeneratedManifestAssemblies { get; } = [];

    /// <summary>The data store slug of the event store; default: the manifests' first event store, else the first source, else the first consumer destination.</summary>
    public string? EventStore { get; set; }

    /// <summary>
    /// Runs this instance as a standby: it reads no replication slot (creates no slot or publication), applies no
    /// consumer schemas and changes nothing in the event store; it serves <c>/read</c> and the other routes from
    /// the event store that the active instance writes (which must be migrated already). Default false.
    /// </summary>
    public bool Standby { get; set; }

    /// <summary>Per data store replication settings (slot and publication names), keyed by slug.</summary>
    public IDictionary<string, DataStoreOptions> DataStores { get; } = new Dictionary<string, DataStoreOptions>(StringComparer.Ordinal);

    /// <summary>Events applied per destination transaction when a consumer is behind (whole source transactions are never split).</summary>
    [Range(1, 1_000_000)]
    public int ApplyBatchSize { get; set; } = 2000;

    /// <summary>
    /// Applies runs of events as one statement where the consumer SQL's shape allows it (see docs/sync-engine.md).
    /// Internal: tests compare both ways.
    /// </summary>
    internal bool SetBasedApply { get; set; } = true;

    /// <summary>Events read from the event store per round trip.</summary>
    [Range(1, 100_000)]
    public int ReadPageSize { get; set; } = 1000;

    /// <summary>Changes transformed per source round trip (one batch of queries).</summary>
    [Range(1, 100_000)]
    public int TransformChunkSize { get; set; } = 500;

    /// <summary>
    /// How long a transformation waits for a just-decoded source transaction to become visible to queries before
    /// the source fails (and retries from the slot). Internal: tests shorten it.
    /// </summary>
    internal TimeSpan TransactionVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Changes of one transaction kept in memory before spilling to a temporary file (whichever of this and
    /// <see cref="SpoolMaxInMemoryBytes"/> is reached first).
    /// </summary>
    [Range(1, 10_000_000)]
    public int SpoolMaxInMemoryChanges { get; set; } = 100_000;

    /// <summary>
    /// Estimated bytes of one transaction's changes kept in memory before spilling to a temporary file (whichever of
    /// this and <see cref="SpoolMaxInMemoryChanges"/> is reached first): bounds memory whatever the row size.
    /// </summary>
    [Range(1024L, 4L * 1024 * 1024 * 1024)]
    public long SpoolMaxInMemoryBytes { get; set; } = 48L * 1024 * 1024;

    /// <summary>How often an idle source emits a heartbeat so its slot keeps advancing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failure (doubles up to <see cref="RetryMaxDelay"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows a backfill reads per chunk (one source transaction and one watermark each).</summary>
    [Range(1, 100_000)]
    public int BackfillChunkSize { get; set; } = 1000;

    /// <summary>Pause between two chunks of a backfill, so it cannot starve the source database (default none).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BackfillChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Whether public schemas that have no events and were never backfilled are backfilled at start.</summary>
    public InitialBackfillMode InitialBackfill { get; set; } = InitialBackfillMode.None;

    /// <summary>
    /// Per consumer settings, keyed by <c>manifest-slug/consumer-name</c> or by the consumer name alone (e.g.
    /// <c>ReJot:Consumers:orders-sink:StartFrom = End</c>).
    /// </summary>
    public IDictionary<string, ConsumerOptions> Consumers { get; } = new Dictionary<string, ConsumerOptions>(StringComparer.Ordinal);

    /// <summary>Source lag after which the health check reports Degraded.</summary>
    public TimeSpan UnhealthySourceSilence { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Replication settings of one source data store.</summary>
public sealed class DataStoreOptions
{
    /// <summary>The replication slot name (default <c>rejot_&lt;slug&gt;</c>).</summary>
    public string? SlotName { get; set; }

    /// <summary>The publication name (default <c>rejot_&lt;slug&gt;</c>).</summary>
    public string? PublicationName { get; set; }
}

/// <summary>Settings of one consumer schema.</summary>
public sealed class ConsumerOptions
{
    /// <summary>
    /// Where a consumer without a cursor in its destination (a new consumer) starts: at the beginning of the event
    /// store (default: it applies every stored event of the contract, including earlier backfills) or at its end (only
    /// changes stored from now on; request a backfill for it alone to bring the existing rows).
    /// </summary>
    public ConsumerStart StartFrom { get; set; } = ConsumerStart.Beginning;
}

/// <summary>Where a new consumer (no cursor yet) starts reading its contract's events.</summary>
public enum ConsumerStart
{
    /// <summary>The first event stored for the contract.</summary>
    Beginning,

    /// <summary>After the newest event stored when the consumer first starts; the cursor is stored at once.</summary>
    End,
}

/// <summary>What the engine backfills by itself at start.</summary>
public enum InitialBackfillMode
{
    /// <summary>Nothing: backfills are started through <see cref="IReJotBackfills"/> or <c>rejot backfill</c>.</summary>
    None,

    /// <summary>Every public schema read by this engine that has no events and no backfill yet (a new contract) is backfilled once.</summary>
    NewSchemas,
}
