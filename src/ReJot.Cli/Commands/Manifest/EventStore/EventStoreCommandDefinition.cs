using System.CommandLine;
using ReJot.Cli.Commands.Manifest.EventStore.Add;
using ReJot.Cli.Commands.Manifest.EventStore.List;
using ReJot.Cli.Commands.Manifest.EventStore.Remove;

namespace ReJot.Cli.Commands.Manifest.EventStore;

/// <summary><c>rejot manifest eventstore add|remove|list</c>.</summary>
internal sealed class EventStoreCommandDefinition : Command
{
    /// <summary>Creates the command group.</summary>
    /// <param name="context">Shared CLI context.</param>
    public EventStoreCommandDefinition(CliContext context)
        : base("eventstore", "Manage the manifest's event stores.")
    {
        Subcommands.Add(new EventStoreAddCommandDefinition(context));
        Subcommands.Add(new EventStoreRemoveCommandDefinition(context));
        Subcommands.Add(new EventStoreListCommandDefinition(context));
    }
}
