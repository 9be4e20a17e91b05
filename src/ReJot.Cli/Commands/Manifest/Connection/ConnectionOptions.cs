using System.CommandLine;
using System.CommandLine.Parsing;
using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.Connection;

/// <summary>
/// The connection flags shared by <c>add</c> and <c>update</c>: <c>--connection-string</c>, or
/// <c>--type postgres --host --port --user --password --database</c> (the two forms are exclusive).
/// </summary>
internal sealed class ConnectionOptions
{
    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = "postgresql://user:password@host[:port]/database (also postgres://). Port defaults to 5432. The password may be a ${ENV_VAR} reference.",
        HelpName = "uri",
    };

    public Option<string?> Type { get; } = new Option<string?>("--type")
    {
        Description = "Connection type (only 'postgres').",
    }.AcceptOnlyFromAmong(ConnectionConfig.PostgresType);

    public Option<string?> Host { get; } = new("--host") { Description = "Database host." };

    public Option<int?> Port { get; } = new("--port") { Description = "Database port (default 5432)." };

    public Option<string?> User { get; } = new("--user") { Description = "Database user." };

    public Option<string?> Password { get; } = new("--password")
    {
        Description = "Database password, or an environment reference such as '${ACCOUNTS_DB_PASSWORD}' (quote it in the shell) resolved at run time.",
    };

    public Option<string?> Database { get; } = new("--database") { Description = "Database name." };

    private IEnumerable<Option> FieldOptions => [Type, Host, Port, User, Password, Database];

    public void AddTo(Command command)
    {
        command.Options.Add(ConnectionString);
        foreach (var option in FieldOptions)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.GetResult(ConnectionString) is not null)
            {
                var mixed = FieldOptions.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
                if (mixed.Count > 0)
                {
                    result.AddError($"--connection-string cannot be combined with {string.Join(", ", mixed)}: give either the connection string or the separate flags.");
                }
            }
        });
    }

    /// <summary>Whether the connection-string form was used.</summary>
    public bool HasConnectionString(ParseResult result) => result.GetValue(ConnectionString) is not null;

    /// <summary>Whether any separate flag was given.</summary>
    public bool HasAnyField(ParseResult result) => FieldOptions.Any(o => result.GetResult(o) is not null);

    /// <summary>A complete config from either form (add, or a full replacement on update).</summary>
    public ConnectionConfig ReadComplete(ParseResult result)
    {
        if (result.GetValue(ConnectionString) is { } uri)
        {
            return ParseUri(uri);
        }

        var missing = new List<string>();
        if (result.GetValue(Type) is null)
        {
            missing.Add("--type postgres");
        }

        var host = Require(result, Host, missing);
        var user = Require(result, User, missing);
        var password = Require(result, Password, missing);
        var database = Require(result, Database, missing);
        if (missing.Count > 0)
        {
            throw new CliException($"Missing {string.Join(", ", missing)}. Give --connection-string postgresql://user:password@host[:port]/database, or all of --type postgres --host --user --password --database (--port defaults to 5432).", ExitCodes.Usage);
        }

        return ConnectionConfig.Postgres(host!, result.GetValue(Port) ?? ConnectionConfig.DefaultPostgresPort, user!, password!, database!);
    }

    /// <summary>Applies the given separate flags to <paramref name="config"/> (partial update).</summary>
    public void ApplyFields(ParseResult result, ConnectionConfig config)
    {
        if (result.GetValue(Type) is { } type)
        {
            config.ConnectionType = type;
        }

        config.Host = result.GetValue(Host) ?? config.Host;
        config.Port = result.GetValue(Port) ?? config.Port;
        config.User = result.GetValue(User) ?? config.User;
        config.Password = result.GetValue(Password) ?? config.Password;
        config.Database = result.GetValue(Database) ?? config.Database;
        if (config.IsPostgres)
        {
            config.Port ??= ConnectionConfig.DefaultPostgresPort;
            var missing = new[] { ("--host", config.Host), ("--user", config.User), ("--password", config.Password), ("--database", config.Database) }
                .Where(f => string.IsNullOrEmpty(f.Item2)).Select(f => f.Item1).ToList();
            if (missing.Count > 0)
            {
                throw new CliException($"A postgres connection needs {string.Join(", ", missing)} as well.", ExitCodes.Usage);
            }
        }
    }

    private static ConnectionConfig ParseUri(string uri)
    {
        try
        {
            return PostgresConnectionUri.Parse(uri);
        }
        catch (FormatException exception)
        {
            throw new CliException(exception.Message, ExitCodes.Usage);
        }
    }

    private static string? Require(ParseResult result, Option<string?> option, List<string> missing)
    {
        var value = result.GetValue(option);
        if (string.IsNullOrEmpty(value))
        {
            missing.Add(option.Name);
        }

        return value;
    }
}
