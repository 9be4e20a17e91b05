using System.Data.Common;
using System.Globalization;

namespace ReJot.Manifest;

/// <summary>Keyword connection strings (the Npgsql form) from manifest connection configs.</summary>
public static class ConnectionStrings
{
    /// <summary>
    /// Builds <c>Host=…;Port=…;Username=…;Password=…;Database=…</c> from a PostgreSQL config whose environment
    /// references are already resolved (see <see cref="ConnectionConfig.ResolveEnvironment(Func{string, string?}, string?)"/>).
    /// Values are quoted as needed.
    /// </summary>
    /// <param name="config">A resolved PostgreSQL config.</param>
    /// <returns>The connection string. It contains the password: never print it.</returns>
    /// <exception cref="InvalidOperationException">The config is not PostgreSQL, is incomplete, or still holds <c>${ENV}</c> references.</exception>
    public static string ToKeywordConnectionString(ConnectionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.IsPostgres)
        {
            throw new InvalidOperationException($"A '{config.ConnectionType}' connection has no PostgreSQL connection string.");
        }

        foreach (var (field, value) in new[] { ("host", config.Host), ("user", config.User), ("password", config.Password), ("database", config.Database) })
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new InvalidOperationException($"The PostgreSQL connection has no {field}.");
            }

            if (EnvironmentReferences.ContainsReference(value))
            {
                throw new InvalidOperationException($"The connection's {field} still holds an environment reference: call ResolveEnvironment first.");
            }
        }

        var builder = new DbConnectionStringBuilder
        {
            ["Host"] = config.Host,
            ["Port"] = (config.Port ?? ConnectionConfig.DefaultPostgresPort).ToString(CultureInfo.InvariantCulture),
            ["Username"] = config.User,
            ["Password"] = config.Password,
            ["Database"] = config.Database,
        };
        return builder.ConnectionString;
    }
}
