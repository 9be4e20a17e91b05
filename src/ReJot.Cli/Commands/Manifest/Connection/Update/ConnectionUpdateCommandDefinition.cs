using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Connection.Update;

/// <summary><c>rejot manifest connection update &lt;slug&gt; (--connection-string &lt;uri&gt; | [--host …] [--port …] …)</c>.</summary>
internal sealed class ConnectionUpdateCommandDefinition : Command
{
    private readonly Argument<string> _slug = new("slug") { Description = "Slug of the connection to change." };
    private readonly Option<string> _manifest = CommonOptions.Manifest();
    private readonly ConnectionOptions _connection = new();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ConnectionUpdateCommandDefinition(CliContext context)
        : base("update", "Change a connection: --connection-string replaces it; separate flags change only the fields given.")
    {
        Arguments.Add(_slug);
        _connection.AddTo(this);
        Options.Add(_manifest);
        var action = new ConnectionUpdateAction(context);
        this.SetCliAction(context, (result, token) =>
        {
            if (!_connection.HasConnectionString(result) && !_connection.HasAnyField(result))
            {
                throw new CliException("Nothing to update: give --connection-string, or at least one of --type, --host, --port, --user, --password, --database.", ExitCodes.Usage);
            }

            return action.RunAsync(
                result.GetRequiredValue(_manifest),
                result.GetRequiredValue(_slug),
                config =>
                {
                    if (_connection.HasConnectionString(result))
                    {
                        return _connection.ReadComplete(result);
                    }

                    _connection.ApplyFields(result, config);
                    return config;
                },
                token);
        });
    }
}
