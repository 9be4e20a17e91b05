using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using ReJot.Manifest;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;

namespace ReJot.Sync.Model;

/// <summary>
/// Builds the engine's model from manifests (files, workspaces or generated fragments) and configuration:
/// connection strings by data store slug from configuration override manifest connections
/// (<c>${ENV}</c> references in manifests are resolved here, never printed).
/// </summary>
internal static partial class SyncModelBuilder
{
    public static SyncModel Build(IEnumerable<ManifestDocument> manifests, ReJotSyncOptions options, Func<string, string?> configuredConnectionString, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var connections = new Dictionary<string, ConnectionConfig>(StringComparer.Ordinal);
        var dataStores = new Dictionary<string, DataStoreConfig?>(StringComparer.Ordinal);
        string? eventStore = null;
        var publicSchemas = new List<PublicSchemaModel>();
        var consumers = new List<ConsumerSchemaModel>();
        var seen = new HashSet<PublicSchemaKey>();
        foreach (var manifest in manifests)
        {
            foreach (var connection in manifest.Connections ?? [])
            {
                connections[connection.Slug] = connection.Config;
            }

            foreach (var store in manifest.DataStores ?? [])
            {
                dataStores[store.ConnectionSlug] = store.Config;
            }

            eventStore ??= manifest.EventStores?.FirstOrDefault()?.ConnectionSlug;
            foreach (var schema in manifest.PublicSchemas ?? [])
            {
                var key = new PublicSchemaKey(manifest.Slug, schema.Name, schema.Version.Major);
                if (!seen.Add(key))
                {
                    // The same fragment can arrive twice (generated and from a file); the first one wins.
                    continue;
                }

                var transformations = schema.Config.Transformations.Select(t => new TransformationModel(
                    t.Operation switch
                    {
                        PublicSchemaTransformation.Insert => TransformOperation.Insert,
                        PublicSchemaTransformation.Update => TransformOperation.Update,
                        PublicSchemaTransformation.Delete => TransformOperation.Delete,
                        _ => throw new SyncConfigurationException($"Public schema {key}: unknown transformation operation '{t.Operation}' (expected insert, update or delete)."),
                    },
                    TableName.Parse(t.Table),
                    t.Sql)).ToList();
                publicSchemas.Add(new PublicSchemaModel(key, schema.Version.Minor, schema.Source.DataStoreSlug, schema.OutputSchema.GetRawText(), schema.Keys ?? [], transformations));
            }

            foreach (var consumer in manifest.ConsumerSchemas ?? [])
            {
                if (consumers.Any(c => c.ManifestSlug == manifest.Slug && c.Name == consumer.Name))
                {
                    continue;
                }

                consumers.Add(new ConsumerSchemaModel(
                    manifest.Slug,
                    consumer.Name,
                    new PublicSchemaKey(consumer.SourceManifestSlug, consumer.PublicSchema.Name, consumer.PublicSchema.MajorVersion),
                    consumer.Config.DestinationDataStoreSlug,
                    consumer.Config.Sql,
                    consumer.Config.DeleteSql));
            }
        }

        var sources = new List<SourceDataStore>();
        foreach (var slug in publicSchemas.Select(p => p.SourceSlug).Distinct(StringComparer.Ordinal))
        {
            options.DataStores.TryGetValue(slug, out var configured);
            dataStores.TryGetValue(slug, out var fromManifest);
            var slot = configured?.SlotName ?? fromManifest?.SlotName ?? "rejot_" + Sanitize(slug);
            var publication = configured?.PublicationName ?? fromManifest?.PublicationName ?? "rejot_" + Sanitize(slug);
            var source = new SourceDataStore(slug, slot, publication);
            ValidateReplicationNames(source);
            sources.Add(source);
        }

        var slugs = sources.Select(s => s.Slug)
            .Concat(consumers.Select(c => c.DestinationSlug))
            .Concat(options.EventStore is { } es ? [es] : eventStore is not null ? [eventStore] : [])
            .Distinct(StringComparer.Ordinal);
        var connectionStrings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var slug in slugs)
        {
            var configured = configuredConnectionString(slug);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                connectionStrings[slug] = configured;
            }
            else if (connections.TryGetValue(slug, out var config) && config.IsPostgres)
            {
                connectionStrings[slug] = ToConnectionString(config.ResolveEnvironment(environment, slug));
            }
        }

        return new SyncModel(sources, publicSchemas, consumers, connectionStrings, options.EventStore ?? eventStore);
    }

    internal static string ToConnectionString(ConnectionConfig config)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = config.Host,
            Port = config.Port ?? ConnectionConfig.DefaultPostgresPort,
            Username = config.User,
            Database = config.Database,
        };
        if (config.Password is not null)
        {
            builder.Password = config.Password;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Slot and publication names reach replication commands that cannot take parameters (<c>START_REPLICATION SLOT
    /// name</c>, <c>publication_names</c>), whatever their origin (manifest, configuration, code), so they are held to
    /// what PostgreSQL accepts unquoted: lower-case letters, digits and '_', at most 63 characters (longer names
    /// would be truncated by PostgreSQL and no longer match).
    /// </summary>
    /// <exception cref="SyncConfigurationException">A name breaks the rule.</exception>
    internal static void ValidateReplicationNames(SourceDataStore source)
    {
        foreach (var (what, name, setting) in new[] { ("slot", source.SlotName, "SlotName"), ("publication", source.PublicationName, "PublicationName") })
        {
            if (name.Length is 0 or > 63 || !ReplicationName().IsMatch(name))
            {
                var shown = name.Length > 80 ? name[..80] + "…" : name;
                throw new SyncConfigurationException(
                    $"Data store '{source.Slug}': {what} name '{shown}' is not usable: PostgreSQL {what} names here must be 1 to 63 lower-case letters, digits or '_'. "
                    + $"Set ReJot:DataStores:{source.Slug}:{setting} (or the manifest data store's {what}Name), e.g. 'rejot_{what}'.");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex ReplicationName();

    private static string Sanitize(string slug) => NonIdentifier().Replace(slug.ToLower(CultureInfo.InvariantCulture), "_");

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifier();
}
