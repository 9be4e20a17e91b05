using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.DataStore.Add;

/// <summary>Adds a data store on an existing connection (one per connection).</summary>
internal sealed class DataStoreAddAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="connectionSlug">Connection slug.</param>
    /// <param name="publication">Publication name, or null for a destination-only store.</param>
    /// <param name="slot">Slot name, or null for a destination-only store.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string connectionSlug, string? publication, string? slot, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var connection = (manifest.Connections ?? []).FirstOrDefault(c => c.Slug == connectionSlug)
            ?? throw new CliException($"Connection '{connectionSlug}' not found in {path}. Add it first with 'rejot manifest connection add --slug {connectionSlug} …'.");
        manifest.DataStores ??= [];
        if (manifest.DataStores.Any(d => d.ConnectionSlug == connectionSlug))
        {
            throw new CliException($"A data store for connection '{connectionSlug}' already exists in {path}. Remove it first with 'rejot manifest datastore remove {connectionSlug}' to change it.");
        }

        var store = new ManifestDataStore { ConnectionSlug = connectionSlug };
        if (publication is not null && slot is not null)
        {
            store.Config = new DataStoreConfig { ConnectionType = connection.Config.ConnectionType, SlotName = slot, PublicationName = publication };
        }

        manifest.DataStores.Add(store);
        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        var kind = store.Config is null ? "destination-only data store" : $"source data store (publication '{publication}', slot '{slot}')";
        await context.Output.WriteLineAsync($"Added {kind} '{connectionSlug}'.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
