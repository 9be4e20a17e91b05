using System.Text;

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
            json = await ReadTextAsync(path, path, cancellationToken).ConfigureAwait(false);
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
    /// The largest manifest read. Manifests describe schemas, not data: a real one is kilobytes (100,000 schemas are
    /// about 20 MB); the limit keeps a hostile or mistaken file (a data dump, a runaway generator) from being read
    /// into memory whole.
    /// </summary>
    internal const long MaxBytes = 32L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a manifest's text: at most <see cref="MaxBytes"/>, UTF-8 (a byte order mark is allowed) with invalid
    /// bytes reported at their line and column instead of being replaced in silence.
    /// </summary>
    /// <exception cref="ManifestException">Too large, or not UTF-8.</exception>
    internal static async Task<string> ReadTextAsync(string path, string? displayPath, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxBytes)
        {
            throw new ManifestException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the file is {length / (1024.0 * 1024.0):0.#} MB; manifests are limited to {MaxBytes / (1024 * 1024)} MB (they describe schemas, not data). Is this the right file?"),
                displayPath);
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException exception)
        {
            // The index is relative to the decoded range; count lines up to it for a position an editor can find.
            var index = start + Math.Max(0, exception.Index);
            var line = 1;
            var lineStart = start;
            for (var i = start; i < index && i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            var column = Encoding.UTF8.GetCharCount(bytes, lineStart, Math.Max(0, index - lineStart)) + 1;
            throw new ManifestException($"the file is not valid UTF-8 (byte 0x{bytes[Math.Min(index, bytes.Length - 1)]:X2} at offset {index}); save it as UTF-8.", displayPath, line, column, innerException: exception);
        }
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
