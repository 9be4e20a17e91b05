using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.EventStore.List;

/// <summary><c>rejot manifest eventstore list</c>.</summary>
internal sealed class EventStoreListCommandDefinition : Command
{
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public EventStoreListCommandDefinition(CliContext context)
        : base("list", "List the event stores.")
    {
        Options.Add(_manifest);
        var action = new EventStoreListAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), token));
    }
}
