using System.CommandLine;

namespace ReJot.Cli.Commands.Workspace.Info;

/// <summary><c>rejot workspace info [--filename rejot-manifest.json]</c>.</summary>
internal sealed class WorkspaceInfoCommandDefinition : Command
{
    private readonly Option<string> _fileName = WorkspaceOptions.FileName();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public WorkspaceInfoCommandDefinition(CliContext context)
        : base("info", "Find the workspace root upward from the current directory, print its manifests and verify them together. Exits 1 on errors.")
    {
        Options.Add(_fileName);
        var action = new WorkspaceInfoAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_fileName), token));
    }
}
