namespace ReJot.Manifest;

/// <summary>Manifest files on disk.</summary>
public static class ManifestFile
{
    /// <summary>The default manifest file name, <c>rejot-manifest.json</c>.</summary>
    public const string DefaultFileName = "rejot-manifest.json";

    /// <summary>Reads and parses a manifest file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The file is missing, unreadable or not a valid manifest.</exception>
    public static async Task<ManifestDocument> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ManifestException(
                "manifest file not found. Create it with 'rejot manifest init --slug <slug>' or point --manifest at an existing file.",
                path, innerException: exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"cannot read the manifest file: {exception.Message}", path, innerException: exception);
        }

        return ManifestSerializer.Read(json, path);
    }

    /// <summary>
    /// Writes a manifest file atomically (a temporary file beside it, then a rename), so a crash never leaves
    /// a half-written manifest.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static async Task WriteAsync(string path, ManifestDocument manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = ManifestSerializer.Write(manifest);
        var full = Path.GetFullPath(path);
        var temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, json, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ManifestException($"cannot write the manifest file: {exception.Message}", path, innerException: exception);
        }
    }

    /// <summary>
    /// Creates a new manifest file, failing when the file exists (like the original's exclusive create).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ManifestException">The file exists or cannot be written.</exception>
    public static async Task CreateNewAsync(string path, ManifestDocument manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = ManifestSerializer.Write(manifest);
        try
        {
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await using (stream.ConfigureAwait(false))
            {
                var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json);
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new ManifestException("manifest file already exists. Edit it, or choose another path with --manifest.", path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"cannot create the manifest file: {exception.Message}", path, innerException: exception);
        }
    }

    /// <summary>Searches <paramref name="startDirectory"/> and its parents for <paramref name="fileName"/>.</summary>
    /// <param name="startDirectory">Where the search starts.</param>
    /// <param name="fileName">The file name.</param>
    /// <returns>The full path of the nearest file, or null.</returns>
    public static string? FindUpward(string startDirectory, string fileName = DefaultFileName)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary file is harmless.
        }
    }
}
