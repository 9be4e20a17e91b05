using System.CommandLine;

namespace ReJot.Cli.Commands.Backfill;

/// <summary>
/// <c>rejot backfill &lt;public-schema&gt; [--filter SQL] [--for-consumer name] [--manifest …]</c>: asks the running sync engine to publish
/// the existing rows of a public schema, and follows its progress; <c>rejot backfill --list</c> lists backfills.
/// </summary>
internal sealed class BackfillCommandDefinition : Command
{
    private readonly Argument<string?> _schema = new("public-schema")
    {
        Description = "The public schema: name, name@major, or manifest-slug/name@major.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _list = new("--list")
    {
        Description = "List the backfills that are requested or running and those that ended within a day, with their progress, instead of starting one.",
    };

    private readonly Option<string?> _filter = new("--filter")
    {
        Description = "SQL condition on the source table's columns; only matching rows are published (e.g. \"created_at > '2024-01-01'\").",
        HelpName = "SQL",
    };

    private readonly Option<string[]> _manifests = new("--manifest")
    {
        Description = "Manifest files or workspace roots (default ./rejot-manifest.json). Their event store connection is used.",
        HelpName = "path",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _forConsumer = new("--for-consumer")
    {
        Description = "Publish the rows for this consumer only (consumer-name or manifest-slug/consumer-name); the other consumers of the schema do not replay them.",
        HelpName = "consumer",
    };

    private readonly Option<bool> _remoteConsumer = new("--remote-consumer")
    {
        Description = "With --for-consumer: the consumer runs in another service and reads this one's /read as manifest-slug/consumer-name (not checked against the manifests).",
    };

    private readonly Option<bool> _noWait = new("--no-wait")
    {
        Description = "Request the backfill and exit without following its progress.",
    };

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public BackfillCommandDefinition(CliContext context)
        : base("backfill", "Publish the existing rows of a public schema as events, interleaved with live changes, through the running sync engine (rejot manifest sync or a host with AddReJotSync). Shows progress until it completes; Ctrl+C stops following, not the backfill.")
    {
        Arguments.Add(_schema);
        Options.Add(_filter);
        Options.Add(_forConsumer);
        Options.Add(_remoteConsumer);
        Options.Add(_manifests);
        Options.Add(_noWait);
        Options.Add(_list);
        var action = new BackfillAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(
            new BackfillSettings(
                result.GetValue(_schema),
                result.GetValue(_filter),
                result.GetValue(_manifests) is { Length: > 0 } manifests ? manifests : [ReJot.Manifest.ManifestFile.DefaultFileName],
                result.GetValue(_noWait),
                result.GetValue(_forConsumer),
                result.GetValue(_remoteConsumer),
                result.GetValue(_list)),
            token));
    }
}

/// <summary>The parsed arguments of <c>backfill</c>.</summary>
internal sealed record BackfillSettings(string? PublicSchema, string? Filter, IReadOnlyList<string> Manifests, bool NoWait, string? ForConsumer = null, bool RemoteConsumer = false, bool List = false);
