namespace ReJot.Cli.Commands.Manifest.DataStore.Remove;

/// <summary>Removes a data store.</summary>
internal sealed class DataStoreRemoveAction(CliContext context)
{
    /// <summary>Runs the command.</summary>
    /// <param name="path">Manifest path.</param>
    /// <param name="slug">Connection slug of the store.</param>
    /// <param name="cancellationToken">Cancels the I/O.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(string path, string slug, CancellationToken cancellationToken)
    {
        var (full, manifest) = await ManifestStore.ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        if ((manifest.DataStores?.RemoveAll(d => d.ConnectionSlug == slug) ?? 0) == 0)
        {
            throw new CliException($"Data store '{slug}' not found in {path}. 'rejot manifest datastore list' shows the data stores.");
        }

        await ManifestStore.WriteAsync(full, manifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"Removed data store '{slug}'.").ConfigureAwait(false);
        var users = (manifest.PublicSchemas ?? []).Where(p => p.Source.DataStoreSlug == slug).Select(p => $"public schema '{p.Name}'")
            .Concat((manifest.ConsumerSchemas ?? []).Where(c => c.Config.DestinationDataStoreSlug == slug).Select(c => $"consumer schema '{c.Name}'"))
            .ToList();
        if (users.Count > 0)
        {
            await context.Error.WriteLineAsync($"warning: {string.Join(", ", users)} still reference data store '{slug}'; 'rejot manifest info' reports them until fixed.").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
