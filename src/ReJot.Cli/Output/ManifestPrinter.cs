using System.Globalization;
using ReJot.Manifest;

namespace ReJot.Cli.Output;

/// <summary>Human-readable listings of a manifest's parts. Passwords are always masked.</summary>
internal static class ManifestPrinter
{
    /// <summary>One line per connection: slug and masked display.</summary>
    /// <param name="writer">Where to print.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="indent">Prefix of each line.</param>
    /// <returns>A task.</returns>
    public static async Task PrintConnectionsAsync(TextWriter writer, ManifestDocument manifest, string indent = "")
    {
        var connections = manifest.Connections ?? [];
        if (connections.Count == 0)
        {
            await writer.WriteLineAsync($"{indent}No connections.").ConfigureAwait(false);
            return;
        }

        foreach (var connection in connections)
        {
            await writer.WriteLineAsync($"{indent}{connection.Slug}: {connection.Config}").ConfigureAwait(false);
        }
    }

    /// <summary>One line per data store.</summary>
    /// <param name="writer">Where to print.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="indent">Prefix of each line.</param>
    /// <returns>A task.</returns>
    public static async Task PrintDataStoresAsync(TextWriter writer, ManifestDocument manifest, string indent = "")
    {
        var stores = manifest.DataStores ?? [];
        if (stores.Count == 0)
        {
            await writer.WriteLineAsync($"{indent}No data stores.").ConfigureAwait(false);
            return;
        }

        foreach (var store in stores)
        {
            var detail = store.Config is { } config
                ? $"source ({config.ConnectionType}), publication '{config.PublicationName}', slot '{config.SlotName}'"
                : "destination only (no replication config)";
            await writer.WriteLineAsync($"{indent}{store.ConnectionSlug}: {detail}").ConfigureAwait(false);
        }
    }

    /// <summary>One line per event store.</summary>
    /// <param name="writer">Where to print.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="indent">Prefix of each line.</param>
    /// <returns>A task.</returns>
    public static async Task PrintEventStoresAsync(TextWriter writer, ManifestDocument manifest, string indent = "")
    {
        var stores = manifest.EventStores ?? [];
        if (stores.Count == 0)
        {
            await writer.WriteLineAsync($"{indent}No event stores.").ConfigureAwait(false);
            return;
        }

        foreach (var store in stores)
        {
            await writer.WriteLineAsync($"{indent}{store.ConnectionSlug}").ConfigureAwait(false);
        }
    }

    /// <summary>The whole manifest: slug, connections, stores and a schema summary.</summary>
    /// <param name="writer">Where to print.</param>
    /// <param name="manifest">The manifest.</param>
    /// <param name="path">Its file.</param>
    /// <returns>A task.</returns>
    public static async Task PrintSummaryAsync(TextWriter writer, ManifestDocument manifest, string? path)
    {
        await writer.WriteLineAsync($"Manifest '{manifest.Slug}'" + (path is null ? string.Empty : $" ({path})")).ConfigureAwait(false);
        await writer.WriteLineAsync("Connections:").ConfigureAwait(false);
        await PrintConnectionsAsync(writer, manifest, "  ").ConfigureAwait(false);
        await writer.WriteLineAsync("Data stores:").ConfigureAwait(false);
        await PrintDataStoresAsync(writer, manifest, "  ").ConfigureAwait(false);
        await writer.WriteLineAsync("Event stores:").ConfigureAwait(false);
        await PrintEventStoresAsync(writer, manifest, "  ").ConfigureAwait(false);

        await writer.WriteLineAsync("Public schemas:").ConfigureAwait(false);
        var publicSchemas = manifest.PublicSchemas ?? [];
        if (publicSchemas.Count == 0)
        {
            await writer.WriteLineAsync("  No public schemas.").ConfigureAwait(false);
        }

        foreach (var schema in publicSchemas)
        {
            var fields = string.Join(", ", schema.GetOutputFieldNames());
            var operations = string.Join(", ", schema.Config.Transformations.Select(t => $"{t.Operation} {t.Table}"));
            var keys = schema.Keys is { Count: > 0 } ? $"; keys: {string.Join(", ", schema.Keys)}" : string.Empty;
            await writer.WriteLineAsync($"  {schema.Name} v{schema.Version} from '{schema.Source.DataStoreSlug}': fields {fields}{keys}; transformations: {operations}").ConfigureAwait(false);
        }

        await writer.WriteLineAsync("Consumer schemas:").ConfigureAwait(false);
        var consumers = manifest.ConsumerSchemas ?? [];
        if (consumers.Count == 0)
        {
            await writer.WriteLineAsync("  No consumer schemas.").ConfigureAwait(false);
        }

        foreach (var consumer in consumers)
        {
            var delete = consumer.Config.DeleteSql is null ? "no deleteSql" : "with deleteSql";
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {consumer.Name}: {consumer.SourceManifestSlug}/{consumer.PublicSchema.Name} v{consumer.PublicSchema.MajorVersion} into '{consumer.Config.DestinationDataStoreSlug}' ({delete})")).ConfigureAwait(false);
        }

        if (manifest.Workspaces is { Count: > 0 } workspaces)
        {
            await writer.WriteLineAsync("Workspaces:").ConfigureAwait(false);
            foreach (var child in workspaces)
            {
                await writer.WriteLineAsync($"  {child}").ConfigureAwait(false);
            }
        }
    }
}
