using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ReJot.Sync.Http;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> against the configured tokens in constant time: both sides are
/// hashed (so lengths do not leak) and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, and
/// every configured token is compared (no early exit).
/// </summary>
internal sealed class BearerTokenAuthentication
{
    private readonly byte[][] _tokenHashes;
    private readonly bool? _require;
    private bool? _listensBeyondLoopback;

    public BearerTokenAuthentication(ReJotHttpOptions options)
    {
        _tokenHashes = options.Tokens.Select(Hash).ToArray();
        _require = options.RequireAuthentication;
    }

    public bool HasTokens => _tokenHashes.Length > 0;

    /// <summary>True when <paramref name="token"/> equals one of the configured tokens.</summary>
    public bool IsValid(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        var hash = Hash(token);
        var match = false;
        foreach (var expected in _tokenHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, expected);
        }

        return match;
    }

    /// <summary>Null when the request may proceed, else the reason it is refused (401).</summary>
    public string? Check(HttpContext context)
    {
        if (!IsRequired(context))
        {
            return null;
        }

        if (!HasTokens)
        {
            return "This sync service listens beyond loopback and has no tokens configured, so every request is refused: set ReJot:Http:Tokens (and give clients ReJot:Http:ClientToken), or set ReJot:Http:RequireAuthentication=false to allow anonymous access.";
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "Missing bearer token: send 'Authorization: Bearer <token>' with a token from ReJot:Http:Tokens.";
        }

        return IsValid(header[scheme.Length..].Trim()) ? null : "Invalid bearer token.";
    }

    private bool IsRequired(HttpContext context)
    {
        if (_require is { } require)
        {
            return require;
        }

        if (HasTokens)
        {
            return true;
        }

        if (context.Connection.LocalIpAddress is { } local && !IPAddress.IsLoopback(local))
        {
            return true;
        }

        return _listensBeyondLoopback ??= ListensBeyondLoopback(context.RequestServices.GetService<IServer>());
    }

    internal static bool ListensBeyondLoopback(IServer? server)
    {
        var addresses = server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null)
        {
            return false;
        }

        foreach (var address in addresses)
        {
            var host = HostOf(address);
            if (host is "localhost")
            {
                continue;
            }

            if (!IPAddress.TryParse(host.Trim('[', ']'), out var ip) || !IPAddress.IsLoopback(ip))
            {
                // 0.0.0.0, [::], *, + and names all reach beyond this machine.
                return true;
            }
        }

        return false;
    }

    private static string HostOf(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start >= 0 ? address[(start + 3)..] : address;
        var end = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        return (end > 0 ? rest[..end] : rest).ToLowerInvariant();
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
