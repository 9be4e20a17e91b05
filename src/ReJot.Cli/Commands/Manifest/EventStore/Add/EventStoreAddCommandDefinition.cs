using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.EventStore.Add;

/// <summary><c>rejot manifest eventstore add --connection &lt;slug&gt;</c>.</summary>
internal sealed class EventStoreAddCommandDefinition : Command
{
    private readonly Option<string> _connection = new("--connection") { Description = "Slug of the connection the event store uses (it must exist).", Required = true };
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public EventStoreAddCommandDefinition(CliContext context)
        : base("add", "Add an event store on an existing connection.")
    {
        Options.Add(_connection);
        Options.Add(_manifest);
        var action = new EventStoreAddAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_connection), token));
    }
}
