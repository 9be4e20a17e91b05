using System.CommandLine;
using ReJot.Manifest;

namespace ReJot.Cli.Commands;

/// <summary>
/// Runs command actions with the CLI's error rules: expected failures (<see cref="CliException"/>,
/// <see cref="ManifestException"/>, <see cref="EnvironmentReferenceException"/>) print one line and exit 1;
/// anything else prints one line too, with the stack trace only under <c>--verbose</c>.
/// </summary>
internal static class CliCommand
{
    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="action"/>, wrapped in the error rules.</summary>
    /// <param name="command">The command.</param>
    /// <param name="context">Where errors go.</param>
    /// <param name="action">The behaviour; returns the exit code.</param>
    public static void SetCliAction(this Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException exception)
            {
                await context.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
                return exception.ExitCode;
            }
            catch (Exception exception) when (exception is ManifestException or EnvironmentReferenceException)
            {
                await context.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception exception)
            {
                await context.Error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
                if (parseResult.GetValue(CommonOptions.Verbose))
                {
                    await context.Error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
                }
                else
                {
                    await context.Error.WriteLineAsync("Run again with --verbose for details.").ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }
        });
    }
}
