using System.CommandLine;
using ReJot.Cli.Commands.Manifest.Init;

namespace ReJot.Cli.Commands.Workspace.Init;

/// <summary><c>rejot workspace init --slug &lt;slug&gt; [--filename rejot-manifest.json]</c>: the root manifest in the current directory.</summary>
internal sealed class WorkspaceInitCommandDefinition : Command
{
    private readonly Option<string> _slug = new("--slug") { Description = "Slug of the workspace root manifest.", Required = true };
    private readonly Option<string> _fileName = WorkspaceOptions.FileName();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public WorkspaceInitCommandDefinition(CliContext context)
        : base("init", "Create a workspace root manifest in the current directory; list child manifests in its 'workspaces' array.")
    {
        Options.Add(_slug);
        Options.Add(_fileName);
        var action = new ManifestInitAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_fileName), result.GetRequiredValue(_slug), token));
    }
}
