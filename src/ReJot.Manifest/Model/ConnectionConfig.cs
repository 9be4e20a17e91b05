using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>
/// Settings of a connection. <c>connectionType</c> is <c>"postgres"</c> (host, port, user, password and
/// database are then required) or <c>"in-memory"</c>.
/// </summary>
/// <remarks>
/// <see cref="Host"/>, <see cref="User"/>, <see cref="Password"/> and <see cref="Database"/> may contain
/// environment references such as <c>${ACCOUNTS_DB_PASSWORD}</c>; <see cref="ResolveEnvironment(Func{string, string?}, string?)"/>
/// substitutes them at run time. <see cref="ToString"/> never shows a literal password.
/// </remarks>
public sealed class ConnectionConfig
{
    /// <summary>The <c>connectionType</c> of a PostgreSQL connection.</summary>
    public const string PostgresType = "postgres";

    /// <summary>The <c>connectionType</c> of an in-memory connection (tests of the original tool).</summary>
    public const string InMemoryType = "in-memory";

    /// <summary>The PostgreSQL port used when a connection string names none.</summary>
    public const int DefaultPostgresPort = 5432;

    /// <summary>What is shown instead of a literal password.</summary>
    public const string PasswordMask = "****";

    /// <summary>The kind of connection: <see cref="PostgresType"/> or <see cref="InMemoryType"/>.</summary>
    [JsonPropertyName("connectionType")]
    [JsonPropertyOrder(0)]
    public required string ConnectionType { get; set; }

    /// <summary>Host name or address (PostgreSQL).</summary>
    [JsonPropertyName("host")]
    [JsonPropertyOrder(1)]
    public string? Host { get; set; }

    /// <summary>TCP port (PostgreSQL).</summary>
    [JsonPropertyName("port")]
    [JsonPropertyOrder(2)]
    public int? Port { get; set; }

    /// <summary>User name (PostgreSQL).</summary>
    [JsonPropertyName("user")]
    [JsonPropertyOrder(3)]
    public string? User { get; set; }

    /// <summary>Password (PostgreSQL), or an environment reference such as <c>${ACCOUNTS_DB_PASSWORD}</c>.</summary>
    [JsonPropertyName("password")]
    [JsonPropertyOrder(4)]
    public string? Password { get; set; }

    /// <summary>Database name (PostgreSQL).</summary>
    [JsonPropertyName("database")]
    [JsonPropertyOrder(5)]
    public string? Database { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Whether this is a PostgreSQL connection.</summary>
    [JsonIgnore]
    public bool IsPostgres => string.Equals(ConnectionType, PostgresType, StringComparison.Ordinal);

    /// <summary>Creates a PostgreSQL connection config.</summary>
    /// <param name="host">Host.</param>
    /// <param name="port">Port.</param>
    /// <param name="user">User.</param>
    /// <param name="password">Password or environment reference.</param>
    /// <param name="database">Database.</param>
    /// <returns>The config.</returns>
    public static ConnectionConfig Postgres(string host, int port, string user, string password, string database) => new()
    {
        ConnectionType = PostgresType,
        Host = host,
        Port = port,
        User = user,
        Password = password,
        Database = database,
    };

    /// <summary>
    /// Returns a copy in which every <c>${NAME}</c> reference in host, user, password and database is replaced
    /// by the value of that environment variable.
    /// </summary>
    /// <param name="getVariable">Reads an environment variable; returns null when it is not set.</param>
    /// <param name="connectionSlug">The connection's slug, named in errors.</param>
    /// <returns>The resolved copy (this instance is not changed).</returns>
    /// <exception cref="EnvironmentReferenceException">A referenced variable is not set, or a reference is malformed.</exception>
    public ConnectionConfig ResolveEnvironment(Func<string, string?> getVariable, string? connectionSlug = null)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return new ConnectionConfig
        {
            ConnectionType = ConnectionType,
            Host = EnvironmentReferences.Resolve(Host, getVariable, connectionSlug, "host"),
            Port = Port,
            User = EnvironmentReferences.Resolve(User, getVariable, connectionSlug, "user"),
            Password = EnvironmentReferences.Resolve(Password, getVariable, connectionSlug, "password"),
            Database = EnvironmentReferences.Resolve(Database, getVariable, connectionSlug, "database"),
            AdditionalProperties = AdditionalProperties is null ? null : new Dictionary<string, JsonElement>(AdditionalProperties),
        };
    }

    /// <summary>Same as <see cref="ResolveEnvironment(Func{string, string?}, string?)"/> with the process environment.</summary>
    /// <param name="connectionSlug">The connection's slug, named in errors.</param>
    /// <returns>The resolved copy.</returns>
    public ConnectionConfig ResolveEnvironment(string? connectionSlug = null) =>
        ResolveEnvironment(Environment.GetEnvironmentVariable, connectionSlug);

    /// <summary>The password as it may be shown: environment references as written, literal passwords masked.</summary>
    [JsonIgnore]
    public string? DisplayPassword => Password is null
        ? null
        : EnvironmentReferences.IsReferenceOnly(Password) ? Password : PasswordMask;

    /// <summary>
    /// A display form safe to print: <c>postgresql://user:****@host:port/database</c> for PostgreSQL (literal
    /// passwords masked, <c>${ENV}</c> references shown as written, never resolved), else the connection type.
    /// </summary>
    /// <returns>The display form.</returns>
    public override string ToString()
    {
        if (!IsPostgres)
        {
            return ConnectionType;
        }

        var port = Port?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var password = DisplayPassword is null ? string.Empty : ":" + DisplayPassword;
        return $"postgresql://{User}{password}@{Host}:{port}/{Database}";
    }
}
