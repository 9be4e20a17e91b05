using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Connection.Add;

/// <summary><c>rejot manifest connection add --slug &lt;slug&gt; (--connection-string &lt;uri&gt; | --type postgres --host … --database …)</c>.</summary>
internal sealed class ConnectionAddCommandDefinition : Command
{
    private readonly Option<string> _slug = new("--slug") { Description = "Slug of the new connection (unique in the manifest).", Required = true };
    private readonly Option<string> _manifest = CommonOptions.Manifest();
    private readonly ConnectionOptions _connection = new();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ConnectionAddCommandDefinition(CliContext context)
        : base("add", "Add a connection, from a connection string or from separate flags.")
    {
        Options.Add(_slug);
        _connection.AddTo(this);
        Options.Add(_manifest);
        var action = new ConnectionAddAction(context);
        this.SetCliAction(context, (result, token) =>
            action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_slug), _connection.ReadComplete(result), token));
    }
}
