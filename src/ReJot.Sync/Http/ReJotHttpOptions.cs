using Microsoft.Extensions.Configuration;

namespace ReJot.Sync.Http;

/// <summary>Settings of the sync HTTP API and of the client that reads other services (configuration section <c>ReJot:Http</c>).</summary>
public sealed class ReJotHttpOptions
{
    /// <summary>The configuration section: <c>ReJot:Http</c>.</summary>
    public const string SectionName = "ReJot:Http";

    /// <summary>Bearer tokens accepted by the routes (<c>ReJot:Http:Tokens:0</c>, … or one comma-separated value).</summary>
    public IList<string> Tokens { get; } = [];

    /// <summary>
    /// Whether requests need a token. Null (default): required when tokens are configured or when the service
    /// listens on an address other than loopback; in the latter case without tokens every request is refused
    /// (fail closed) until tokens are configured or this is set to false explicitly.
    /// </summary>
    public bool? RequireAuthentication { get; set; }

    /// <summary>The bearer token sent to other sync services (<c>ReJot:Http:ClientToken</c>).</summary>
    public string? ClientToken { get; set; }

    /// <summary>Per manifest slug tokens sent to other sync services (<c>ReJot:Http:ClientTokens:&lt;slug&gt;</c>); override <see cref="ClientToken"/>.</summary>
    public IDictionary<string, string> ClientTokens { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Longest long-poll a client may ask for with <c>wait</c> (milliseconds). Default 30 seconds.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads the options from <paramref name="configuration"/>'s <c>ReJot:Http</c> section.</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The options.</returns>
    public static ReJotHttpOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new ReJotHttpOptions();
        var tokens = section.GetSection(nameof(Tokens));
        var all = tokens.Value is { } single
            ? single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : tokens.GetChildren().Select(c => c.Value?.Trim()).OfType<string>();
        foreach (var token in all.Where(t => t.Length > 0))
        {
            options.Tokens.Add(token);
        }

        if (section[nameof(RequireAuthentication)] is { Length: > 0 } require)
        {
            options.RequireAuthentication = bool.TryParse(require, out var value)
                ? value
                : throw new InvalidOperationException($"{SectionName}:{nameof(RequireAuthentication)} must be true or false, not '{require}'.");
        }

        options.ClientToken = section[nameof(ClientToken)];
        foreach (var child in section.GetSection(nameof(ClientTokens)).GetChildren())
        {
            if (child.Value is { Length: > 0 } token)
            {
                options.ClientTokens[child.Key] = token;
            }
        }

        if (section[nameof(MaxWait)] is { Length: > 0 } maxWait)
        {
            options.MaxWait = TimeSpan.TryParse(maxWait, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
                ? span
                : throw new InvalidOperationException($"{SectionName}:{nameof(MaxWait)} must be a time span such as 00:00:30, not '{maxWait}'.");
        }

        return options;
    }

    /// <summary>The token to send to the sync service of <paramref name="manifestSlug"/>, if any.</summary>
    /// <param name="manifestSlug">The remote manifest's slug.</param>
    /// <returns>The token or null.</returns>
    public string? ClientTokenFor(string manifestSlug) => ClientTokens.TryGetValue(manifestSlug, out var token) ? token : ClientToken;
}
