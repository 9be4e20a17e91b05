using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.EventStore.Add;

/// <summary>Adds an event store (one per connection).</summary>
internal sealed class EventStoreAddAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="connectionSlug">Connection slug.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string connectionSlug, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        if (!(manifest.Connections ?? []).Any(c => c.Slug == connectionSlug))
        {
            throw new CliException($"Connection '{connectionSlug}' not found in {path}. Add it first with 'rejot manifest connection add --slug {connectionSlug} …'.");
        }

        manifest.EventStores ??= [];
        if (manifest.EventStores.Any(e => e.ConnectionSlug == connectionSlug))
        {
            throw new CliException($"An event store for connection '{connectionSlug}' already exists in {path}.");
        }

        manifest.EventStores.Add(new ManifestEventStore { ConnectionSlug = connectionSlug });
        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Added event store '{connectionSlug}'.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
