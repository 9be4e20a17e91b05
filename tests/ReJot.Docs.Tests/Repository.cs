namespace ReJot.Docs.Tests;

/// <summary>Finds the repository's files from the test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The Markdown files whose C# samples must compile: the README and the pages directly under docs/.</summary>
    public static IEnumerable<string> DocumentedFiles()
    {
        yield return "README.md";
        foreach (var page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(Root, page).Replace('\\', '/');
        }

        yield return "src/ReJot.Schemas/README.md";
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReJot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ReJot.sln not found above " + AppContext.BaseDirectory);
    }
}
