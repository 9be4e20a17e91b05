using ReJot.Cli.Output;

namespace ReJot.Cli.Commands.Manifest.Connection.List;

/// <summary>Lists connections with masked passwords.</summary>
internal sealed class ConnectionListAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        var (_, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        await ManifestPrinter.PrintConnectionsAsync(context.Output, manifest).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
