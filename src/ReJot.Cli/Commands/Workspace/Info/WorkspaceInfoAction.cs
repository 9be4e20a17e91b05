using ReJot.Cli.Output;
using ReJot.Manifest;

namespace ReJot.Cli.Commands.Workspace.Info;

/// <summary>Loads the workspace around the current directory and verifies it (external references are errors).</summary>
internal sealed class WorkspaceInfoAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="fileName">Manifest file name to search for.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>0 when valid, 1 on errors.</returns>
    public async Task<int> RunAsync(string fileName, CancellationToken cancellationToken)
    {
        var root = await ManifestWorkspace.FindRootAsync(context.CurrentDirectory, fileName, cancellationToken).ConfigureAwait(false)
            ?? throw new CliException($"No {fileName} found in {context.CurrentDirectory} or its parents. Create a workspace with 'rejot workspace init --slug <slug>'.");
        var workspace = await ManifestWorkspace.LoadAsync(root, cancellationToken).ConfigureAwait(false);

        await context.Output.WriteLineAsync($"Workspace root: {root}").ConfigureAwait(false);
        foreach (var entry in workspace.Manifests)
        {
            await context.Output.WriteLineAsync().ConfigureAwait(false);
            await ManifestPrinter.PrintSummaryAsync(context.Output, entry.Manifest, entry.Path).ConfigureAwait(false);
        }

        var result = workspace.Verify();
        if (result.Diagnostics.Count == 0)
        {
            await context.Output.WriteLineAsync().ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Workspace is valid ({workspace.Manifests.Count} manifest{(workspace.Manifests.Count == 1 ? string.Empty : "s")}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var writer = result.IsValid ? context.Output : context.Error;
        await writer.WriteLineAsync().ConfigureAwait(false);
        await writer.WriteLineAsync(result.IsValid ? "Workspace is valid, with warnings:" : "Workspace is invalid:").ConfigureAwait(false);
        await DiagnosticPrinter.PrintAsync(writer, result.Diagnostics).ConfigureAwait(false);
        return result.IsValid ? ExitCodes.Success : ExitCodes.Failure;
    }
}
