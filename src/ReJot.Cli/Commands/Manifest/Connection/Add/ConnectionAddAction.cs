using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.Connection.Add;

/// <summary>Adds a connection; the slug must be new.</summary>
internal sealed class ConnectionAddAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Connection slug.</param>
    /// <param name="config">Connection config.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, ConnectionConfig config, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        manifest.Connections ??= [];
        if (manifest.Connections.Any(c => c.Slug == slug))
        {
            throw new CliException($"Connection '{slug}' already exists in {path}. Use 'rejot manifest connection update {slug}' to change it.");
        }

        manifest.Connections.Add(new ManifestConnection { Slug = slug, Config = config });
        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Added connection '{slug}': {config}").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
