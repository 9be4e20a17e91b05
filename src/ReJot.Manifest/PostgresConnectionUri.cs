using System.Globalization;

namespace ReJot.Manifest;

/// <summary>
/// Parses <c>postgresql://user:password@host[:port]/database</c> (also <c>postgres://</c>) into a connection
/// config, as <c>rejot manifest connection add --connection-string</c> does. User and password may be
/// percent-encoded; the port defaults to 5432; the password is required.
/// </summary>
internal static class PostgresConnectionUri
{
    public static ConnectionConfig Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string rest;
        if (uri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            rest = uri["postgresql://".Length..];
        }
        else if (uri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            rest = uri["postgres://".Length..];
        }
        else
        {
            throw Invalid("it must start with postgresql:// or postgres://");
        }

        // The password may contain '@' or '/' when not encoded: the host part starts after the last '@'.
        var at = rest.LastIndexOf('@');
        if (at < 0)
        {
            throw Invalid("it has no user and password (expected user:password@ before the host)");
        }

        var userInfo = rest[..at];
        var hostAndPath = rest[(at + 1)..];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw Invalid("it has no password (expected user:password@host); the password may be a ${ENV_VAR} reference");
        }

        var user = Unescape(userInfo[..colon]);
        var password = Unescape(userInfo[(colon + 1)..]);
        if (user.Length == 0)
        {
            throw Invalid("the user is empty");
        }

        if (password.Length == 0)
        {
            throw Invalid("the password is empty");
        }

        var slash = hostAndPath.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw Invalid("it has no database (expected /database after the host)");
        }

        var hostPort = hostAndPath[..slash];
        var database = hostAndPath[(slash + 1)..];
        var query = database.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            throw Invalid("query parameters (?…) are not supported; give host, port, user, password and database only");
        }

        database = Unescape(database);
        if (database.Length == 0)
        {
            throw Invalid("the database is empty");
        }

        string host;
        var port = ConnectionConfig.DefaultPostgresPort;
        string? portText = null;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid("the IPv6 host has no closing ']'");
            }

            host = hostPort[1..close];
            if (close + 1 < hostPort.Length)
            {
                if (hostPort[close + 1] != ':')
                {
                    throw Invalid("expected ':port' after the IPv6 host");
                }

                portText = hostPort[(close + 2)..];
            }
        }
        else
        {
            var portColon = hostPort.LastIndexOf(':');
            host = portColon < 0 ? hostPort : hostPort[..portColon];
            portText = portColon < 0 ? null : hostPort[(portColon + 1)..];
        }

        if (host.Length == 0)
        {
            throw Invalid("the host is empty");
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw Invalid($"the port '{portText}' is not a number from 1 to 65535");
        }

        return ConnectionConfig.Postgres(host, port, user, password, database);
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    // The message never repeats the connection string: it contains a password.
    private static FormatException Invalid(string reason) =>
        new($"Invalid connection string: {reason}. Expected postgresql://user:password@host[:port]/database.");
}
