using System.Text.Json;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace ReJot.Cli.Commands.Collect;

/// <summary>The inputs of <c>rejot collect</c>, resolved: source files to compile and assemblies to read.</summary>
internal sealed class CollectInputs
{
    private static readonly HashSet<string> s_skippedDirectories = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".git", ".vs", "node_modules" };

    /// <summary>Full paths of the C# files (ordinal order).</summary>
    public List<string> SourceFiles { get; } = [];

    /// <summary>Built assemblies whose schemas are read from metadata.</summary>
    public List<string> Assemblies { get; } = [];

    /// <summary>References beyond the framework and ReJot.Schemas (package compile assets of a project).</summary>
    public List<string> References { get; } = [];

    /// <summary>The assembly name of the compiled sources (the project's, else "collected").</summary>
    public string AssemblyName { get; private set; } = "collected";

    /// <summary>The project's <c>ReJotManifestSlug</c> property, if any.</summary>
    public string? ManifestSlug { get; private set; }

    /// <summary>Notes for <c>--verbose</c>.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Resolves the paths given on the command line.</summary>
    /// <param name="context">For the working directory.</param>
    /// <param name="inputs">The paths.</param>
    /// <returns>The inputs.</returns>
    public static CollectInputs Resolve(CliContext context, IReadOnlyList<string> inputs)
    {
        var result = new CollectInputs();
        var sources = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var path = context.ResolvePath(input);
            if (Directory.Exists(path))
            {
                AddFolder(path, sources);
            }
            else if (!File.Exists(path))
            {
                throw new CliException($"Input not found: {input}. Pass C# files or folders, a .csproj, or a built .dll.");
            }
            else if (path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
            {
                sources.Add(path);
            }
            else if (path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
            {
                result.AddProject(path, sources);
            }
            else if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                result.Assemblies.Add(path);
            }
            else
            {
                throw new CliException($"Unsupported input: {input}. Pass C# files (.cs) or folders, a project (.csproj), or a built assembly (.dll).");
            }
        }

        result.SourceFiles.AddRange(sources);
        return result;
    }

    private static void AddFolder(string folder, SortedSet<string> sources)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            sources.Add(Path.GetFullPath(file));
        }

        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            if (!s_skippedDirectories.Contains(Path.GetFileName(child)))
            {
                AddFolder(child, sources);
            }
        }
    }

    /// <summary>
    /// A project: its folder's C# files (the SDK's default globbing), its assembly name and slug property,
    /// and the compile-time assemblies of its packages from obj/project.assets.json (written by restore).
    /// </summary>
    private void AddProject(string projectPath, SortedSet<string> sources)
    {
        var directory = Path.GetDirectoryName(projectPath)!;
        AddFolder(directory, sources);
        XDocument project;
        try
        {
            project = XDocument.Load(projectPath);
        }
        catch (System.Xml.XmlException e)
        {
            throw new CliException($"Cannot read {projectPath}: {e.Message}");
        }

        string? Property(string name) => project.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() is { Length: > 0 } value ? value : null;
        AssemblyName = Property("AssemblyName") ?? Path.GetFileNameWithoutExtension(projectPath);
        ManifestSlug = Property("ReJotManifestSlug");

        var assets = Path.Combine(directory, "obj", "project.assets.json");
        if (!File.Exists(assets))
        {
            Notes.Add($"{Path.GetFileName(projectPath)} has no obj/project.assets.json (run 'dotnet restore' so package references resolve); compiling against the framework and ReJot.Schemas only.");
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(assets));
        var root = document.RootElement;
        var folders = root.TryGetProperty("packageFolders", out var packageFolders)
            ? packageFolders.EnumerateObject().Select(p => p.Name).ToList()
            : [];
        if (!root.TryGetProperty("targets", out var targets) || !root.TryGetProperty("libraries", out var libraries))
        {
            return;
        }

        // The first target framework: schemas compile the same in each.
        var target = targets.EnumerateObject().FirstOrDefault();
        if (target.Value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var package in target.Value.EnumerateObject())
        {
            if (!package.Value.TryGetProperty("type", out var type) || type.GetString() != "package"
                || !package.Value.TryGetProperty("compile", out var compile)
                || !libraries.TryGetProperty(package.Name, out var library)
                || !library.TryGetProperty("path", out var libraryPath))
            {
                continue;
            }

            foreach (var asset in compile.EnumerateObject())
            {
                if (asset.Name.EndsWith("/_._", StringComparison.Ordinal))
                {
                    continue;
                }

                var file = folders.Select(f => Path.Combine(f, libraryPath.GetString()!, asset.Name)).FirstOrDefault(File.Exists);
                if (file is not null && !Path.GetFileName(file).Equals("ReJot.Schemas.dll", StringComparison.OrdinalIgnoreCase))
                {
                    References.Add(file);
                }
            }
        }
    }

    /// <summary>The reference set: the running .NET's framework assemblies, ReJot.Schemas, and the extra references.</summary>
    /// <returns>The references.</returns>
    public List<MetadataReference> MetadataReferences()
    {
        var references = new List<MetadataReference>();
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var file in Directory.EnumerateFiles(runtimeDirectory, "*.dll").Order(StringComparer.Ordinal))
        {
            if (IsManagedAssembly(file))
            {
                references.Add(MetadataReference.CreateFromFile(file));
            }
        }

        references.Add(MetadataReference.CreateFromFile(typeof(ReJot.Schemas.PublicSchemaAttribute).Assembly.Location));
        references.AddRange(References.Select(r => MetadataReference.CreateFromFile(r)));
        return references;
    }

    private static bool IsManagedAssembly(string file)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(file);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
