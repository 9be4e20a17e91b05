namespace ReJot.Testing;

/// <summary>Options for <see cref="ThrowawayPostgres.StartAsync(ThrowawayPostgresOptions?, CancellationToken)"/>.</summary>
public sealed class ThrowawayPostgresOptions
{
    /// <summary>The default environment variable that names an existing server: <c>REJOT_POSTGRES_CONNECTION</c>.</summary>
    public const string DefaultConnectionEnvironmentVariable = "REJOT_POSTGRES_CONNECTION";

    /// <summary>
    /// Prefix of local cluster directory names and of the databases created on a shared server, so that a
    /// leftover can be traced to its owner. Letters, digits, '-' and '_' only. Default <c>rejot</c>.
    /// </summary>
    public string NamePrefix { get; set; } = "rejot";

    /// <summary>
    /// Keep PostgreSQL's crash-safe defaults (<c>fsync</c> and <c>full_page_writes</c> on).
    /// Default <see langword="false"/>: tests turn them off for speed (they only protect against an OS crash;
    /// <c>synchronous_commit</c> stays on so an immediate server stop never loses an acknowledged commit). Examples and benchmarks set it to
    /// <see langword="true"/> so their figures are honest.
    /// </summary>
    public bool Durable { get; set; }

    /// <summary>
    /// Extra server settings for local clusters (name to value, as in <c>postgresql.conf</c>, without quotes).
    /// They are applied after ours and therefore win.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Directory holding <c>initdb</c> and <c>pg_ctl</c>. When set, only this directory is used (no search of
    /// <c>pg_config</c>, PATH or <c>/usr/lib/postgresql</c>).
    /// </summary>
    public string? BinariesDirectory { get; set; }

    /// <summary>
    /// Name of the environment variable holding a connection string to an existing server (with
    /// <c>wal_level=logical</c>). <see langword="null"/> ignores the environment and always provisions a server.
    /// Default <see cref="DefaultConnectionEnvironmentVariable"/>.
    /// </summary>
    public string? ConnectionEnvironmentVariable { get; set; } = DefaultConnectionEnvironmentVariable;

    /// <summary>Try Testcontainers when no local binaries exist and a Docker engine answers. Default <see langword="true"/>.</summary>
    public bool UseTestcontainers { get; set; } = true;

    /// <summary>Docker image for the Testcontainers fallback. Default <c>postgres:15-alpine</c>.</summary>
    public string ContainerImage { get; set; } = "postgres:15-alpine";

    /// <summary>
    /// Parent directory of local clusters. Default <c>rejot-pg</c> under the system temp directory. Orphans
    /// (clusters whose owner process is gone) are reaped from this directory on every start.
    /// </summary>
    public string? RootDirectory { get; set; }

    /// <summary>Upper bound for initdb, start and stop of a local cluster. Default 60 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Test hook: the PID written as the owner into the cluster marker (default: this process).</summary>
    internal int? OwnerProcessIdOverride { get; set; }
}
