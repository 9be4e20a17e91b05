using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Sync;

/// <summary><c>rejot manifest sync &lt;manifests…&gt;</c>: runs the sync engine for the given manifests (workspaces resolved).</summary>
internal sealed class ManifestSyncCommandDefinition : Command
{
    private readonly Argument<string[]> _manifests = new("manifests")
    {
        Description = "Manifest files or workspace roots to sync.",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<int> _apiPort = new("--api-port")
    {
        Description = "Port of the HTTP API (/read, /status, /public-schemas, /data-store/cursors).",
        DefaultValueFactory = _ => 3000,
    };

    private readonly Option<string> _hostname = new("--hostname")
    {
        Description = "Host name or address the HTTP API listens on.",
        DefaultValueFactory = _ => "localhost",
    };

    private readonly Option<string> _resolver = new("--resolver")
    {
        Description = "How other manifests' sync services are found: localhost, env (REJOT_SYNC_SERVICE_<slug>=host:port), static or kubernetes.",
        DefaultValueFactory = _ => "localhost",
    };

    private readonly Option<string> _logLevel = new("--log-level")
    {
        Description = "Log level: user, error, warn, info, debug or trace.",
        DefaultValueFactory = _ => "info",
    };

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ManifestSyncCommandDefinition(CliContext context)
        : base("sync", "Run the sync engine for the manifests: capture changes, publish events, apply consumer schemas. Ctrl+C stops cleanly; a second Ctrl+C exits at once.")
    {
        _resolver.AcceptOnlyFromAmong("localhost", "env", "static", "kubernetes");
        _logLevel.AcceptOnlyFromAmong("user", "error", "warn", "info", "debug", "trace");
        Arguments.Add(_manifests);
        Options.Add(_apiPort);
        Options.Add(_hostname);
        Options.Add(_resolver);
        Options.Add(_logLevel);
        var action = new ManifestSyncAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(
            new ManifestSyncSettings(
                result.GetRequiredValue(_manifests),
                result.GetValue(_apiPort),
                result.GetRequiredValue(_hostname),
                result.GetRequiredValue(_resolver),
                result.GetRequiredValue(_logLevel)),
            token));
    }
}

/// <summary>The parsed arguments of <c>manifest sync</c>.</summary>
internal sealed record ManifestSyncSettings(IReadOnlyList<string> Manifests, int ApiPort, string Hostname, string Resolver, string LogLevel);
