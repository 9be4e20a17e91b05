using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.DataStore.Remove;

/// <summary><c>rejot manifest datastore remove &lt;connectionSlug&gt;</c>.</summary>
internal sealed class DataStoreRemoveCommandDefinition : Command
{
    private readonly Argument<string> _slug = new("connectionSlug") { Description = "Connection slug of the data store to remove." };
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public DataStoreRemoveCommandDefinition(CliContext context)
        : base("remove", "Remove a data store.")
    {
        Arguments.Add(_slug);
        Options.Add(_manifest);
        var action = new DataStoreRemoveAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_slug), token));
    }
}
