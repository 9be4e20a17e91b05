using ReJot.Manifest;

namespace ReJot.Cli.Commands;

/// <summary>Reading and writing the manifest a command works on.</summary>
internal static class ManifestStore
{
    /// <summary>Reads the manifest at <paramref name="path"/> (relative to the working directory).</summary>
    /// <param name="context">CLI context.</param>
    /// <param name="path">The path as given on the command line.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The full path and the manifest.</returns>
    public static async Task<(string FullPath, ManifestDocument Manifest)> ReadAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        var full = context.ResolvePath(path);
        if (!File.Exists(full))
        {
            throw new CliException($"Manifest file not found: {path}. Create one with 'rejot manifest init --slug <slug>', or pass --manifest <path>.");
        }

        return (full, await ManifestFile.ReadAsync(full, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Writes the manifest back, keeping everything the command did not change.</summary>
    /// <param name="fullPath">The file.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static Task WriteAsync(string fullPath, ManifestDocument manifest, CancellationToken cancellationToken) =>
        ManifestFile.WriteAsync(fullPath, manifest, cancellationToken);

    /// <summary>Checks a manifest slug against the original's rule.</summary>
    /// <param name="slug">The slug.</param>
    public static void RequireValidSlug(string slug)
    {
        if (!ManifestVerifier.SlugPattern().IsMatch(slug))
        {
            throw new CliException($"Invalid slug '{slug}': use lower-case letters, digits and hyphens (e.g. 'accounts-service'), or '@scope/name'.");
        }
    }
}
