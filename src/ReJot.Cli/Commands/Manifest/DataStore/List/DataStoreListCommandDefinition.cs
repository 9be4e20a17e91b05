using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.DataStore.List;

/// <summary><c>rejot manifest datastore list</c>.</summary>
internal sealed class DataStoreListCommandDefinition : Command
{
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public DataStoreListCommandDefinition(CliContext context)
        : base("list", "List the data stores.")
    {
        Options.Add(_manifest);
        var action = new DataStoreListAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), token));
    }
}
