using System.CommandLine;
using ReJot.Cli.Commands.Workspace.Info;
using ReJot.Cli.Commands.Workspace.Init;

namespace ReJot.Cli.Commands.Workspace;

/// <summary><c>rejot workspace init|info</c>.</summary>
internal sealed class WorkspaceCommandDefinition : Command
{
    /// <summary>Creates the command group.</summary>
    /// <param name="context">Shared CLI context.</param>
    public WorkspaceCommandDefinition(CliContext context)
        : base("workspace", "A root manifest whose 'workspaces' list child manifests (paths relative to it), verified together.")
    {
        Subcommands.Add(new WorkspaceInitCommandDefinition(context));
        Subcommands.Add(new WorkspaceInfoCommandDefinition(context));
    }
}
