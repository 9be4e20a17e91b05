using System.Text.RegularExpressions;

namespace ReJot.Docs.Tests;

/// <summary>The README's two commands keep working: CI runs the same test command, and the example project exists.</summary>
public sealed partial class ReadmeCommandTests
{
    private const string TestCommand = "dotnet test ReJot.sln -c Release";
    private const string ExampleCommand = "dotnet run --project examples/ShopJot -- --once";

    private static string Readme => File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

    [GeneratedRegex(@"`(?<command>dotnet [^`]+)`")]
    private static partial Regex InlineCommand();

    [Fact]
    public void The_readme_gives_both_commands_verbatim()
    {
        var commands = InlineCommand().Matches(Readme).Select(m => m.Groups["command"].Value).ToList();

        Assert.Contains(TestCommand, commands);
        Assert.Contains(ExampleCommand, commands);
    }

    [Fact]
    public void CI_runs_exactly_the_readme_test_command()
    {
        var ci = File.ReadAllLines(Path.Combine(Repository.Root, ".ci", "run"));
        var commands = ci.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Contains(commands, l => l.StartsWith(TestCommand + " ", StringComparison.Ordinal) || l == TestCommand);
    }

    [Fact]
    public void The_test_command_builds_a_solution_that_exists_and_lists_every_test_project()
    {
        var solution = File.ReadAllText(Path.Combine(Repository.Root, "ReJot.sln"));
        var testProjects = Directory.GetFiles(Path.Combine(Repository.Root, "tests"), "*.Tests.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('/', '\\'))
            .ToList();

        Assert.NotEmpty(testProjects);
        Assert.All(testProjects, p => Assert.Contains(p, solution, StringComparison.Ordinal));
    }

    [Fact]
    public void The_example_command_names_a_runnable_project()
    {
        var project = Regex.Match(ExampleCommand, @"--project (?<path>\S+)").Groups["path"].Value;
        var folder = Path.Combine(Repository.Root, project);

        Assert.True(Directory.Exists(folder), $"README runs '{ExampleCommand}' but {project}/ does not exist.");
        var projects = Directory.GetFiles(folder, "*.csproj");
        Assert.True(projects.Length == 1, $"dotnet run --project {project} needs exactly one project file in {project}/, found {projects.Length}.");
        Assert.Contains("<OutputType>Exe</OutputType>", File.ReadAllText(projects[0]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Relative_links_in_the_readme_and_docs_point_at_files_that_exist()
    {
        var broken = new List<string>();
        foreach (var file in Repository.DocumentedFiles().Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs", "diagnostics"), "*.md").Select(p => Path.GetRelativePath(Repository.Root, p))))
        {
            var directory = Path.GetDirectoryName(Path.Combine(Repository.Root, file))!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(Path.Combine(Repository.Root, file))))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(directory, target));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"{file}: {link.Value}");
                }
            }
        }

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
