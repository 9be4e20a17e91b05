using System.CommandLine;
using ReJot.Cli.Commands.Backfill;
using ReJot.Cli.Commands.Collect;
using ReJot.Cli.Commands.Manifest;
using ReJot.Cli.Commands.ResetSource;
using ReJot.Cli.Commands.Workspace;

namespace ReJot.Cli.Commands;

/// <summary>Builds the <c>rejot</c> command tree: one line per top-level command.</summary>
internal static class RootCommandFactory
{
    /// <summary>Creates the root command.</summary>
    /// <param name="context">Output, environment and working directory shared by every command.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(CliContext context)
    {
        var root = new RootCommand("rejot: contract-based change data capture between services (ReJot for .NET).");
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(new ManifestCommandDefinition(context));
        root.Subcommands.Add(new WorkspaceCommandDefinition(context));
        root.Subcommands.Add(new CollectCommandDefinition(context));
        root.Subcommands.Add(new BackfillCommandDefinition(context));
        root.Subcommands.Add(new ResetSourceCommandDefinition(context));
        return root;
    }
}
