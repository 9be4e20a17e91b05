using ReJot.Cli.Output;

namespace ReJot.Cli.Commands.Manifest.DataStore.List;

/// <summary>Lists data stores.</summary>
internal sealed class DataStoreListAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        var (_, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        await ManifestPrinter.PrintDataStoresAsync(context.Output, manifest).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
