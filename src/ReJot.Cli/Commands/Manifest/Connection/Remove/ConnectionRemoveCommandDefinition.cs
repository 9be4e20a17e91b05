using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Connection.Remove;

/// <summary><c>rejot manifest connection remove &lt;slug&gt;</c>.</summary>
internal sealed class ConnectionRemoveCommandDefinition : Command
{
    private readonly Argument<string> _slug = new("slug") { Description = "Slug of the connection to remove." };
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ConnectionRemoveCommandDefinition(CliContext context)
        : base("remove", "Remove a connection that no data store or event store uses.")
    {
        Arguments.Add(_slug);
        Options.Add(_manifest);
        var action = new ConnectionRemoveAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_slug), token));
    }
}
