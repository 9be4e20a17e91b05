using System.CommandLine;
using ReJot.Manifest;

namespace ReJot.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    /// <summary><c>--verbose</c> (on every command): more detail, including stack traces of unexpected errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show more detail, including the stack trace of unexpected errors.",
        Recursive = true,
    };

    /// <summary>Creates a <c>--manifest</c> option (default <c>./rejot-manifest.json</c>).</summary>
    /// <returns>The option.</returns>
    public static Option<string> Manifest() => new("--manifest")
    {
        Description = $"Path of the manifest file (default ./{ManifestFile.DefaultFileName}).",
        DefaultValueFactory = _ => ManifestFile.DefaultFileName,
        HelpName = "path",
    };
}
