using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace ReJot.Sync.Http;

/// <summary>Maps a manifest slug to the base URL of the sync service that publishes that manifest's public schemas.</summary>
public interface ISyncServiceResolver
{
    /// <summary>The resolver's name as selected with <c>--resolver</c> or <c>ReJot:Resolver</c>.</summary>
    string Name { get; }

    /// <summary>Returns the base URL (ending in '/') for <paramref name="manifestSlug"/>, or null when this resolver does not know it.</summary>
    /// <param name="manifestSlug">The slug of the manifest whose sync service is wanted.</param>
    /// <returns>The base URL, or null.</returns>
    Uri? TryResolve(string manifestSlug);
}

/// <summary>A manifest slug could not be resolved, or a resolver is misconfigured. The message says how to fix it.</summary>
public sealed class SyncServiceResolutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    public SyncServiceResolutionException(string message)
        : base(message)
    {
    }
}

/// <summary>Creates resolvers by name from configuration (<c>ReJot:Resolver</c>, <c>ReJot:Resolvers</c>, <c>ReJot:Kubernetes</c>).</summary>
public static class SyncServiceResolvers
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["localhost", "env", "static", "kubernetes"];

    /// <summary>
    /// Creates the resolver named <paramref name="name"/>: <c>localhost</c> (every slug on this machine's API port),
    /// <c>env</c> (<c>REJOT_SYNC_SERVICE_&lt;slug&gt;=host:port</c>), <c>static</c> (<c>ReJot:Resolvers:&lt;slug&gt;</c> = URL)
    /// or <c>kubernetes</c> (service DNS by pattern; <c>k8s</c> also accepted).
    /// </summary>
    /// <param name="name">The resolver name.</param>
    /// <param name="configuration">The configuration root (may be empty).</param>
    /// <param name="apiPort">This service's API port, used by <c>localhost</c>.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="SyncServiceResolutionException">Unknown name or invalid settings.</exception>
    public static ISyncServiceResolver Create(string name, IConfiguration configuration, int apiPort)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return name.Trim().ToLowerInvariant() switch
        {
            "localhost" => new LocalhostResolver(apiPort),
            "env" => EnvironmentResolver.FromProcess(),
            "static" or "config" => StaticResolver.FromConfiguration(configuration.GetSection("ReJot:Resolvers")),
            "kubernetes" or "k8s" => KubernetesResolver.FromConfiguration(configuration.GetSection("ReJot:Kubernetes")),
            _ => throw new SyncServiceResolutionException(
                $"Unknown resolver '{name}'. Use one of: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Resolves <paramref name="manifestSlug"/> or throws a message naming the resolver and how to configure it.</summary>
    /// <param name="resolver">The resolver.</param>
    /// <param name="manifestSlug">The manifest slug.</param>
    /// <returns>The base URL.</returns>
    public static Uri Resolve(this ISyncServiceResolver resolver, string manifestSlug)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        return resolver.TryResolve(manifestSlug) ?? throw new SyncServiceResolutionException(resolver.Name switch
        {
            "env" => $"Cannot resolve the sync service of manifest '{manifestSlug}': set {EnvironmentResolver.Prefix}{manifestSlug}=host:port (or {EnvironmentResolver.Prefix}{EnvironmentResolver.Normalize(manifestSlug)}).",
            "static" => $"Cannot resolve the sync service of manifest '{manifestSlug}': add ReJot:Resolvers:{manifestSlug} = http://host:port to the configuration.",
            _ => $"Cannot resolve the sync service of manifest '{manifestSlug}' with the '{resolver.Name}' resolver.",
        });
    }

    /// <summary>Turns <c>host:port</c>, <c>host</c> or an absolute http(s) URL into a base URL ending in '/'.</summary>
    internal static Uri? ParseAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (!value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        var text = uri.GetLeftPart(UriPartial.Path);
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}

/// <summary>Every manifest on this machine's API port (development only: one sync service).</summary>
internal sealed class LocalhostResolver(int apiPort) : ISyncServiceResolver
{
    public string Name => "localhost";

    public Uri? TryResolve(string manifestSlug) => new(string.Create(CultureInfo.InvariantCulture, $"http://localhost:{apiPort}/"));
}

/// <summary>
/// <c>REJOT_SYNC_SERVICE_&lt;slug&gt;=host:port</c> as in the original (slug verbatim), plus an upper-case variant
/// with every character other than a letter or digit replaced by '_' (<c>accounts-service</c> →
/// <c>REJOT_SYNC_SERVICE_ACCOUNTS_SERVICE</c>), because many shells and orchestrators cannot set names with '-'.
/// </summary>
internal sealed class EnvironmentResolver : ISyncServiceResolver
{
    public const string Prefix = "REJOT_SYNC_SERVICE_";
    private readonly IReadOnlyDictionary<string, string> _variables;

    public EnvironmentResolver(IReadOnlyDictionary<string, string> variables)
    {
        _variables = variables;
        foreach (var (key, value) in variables)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length && SyncServiceResolvers.ParseAddress(value) is null)
            {
                throw new SyncServiceResolutionException($"Environment variable {key}='{value}' is not host:port or an http(s) URL.");
            }
        }
    }

    public string Name => "env";

    public static EnvironmentResolver FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(Prefix, StringComparison.Ordinal) && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new EnvironmentResolver(variables);
    }

    public Uri? TryResolve(string manifestSlug)
    {
        if (_variables.TryGetValue(Prefix + manifestSlug, out var verbatim))
        {
            return SyncServiceResolvers.ParseAddress(verbatim);
        }

        return _variables.TryGetValue(Prefix + Normalize(manifestSlug), out var normalized) ? SyncServiceResolvers.ParseAddress(normalized) : null;
    }

    internal static string Normalize(string slug)
    {
        var builder = new StringBuilder(slug.Length);
        foreach (var c in slug)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }
}

/// <summary>A fixed map from slug to URL (configuration <c>ReJot:Resolvers:&lt;slug&gt;</c>).</summary>
internal sealed class StaticResolver : ISyncServiceResolver
{
    private readonly Dictionary<string, Uri> _map;

    public StaticResolver(IEnumerable<KeyValuePair<string, string?>> map)
    {
        _map = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (slug, value) in map)
        {
            _map[slug] = SyncServiceResolvers.ParseAddress(value)
                ?? throw new SyncServiceResolutionException($"ReJot:Resolvers:{slug} = '{value}' is not an http(s) URL or host:port.");
        }
    }

    public string Name => "static";

    public static StaticResolver FromConfiguration(IConfigurationSection section)
        => new(section.GetChildren().Where(c => c.Value is not null).Select(c => new KeyValuePair<string, string?>(c.Key, c.Value)));

    public Uri? TryResolve(string manifestSlug) => _map.GetValueOrDefault(manifestSlug);
}

/// <summary>
/// Kubernetes service DNS: <c>{Scheme}://{pattern}:{Port}/</c> with the pattern's <c>{slug}</c> and
/// <c>{namespace}</c> replaced (default <c>rejot-manifest-{slug}.{namespace}.svc.cluster.local</c>, as the original).
/// </summary>
internal sealed class KubernetesResolver : ISyncServiceResolver
{
    public const string DefaultPattern = "rejot-manifest-{slug}.{namespace}.svc.cluster.local";
    private const string NamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
    private readonly string _pattern;
    private readonly string _namespace;
    private readonly string _scheme;
    private readonly int? _port;

    public KubernetesResolver(string? @namespace = null, string? pattern = null, string scheme = "http", int? port = null)
    {
        _pattern = string.IsNullOrWhiteSpace(pattern) ? DefaultPattern : pattern;
        if (!_pattern.Contains("{slug}", StringComparison.Ordinal))
        {
            throw new SyncServiceResolutionException($"ReJot:Kubernetes:Pattern '{_pattern}' must contain {{slug}}.");
        }

        _namespace = string.IsNullOrWhiteSpace(@namespace) ? CurrentNamespace() : @namespace;
        _scheme = scheme is "http" or "https" ? scheme : throw new SyncServiceResolutionException($"ReJot:Kubernetes:Scheme must be http or https, not '{scheme}'.");
        _port = port is null or (> 0 and < 65536) ? port : throw new SyncServiceResolutionException($"ReJot:Kubernetes:Port {port} is not a TCP port.");
    }

    public string Name => "kubernetes";

    public static KubernetesResolver FromConfiguration(IConfigurationSection section)
    {
        int? port = null;
        if (section["Port"] is { Length: > 0 } portText)
        {
            port = int.TryParse(portText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)
                ? p
                : throw new SyncServiceResolutionException($"ReJot:Kubernetes:Port '{portText}' is not a number.");
        }

        return new KubernetesResolver(section["Namespace"], section["Pattern"], section["Scheme"] ?? "http", port);
    }

    public Uri? TryResolve(string manifestSlug)
    {
        // Service names are DNS labels: lower case letters, digits and '-'.
        var label = new string(manifestSlug.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        var host = _pattern.Replace("{slug}", label, StringComparison.Ordinal).Replace("{namespace}", _namespace, StringComparison.Ordinal);
        var port = _port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return SyncServiceResolvers.ParseAddress($"{_scheme}://{host}{port}/");
    }

    private static string CurrentNamespace()
    {
        try
        {
            return File.Exists(NamespaceFile) ? File.ReadAllText(NamespaceFile).Trim() : "default";
        }
        catch (IOException)
        {
            return "default";
        }
    }
}
