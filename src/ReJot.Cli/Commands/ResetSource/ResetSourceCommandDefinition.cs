using System.CommandLine;

namespace ReJot.Cli.Commands.ResetSource;

/// <summary>
/// <c>rejot reset-source &lt;data-store&gt; --accept-data-loss [--manifest …]</c>: the operator's way out after a
/// source stopped because changes were lost (slot dropped, invalidated, re-created or advanced behind ReJot's back).
/// </summary>
internal sealed class ResetSourceCommandDefinition : Command
{
    private readonly Argument<string> _dataStore = new("data-store")
    {
        Description = "The source data store's slug (as in the manifest and in the source's error).",
    };

    private readonly Option<string[]> _manifests = new("--manifest")
    {
        Description = "Manifest files or workspace roots (default ./rejot-manifest.json). Their event store and source connections are used.",
        HelpName = "path",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<bool> _accept = new("--accept-data-loss")
    {
        Description = "Required: confirms that changes the slot no longer holds are given up (backfill afterwards).",
    };

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ResetSourceCommandDefinition(CliContext context)
        : base("reset-source", "Accept a gap in a source's changes after its replication slot was lost: forgets the event store's position for the data store and drops its slot, so the sync engine continues from a new slot at the current position. Then backfill the source's public schemas.")
    {
        Arguments.Add(_dataStore);
        Options.Add(_manifests);
        Options.Add(_accept);
        var action = new ResetSourceAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(
            result.GetRequiredValue(_dataStore),
            result.GetValue(_manifests) is { Length: > 0 } manifests ? manifests : [ReJot.Manifest.ManifestFile.DefaultFileName],
            result.GetValue(_accept),
            token));
    }
}
