using System.CommandLine;
using ReJot.Cli.Commands;

namespace ReJot.Cli;

/// <summary>Entry point of the <c>rejot</c> command line, callable in-process.</summary>
internal static class CliApp
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Normal output.</param>
    /// <param name="error">Error output.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        InvokeAsync(args, new CliContext(output, error), cancellationToken);

    /// <summary>Parses and runs a command line with an explicit context (environment, working directory).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="context">Output, environment and working directory.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> InvokeAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = RootCommandFactory.Create(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // One line per problem and a pointer to help, instead of the full help text after the error.
            foreach (var parseError in parseResult.Errors)
            {
                await context.Error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }

            var commandPath = string.Join(' ', parseResult.CommandResult.Command is RootCommand
                ? ["rejot"]
                : Ancestors(parseResult.CommandResult.Command, root));
            await context.Error.WriteLineAsync($"Run '{commandPath} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> Ancestors(Command command, RootCommand root)
    {
        var path = new List<string>();
        for (Command? current = command; current is not null && current != root; current = Parent(root, current))
        {
            path.Insert(0, current.Name);
        }

        path.Insert(0, "rejot");
        return path;
    }

    private static Command? Parent(Command searchRoot, Command target)
    {
        foreach (var child in searchRoot.Subcommands)
        {
            if (child == target)
            {
                return searchRoot;
            }

            var found = Parent(child, target);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }
}
