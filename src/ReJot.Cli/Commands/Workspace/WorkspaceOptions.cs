using System.CommandLine;
using ReJot.Manifest;

namespace ReJot.Cli.Commands.Workspace;

/// <summary>Options of the workspace commands.</summary>
internal static class WorkspaceOptions
{
    /// <summary>Creates <c>--filename</c> (default <c>rejot-manifest.json</c>).</summary>
    /// <returns>The option.</returns>
    public static Option<string> FileName() => new("--filename")
    {
        Description = $"File name of the workspace root manifest (default {ManifestFile.DefaultFileName}).",
        DefaultValueFactory = _ => ManifestFile.DefaultFileName,
        HelpName = "name",
    };
}
