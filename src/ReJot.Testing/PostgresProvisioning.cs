namespace ReJot.Testing;

/// <summary>How a <see cref="ThrowawayPostgres"/> obtained its server.</summary>
public enum PostgresProvisioning
{
    /// <summary>An existing server named by a connection string in an environment variable (default <c>REJOT_POSTGRES_CONNECTION</c>).</summary>
    Environment,

    /// <summary>A throwaway cluster created with the PostgreSQL binaries on this machine (<c>initdb</c> + <c>pg_ctl</c>).</summary>
    LocalCluster,

    /// <summary>A PostgreSQL container started through Testcontainers on a Docker engine.</summary>
    Testcontainers,
}
