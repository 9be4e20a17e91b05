using System.CommandLine;
using ReJot.Cli.Commands;

namespace ReJot.Cli.Tests;

public sealed class ErrorHandlingTests
{
    private static async Task<(int Code, string Error)> RunThrowingAsync(Exception exception, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error);
        var root = new RootCommand("test");
        root.Options.Add(CommonOptions.Verbose);
        var command = new Command("boom");
        command.SetCliAction(context, (_, _) => throw exception);
        root.Subcommands.Add(command);

        var code = await root.Parse(["boom", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (code, error.ToString());
    }

    [Fact]
    public async Task Unexpected_error_is_one_line_without_stack_trace()
    {
        var (code, error) = await RunThrowingAsync(new InvalidOperationException("disk on fire"));

        Assert.Equal(1, code);
        Assert.Equal("error: disk on fire\nRun again with --verbose for details.\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Verbose_shows_the_stack_trace()
    {
        var (code, error) = await RunThrowingAsync(new InvalidOperationException("disk on fire"), "--verbose");

        Assert.Equal(1, code);
        Assert.Contains("System.InvalidOperationException: disk on fire", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expected_errors_keep_their_exit_code_and_print_one_line()
    {
        var (code, error) = await RunThrowingAsync(new CliException("bad flag", ExitCodes.Usage));

        Assert.Equal(2, code);
        Assert.Equal("error: bad flag\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Unset_environment_reference_is_one_line()
    {
        var (code, error) = await RunThrowingAsync(new ReJot.Manifest.EnvironmentReferenceException("Connection 'c' password references environment variable 'X', which is not set.", "X"));

        Assert.Equal(1, code);
        Assert.Equal("error: Connection 'c' password references environment variable 'X', which is not set.\n", error.ReplaceLineEndings("\n"));
    }
}
