using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.Connection.Update;

/// <summary>Changes an existing connection.</summary>
internal sealed class ConnectionUpdateAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Connection slug.</param>
    /// <param name="update">Turns the current config into the new one.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, Func<ConnectionConfig, ConnectionConfig> update, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var connection = (manifest.Connections ?? []).FirstOrDefault(c => c.Slug == slug)
            ?? throw new CliException($"Connection '{slug}' not found in {path}. Add it with 'rejot manifest connection add --slug {slug} …'.");
        connection.Config = update(connection.Config);
        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Updated connection '{slug}': {connection.Config}").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
