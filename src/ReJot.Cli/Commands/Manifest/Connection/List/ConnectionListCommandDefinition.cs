using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Connection.List;

/// <summary><c>rejot manifest connection list</c>: passwords masked, environment references shown as written.</summary>
internal sealed class ConnectionListCommandDefinition : Command
{
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ConnectionListCommandDefinition(CliContext context)
        : base("list", "List the connections (passwords masked).")
    {
        Options.Add(_manifest);
        var action = new ConnectionListAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), token));
    }
}
