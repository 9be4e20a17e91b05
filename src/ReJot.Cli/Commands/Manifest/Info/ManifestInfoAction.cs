using ReJot.Cli.Output;
using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.Info;

/// <summary>Verifies one manifest (external references count as errors, like the original) and prints it.</summary>
internal sealed class ManifestInfoAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>0 when valid, 1 when the manifest has errors.</returns>
    public async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        var (_, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var result = ManifestVerifier.Verify(manifest, path);
        if (!result.IsValid)
        {
            await context.Error.WriteLineAsync($"Manifest '{manifest.Slug}' ({path}) is invalid:").ConfigureAwait(false);
            await DiagnosticPrinter.PrintAsync(context.Error, result.Diagnostics).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await ManifestPrinter.PrintSummaryAsync(context.Output, manifest, path).ConfigureAwait(false);
        if (result.Diagnostics.Count > 0)
        {
            await DiagnosticPrinter.PrintAsync(context.Output, result.Diagnostics).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
