using System.CommandLine;
using ReJot.Cli.Commands.Manifest.Connection;
using ReJot.Cli.Commands.Manifest.DataStore;
using ReJot.Cli.Commands.Manifest.EventStore;
using ReJot.Cli.Commands.Manifest.Info;
using ReJot.Cli.Commands.Manifest.Init;
using ReJot.Cli.Commands.Manifest.Sync;

namespace ReJot.Cli.Commands.Manifest;

/// <summary><c>rejot manifest</c>: create, inspect and edit a manifest file.</summary>
internal sealed class ManifestCommandDefinition : Command
{
    /// <summary>Creates the command group.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ManifestCommandDefinition(CliContext context)
        : base("manifest", "Create, inspect and edit a ReJot manifest (rejot-manifest.json).")
    {
        Subcommands.Add(new ManifestInitCommandDefinition(context));
        Subcommands.Add(new ManifestInfoCommandDefinition(context));
        Subcommands.Add(new ConnectionCommandDefinition(context));
        Subcommands.Add(new DataStoreCommandDefinition(context));
        Subcommands.Add(new EventStoreCommandDefinition(context));
        Subcommands.Add(new ManifestSyncCommandDefinition(context));
    }
}
