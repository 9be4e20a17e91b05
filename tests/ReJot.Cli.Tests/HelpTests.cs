using System.CommandLine;
using ReJot.Cli.Commands;

namespace ReJot.Cli.Tests;

public sealed class HelpTests
{
    public static TheoryData<string> CommandPaths()
    {
        var root = RootCommandFactory.Create(new CliContext(TextWriter.Null, TextWriter.Null));
        var data = new TheoryData<string> { string.Empty };
        void Walk(Command command, string prefix)
        {
            foreach (var child in command.Subcommands)
            {
                var path = (prefix + " " + child.Name).Trim();
                data.Add(path);
                Walk(child, path);
            }
        }

        Walk(root, string.Empty);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Every_command_has_help(string path)
    {
        using var cli = new CliHarness();
        var args = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();

        var result = await cli.RunAsync(args);

        CliAssert.Succeeds(result);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        // The root's name is the executable's ("rejot" when installed, the test host here).
        Assert.Contains((" " + path + " ").Replace("  ", " ", StringComparison.Ordinal), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_original_commands_are_all_there()
    {
        var paths = CommandPaths().Select(row => (string)row.Data).ToHashSet();

        Assert.Superset(
            new HashSet<string>
            {
                "manifest init", "manifest info",
                "manifest connection add", "manifest connection update", "manifest connection remove", "manifest connection list",
                "manifest datastore add", "manifest datastore remove", "manifest datastore list",
                "manifest eventstore add", "manifest eventstore remove", "manifest eventstore list",
                "workspace init", "workspace info",
            },
            paths);
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error_pointing_at_help()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("manifest", "frobnicate");

        CliAssert.Fails(result, 2, "Unrecognized command or argument 'frobnicate'");
        Assert.Contains("Run 'rejot manifest --help' for usage.", result.Error, StringComparison.Ordinal);
    }
}
