using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.Init;

/// <summary>Creates an empty manifest (also used by <c>workspace init</c>).</summary>
internal sealed class ManifestInitAction(CliContext context)
{
    /// <summary>Creates the file.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Manifest slug.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, CancellationToken cancellationToken)
    {
        ManifestStore.RequireValidSlug(slug);
        var full = context.ResolvePath(path);
        if (File.Exists(full))
        {
            throw new CliException($"Manifest file already exists: {path}. Edit it with the 'rejot manifest' commands, or choose another path with --manifest.");
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new CliException($"Directory does not exist: {directory}. Create it first.");
        }

        await ManifestFile.CreateNewAsync(full, ManifestDocument.CreateEmpty(slug), cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Created manifest '{slug}' at {path}.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
