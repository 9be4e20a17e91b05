using ReJot.Sync.Backfill;

namespace ReJot.Sync.Hosting;

/// <summary>
/// Starts and follows backfills: existing rows of a public schema's source tables published as events, interleaved
/// with the live stream (see docs/sync-engine.md, "Backfills"). Available from <c>AddReJotSync()</c> once the engine
/// has started.
/// </summary>
public interface IReJotBackfills
{
    /// <summary>
    /// Requests a backfill of a public schema read by this engine, or returns the one already requested or running
    /// for it.
    /// </summary>
    /// <param name="publicSchema">The schema's name, <c>name@major</c>, or <c>manifest-slug/name@major</c>.</param>
    /// <param name="filter">Optional SQL condition on the source table's columns; only matching rows are read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The backfill.</returns>
    Task<BackfillInfo> StartAsync(string publicSchema, string? filter = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requests a backfill of a public schema read by this engine, optionally for one consumer only (see
    /// <see cref="BackfillRequest.ForConsumer"/>), or returns the one already requested or running for the schema and
    /// that target.
    /// </summary>
    /// <param name="publicSchema">The schema's name, <c>name@major</c>, or <c>manifest-slug/name@major</c>.</param>
    /// <param name="request">The filter and the consumer the events are for.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The backfill.</returns>
    /// <exception cref="InvalidOperationException">The engine has not started, or this instance is a standby.</exception>
    Task<BackfillInfo> StartAsync(string publicSchema, BackfillRequest request, CancellationToken cancellationToken = default);

    /// <summary>A backfill by id, or null.</summary>
    /// <param name="id">The backfill id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The backfill or null.</returns>
    Task<BackfillInfo?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Every backfill recorded in the event store, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The backfills.</returns>
    Task<IReadOnlyList<BackfillInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Cancels a requested or running backfill; events already stored stay.</summary>
    /// <param name="id">The backfill id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Whether it was requested or running.</returns>
    Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default);
}

/// <summary>What a backfill reads and whom its events are for.</summary>
public sealed record BackfillRequest
{
    /// <summary>Optional SQL condition on the source table's columns; only matching rows are read.</summary>
    public string? Filter { get; init; }

    /// <summary>
    /// The one consumer the events are for, as <c>consumer-name</c> or <c>manifest-slug/consumer-name</c>; null (the
    /// default) for every consumer. The events are stored at their place in the stream like any backfill's, but only
    /// that consumer reads them: the other consumers of the contract do not replay the rows.
    /// </summary>
    public string? ForConsumer { get; init; }

    /// <summary>
    /// Whether <see cref="ForConsumer"/> may name a consumer this engine does not run: one in another service that
    /// reads this service's <c>/read</c> and identifies itself as <c>manifest-slug/consumer-name</c>. Default false:
    /// the consumer must be one of this engine's consumers of the schema.
    /// </summary>
    public bool RemoteConsumer { get; init; }
}

/// <summary>The state of a backfill.</summary>
public enum BackfillState
{
    /// <summary>Requested; the engine has not started it yet.</summary>
    Requested,

    /// <summary>Reading chunks (also while resuming after a restart).</summary>
    Running,

    /// <summary>Every row was read and its events stored.</summary>
    Completed,

    /// <summary>Stopped by an error (see <see cref="BackfillInfo.Error"/>).</summary>
    Failed,

    /// <summary>Cancelled; events stored before stay.</summary>
    Cancelled,
}

/// <summary>A backfill and its progress, as persisted in the event store.</summary>
/// <param name="Id">The backfill id.</param>
/// <param name="ManifestSlug">The manifest that publishes the schema.</param>
/// <param name="PublicSchema">The public schema name.</param>
/// <param name="Major">The public schema's major version.</param>
/// <param name="Filter">The SQL condition, or null for all rows.</param>
/// <param name="State">The state.</param>
/// <param name="RowsRead">Source rows read so far.</param>
/// <param name="EventsStored">Events stored so far (rows read minus those superseded by live changes meanwhile).</param>
/// <param name="EstimatedRows">The planner's estimate of the rows to read, at start.</param>
/// <param name="CreatedAt">When it was requested.</param>
/// <param name="StartedAt">When it first started.</param>
/// <param name="UpdatedAt">When progress was last stored.</param>
/// <param name="CompletedAt">When it ended.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="ForConsumer">The only consumer (<c>manifest-slug/consumer-name</c>) its events are for, or null for every consumer.</param>
public sealed record BackfillInfo(
    long Id,
    string ManifestSlug,
    string PublicSchema,
    int Major,
    string? Filter,
    BackfillState State,
    long RowsRead,
    long EventsStored,
    long EstimatedRows,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    string? Error,
    string? ForConsumer = null)
{
    /// <summary>Rows read per second between the first start and the last stored progress, or null.</summary>
    public double? RowsPerSecond
        => StartedAt is { } started && (CompletedAt ?? UpdatedAt) - started is { TotalSeconds: > 0 } elapsed && RowsRead > 0
            ? RowsRead / elapsed.TotalSeconds
            : null;

    /// <summary>Estimated time left at <see cref="RowsPerSecond"/>, or null.</summary>
    public TimeSpan? EstimatedRemaining
        => State == BackfillState.Running && RowsPerSecond is { } rate && rate > 0
            ? TimeSpan.FromSeconds(Math.Max(0, EstimatedRows - RowsRead) / rate)
            : null;

    internal static BackfillInfo From(BackfillRecord r) => new(
        r.Id, r.Schema.ManifestSlug, r.Schema.Name, r.Schema.Major, r.Filter,
        r.Status switch
        {
            "requested" => BackfillState.Requested,
            "running" => BackfillState.Running,
            "completed" => BackfillState.Completed,
            "failed" => BackfillState.Failed,
            _ => BackfillState.Cancelled,
        },
        r.RowsRead, r.RowsEmitted, r.RowsEstimated, r.CreatedAt, r.StartedAt, r.UpdatedAt, r.CompletedAt, r.Error, r.ForConsumer);
}
