namespace ReJot.Manifest;

/// <summary>
/// A workspace: a root manifest and the manifests its <c>workspaces</c> entries name (paths relative to the
/// file that lists them; children may list their own). Missing files, unreadable files and cycles are reported
/// as diagnostics instead of being skipped silently.
/// </summary>
public sealed class ManifestWorkspace
{
    private ManifestWorkspace(IReadOnlyList<ManifestWithPath> manifests, IReadOnlyList<ManifestDiagnostic> problems)
    {
        Manifests = manifests;
        Problems = problems;
    }

    /// <summary>The root manifest.</summary>
    public ManifestWithPath Root => Manifests[0];

    /// <summary>All manifests, the root first, then children in the order they are listed (depth first).</summary>
    public IReadOnlyList<ManifestWithPath> Manifests { get; }

    /// <summary>Problems met while loading: missing, unreadable or cyclic workspace entries (all errors).</summary>
    public IReadOnlyList<ManifestDiagnostic> Problems { get; }

    /// <summary>Loads the workspace rooted at <paramref name="rootPath"/>.</summary>
    /// <param name="rootPath">The root manifest file.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The workspace.</returns>
    /// <exception cref="ManifestException">The root manifest cannot be read.</exception>
    public static async Task<ManifestWorkspace> LoadAsync(string rootPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootPath);
        var rootFull = Path.GetFullPath(rootPath);
        var root = await ManifestFile.ReadAsync(rootPath, cancellationToken).ConfigureAwait(false);
        var manifests = new List<ManifestWithPath>();
        var problems = new List<ManifestDiagnostic>();
        var loaded = new HashSet<string>(PathComparer);

        // Children are shown the way the root was given: absolute stays absolute, relative stays relative to the same base.
        var rootDirectory = Path.GetDirectoryName(rootFull)!;
        Func<string, string> display = Path.IsPathRooted(rootPath)
            ? full => full
            : full => Path.Combine(Path.GetDirectoryName(rootPath) ?? string.Empty, Path.GetRelativePath(rootDirectory, full));
        await AddAsync(new ManifestWithPath(root, rootPath), rootFull, display, [], manifests, problems, loaded, cancellationToken).ConfigureAwait(false);
        return new ManifestWorkspace(manifests, problems);
    }

    /// <summary>
    /// Finds the workspace root for <paramref name="startDirectory"/>: the nearest <paramref name="fileName"/>
    /// upward, or an outer one whose workspace includes it.
    /// </summary>
    /// <param name="startDirectory">Where the search starts.</param>
    /// <param name="fileName">The manifest file name.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The root's full path, or null when no file is found.</returns>
    public static async Task<string?> FindRootAsync(string startDirectory, string fileName = ManifestFile.DefaultFileName, CancellationToken cancellationToken = default)
    {
        var nearest = ManifestFile.FindUpward(startDirectory, fileName);
        if (nearest is null)
        {
            return null;
        }

        var candidates = new List<string>();
        for (var directory = Directory.GetParent(Path.GetDirectoryName(nearest)!); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, fileName);
            if (File.Exists(candidate))
            {
                candidates.Add(candidate);
            }
        }

        // Outermost first: the widest workspace that contains the nearest manifest is the root.
        for (var i = candidates.Count - 1; i >= 0; i--)
        {
            try
            {
                var workspace = await LoadAsync(candidates[i], cancellationToken).ConfigureAwait(false);
                if (workspace.Manifests.Any(m => PathComparer.Equals(Path.GetFullPath(m.Path!), nearest)))
                {
                    return candidates[i];
                }
            }
            catch (ManifestException)
            {
                // An unreadable outer manifest is not this workspace's root.
            }
        }

        return nearest;
    }

    private static StringComparer PathComparer => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static async Task AddAsync(
        ManifestWithPath entry,
        string fullPath,
        Func<string, string> display,
        List<string> chain,
        List<ManifestWithPath> manifests,
        List<ManifestDiagnostic> problems,
        HashSet<string> loaded,
        CancellationToken cancellationToken)
    {
        manifests.Add(entry);
        loaded.Add(fullPath);
        chain.Add(fullPath);
        var children = entry.Manifest.Workspaces ?? [];
        var directory = Path.GetDirectoryName(fullPath)!;
        for (var i = 0; i < children.Count; i++)
        {
            var relative = children[i];
            var childFull = Path.GetFullPath(Path.Combine(directory, relative));
            var displayPath = display(childFull);
            var location = new DiagnosticLocation(entry.Manifest.Slug, entry.Path, $"workspaces[{i}]: {relative}");
            if (chain.Contains(childFull, PathComparer))
            {
                problems.Add(new(
                    DiagnosticTypes.WorkspaceCycle,
                    DiagnosticSeverity.Error,
                    $"Workspace entry '{relative}' leads back to {childFull}, which already includes this manifest",
                    location,
                    new("Workspaces form a tree: a manifest cannot list itself or one of its parents", $"Remove '{relative}' from 'workspaces'")));
                continue;
            }

            if (loaded.Contains(childFull))
            {
                // Listed twice (e.g. by two parents): load it once, it is still one manifest.
                continue;
            }

            if (!File.Exists(childFull))
            {
                problems.Add(new(
                    DiagnosticTypes.WorkspaceManifestNotFound,
                    DiagnosticSeverity.Error,
                    $"Workspace entry '{relative}' does not exist (looked for {childFull})",
                    location,
                    new("Workspace paths are relative to the manifest that lists them", $"Fix the path or remove '{relative}' from 'workspaces'")));
                continue;
            }

            ManifestDocument child;
            try
            {
                // Read by full path (the process's working directory may differ), report by display path.
                child = ManifestSerializer.Read(await ManifestFile.ReadTextAsync(childFull, displayPath, cancellationToken).ConfigureAwait(false), displayPath);
            }
            catch (Exception exception) when (exception is ManifestException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new(
                    DiagnosticTypes.WorkspaceManifestInvalid,
                    DiagnosticSeverity.Error,
                    $"Workspace entry '{relative}' is not a readable manifest: {exception.Message}",
                    location,
                    new("Fix the child manifest; 'rejot manifest info --manifest <path>' shows its problems")));
                continue;
            }

            await AddAsync(new ManifestWithPath(child, displayPath), childFull, display, chain, manifests, problems, loaded, cancellationToken).ConfigureAwait(false);
        }

        chain.RemoveAt(chain.Count - 1);
    }

    /// <summary>Verifies the workspace: loading problems first, then <see cref="ManifestVerifier"/> over all manifests.</summary>
    /// <param name="options">Verification options.</param>
    /// <returns>The combined result.</returns>
    public VerificationResult Verify(ManifestVerificationOptions? options = null)
    {
        var result = ManifestVerifier.Verify(Manifests, options);
        return new VerificationResult([.. Problems, .. result.Diagnostics], result.ExternalReferences);
    }
}
