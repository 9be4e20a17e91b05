namespace ReJot.Cli.Commands.Manifest.Connection.Remove;

/// <summary>Removes a connection; refuses while a store still uses it (that would leave a dangling reference).</summary>
internal sealed class ConnectionRemoveAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Connection slug.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var removed = manifest.Connections?.RemoveAll(c => c.Slug == slug) ?? 0;
        if (removed == 0)
        {
            throw new CliException($"Connection '{slug}' not found in {path}. 'rejot manifest connection list' shows the connections.");
        }

        if ((manifest.DataStores ?? []).Any(d => d.ConnectionSlug == slug))
        {
            throw new CliException($"Connection '{slug}' is used by data store '{slug}'. Remove the data store first with 'rejot manifest datastore remove {slug}'.");
        }

        if ((manifest.EventStores ?? []).Any(e => e.ConnectionSlug == slug))
        {
            throw new CliException($"Connection '{slug}' is used by event store '{slug}'. Remove the event store first with 'rejot manifest eventstore remove {slug}'.");
        }

        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Removed connection '{slug}'.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
