using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.EventStore.Remove;

/// <summary><c>rejot manifest eventstore remove &lt;connectionSlug&gt;</c>.</summary>
internal sealed class EventStoreRemoveCommandDefinition : Command
{
    private readonly Argument<string> _slug = new("connectionSlug") { Description = "Connection slug of the event store to remove." };
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public EventStoreRemoveCommandDefinition(CliContext context)
        : base("remove", "Remove an event store.")
    {
        Arguments.Add(_slug);
        Options.Add(_manifest);
        var action = new EventStoreRemoveAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_slug), token));
    }
}
