namespace ReJot.Cli.Commands.Manifest.EventStore.Remove;

/// <summary>Removes an event store.</summary>
internal sealed class EventStoreRemoveAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Connection slug of the event store.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        if ((manifest.EventStores?.RemoveAll(e => e.ConnectionSlug == slug) ?? 0) == 0)
        {
            throw new CliException($"Event store '{slug}' not found in {path}. 'rejot manifest eventstore list' shows the event stores.");
        }

        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Removed event store '{slug}'.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
