using System.CommandLine;
using ReJot.Cli.Commands.Manifest.DataStore.Add;
using ReJot.Cli.Commands.Manifest.DataStore.List;
using ReJot.Cli.Commands.Manifest.DataStore.Remove;

namespace ReJot.Cli.Commands.Manifest.DataStore;

/// <summary><c>rejot manifest datastore add|remove|list</c>.</summary>
internal sealed class DataStoreCommandDefinition : Command
{
    /// <summary>Creates the command group.</summary>
    /// <param name="context">Shared CLI context.</param>
    public DataStoreCommandDefinition(CliContext context)
        : base("datastore", "Manage the manifest's data stores (replication sources and destinations).")
    {
        Subcommands.Add(new DataStoreAddCommandDefinition(context));
        Subcommands.Add(new DataStoreRemoveCommandDefinition(context));
        Subcommands.Add(new DataStoreListCommandDefinition(context));
    }
}
