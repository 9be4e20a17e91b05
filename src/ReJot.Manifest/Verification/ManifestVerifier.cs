using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReJot.Sql;

namespace ReJot.Manifest;

/// <summary>Options of <see cref="ManifestVerifier"/>.</summary>
public sealed class ManifestVerificationOptions
{
    /// <summary>
    /// When true (the default, as <c>manifest info</c> and <c>workspace info</c>), a consumer schema whose
    /// source manifest is not in the set is an error (<c>MANIFEST_NOT_FOUND</c>); when false it is only listed in
    /// <see cref="VerificationResult.ExternalReferences"/> (as <c>manifest sync</c>, which reads external
    /// manifests over HTTP).
    /// </summary>
    public bool CheckExternalReferences { get; init; } = true;
}

/// <summary>
/// Verifies one manifest or a set of manifests (a workspace): the original ReJot's checks with its diagnostic
/// type names, plus the checks it lacks (slug and replication name rules, output schemas, keys, SQL
/// placeholders). Nothing here touches a database.
/// </summary>
public static partial class ManifestVerifier
{
    private const int MaxIdentifierLength = 63;

    /// <summary>Verifies one manifest.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="path">Its file, named in diagnostics.</param>
    /// <param name="options">Options; defaults check external references.</param>
    /// <returns>The diagnostics and external references.</returns>
    public static VerificationResult Verify(ManifestDocument manifest, string? path = null, ManifestVerificationOptions? options = null) =>
        Verify([new ManifestWithPath(manifest, path)], options);

    /// <summary>Verifies a set of manifests together (cross-manifest references resolve within the set).</summary>
    /// <param name="manifests">The manifests.</param>
    /// <param name="options">Options; defaults check external references.</param>
    /// <returns>The diagnostics and external references.</returns>
    public static VerificationResult Verify(IReadOnlyList<ManifestWithPath> manifests, ManifestVerificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        options ??= new ManifestVerificationOptions();
        var diagnostics = new List<ManifestDiagnostic>();
        var externalReferences = new List<ExternalPublicSchemaReference>();

        VerifySlugs(manifests, diagnostics);
        foreach (var entry in manifests)
        {
            VerifyConnections(entry, diagnostics);
            VerifyDataStores(entry, diagnostics);
            VerifyPublicSchemas(entry, diagnostics);
        }

        VerifyPublicSchemaSources(manifests, diagnostics);
        VerifyConsumerSchemas(manifests, options, diagnostics, externalReferences);
        VerifyPublicSchemaUniqueness(manifests, diagnostics);

        return new VerificationResult(diagnostics, externalReferences);
    }

    private static void VerifySlugs(IReadOnlyList<ManifestWithPath> manifests, List<ManifestDiagnostic> diagnostics)
    {
        var seen = new Dictionary<string, ManifestWithPath>(StringComparer.Ordinal);
        foreach (var entry in manifests)
        {
            var slug = entry.Manifest.Slug;
            if (!SlugPattern().IsMatch(slug))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.InvalidSlug,
                    DiagnosticSeverity.Error,
                    $"Manifest slug '{slug}' is not valid: use lower-case letters, digits and hyphens, or '@scope/name'",
                    Location(entry, $"slug: {slug}"),
                    new("Slugs name manifests in URLs, environment variables and event records", "Rename it, e.g. 'accounts-service'")));
            }

            if (seen.TryGetValue(slug, out var previous))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.DuplicateManifestSlug,
                    DiagnosticSeverity.Error,
                    $"Manifest slug '{slug}' is already used by another manifest" + (previous.Path is null ? string.Empty : $" ({previous.Path})"),
                    Location(entry),
                    new("Each manifest must have a unique slug", "Change the slug of one of the manifests")));
            }

            seen[slug] = entry;
        }
    }

    private static void VerifyConnections(ManifestWithPath entry, List<ManifestDiagnostic> diagnostics)
    {
        var manifest = entry.Manifest;
        var connections = manifest.Connections ?? [];
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var connection in connections)
        {
            if (!types.TryAdd(connection.Slug, connection.Config.ConnectionType))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.DuplicateConnection,
                    DiagnosticSeverity.Error,
                    $"Connection '{connection.Slug}' is defined more than once",
                    Location(entry, $"connection.slug: {connection.Slug}"),
                    new("Connection slugs must be unique within a manifest", $"Use 'rejot manifest connection remove {connection.Slug}' and add it once")));
            }

            var type = connection.Config.ConnectionType;
            if (type is not ConnectionConfig.PostgresType and not ConnectionConfig.InMemoryType)
            {
                diagnostics.Add(new(
                    DiagnosticTypes.UnsupportedConnectionType,
                    DiagnosticSeverity.Error,
                    $"Connection '{connection.Slug}' has connection type '{type}', which is not supported",
                    Location(entry, $"connection.slug: {connection.Slug}"),
                    new("Supported connection types are 'postgres' and 'in-memory'")));
            }

            foreach (var (field, value) in new[] { ("host", connection.Config.Host), ("user", connection.Config.User), ("password", connection.Config.Password), ("database", connection.Config.Database) })
            {
                try
                {
                    EnvironmentReferences.Resolve(value, static _ => string.Empty, connection.Slug, field);
                }
                catch (EnvironmentReferenceException exception)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.InvalidEnvironmentReference,
                        DiagnosticSeverity.Error,
                        exception.Message,
                        Location(entry, $"connection.slug: {connection.Slug}, config.{field}"),
                        new("Environment references look like ${NAME}; write $${ for a literal '${'")));
                }
            }
        }

        var dataStores = manifest.DataStores ?? [];
        var eventStores = manifest.EventStores ?? [];
        foreach (var dataStore in dataStores)
        {
            if (!types.TryGetValue(dataStore.ConnectionSlug, out var connectionType))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.ConnectionNotFound,
                    DiagnosticSeverity.Error,
                    $"Data store references connection '{dataStore.ConnectionSlug}' which does not exist",
                    Location(entry, $"dataStore.connectionSlug: {dataStore.ConnectionSlug}"),
                    new("Add the connection to the manifest before referencing it in a data store",
                        $"Use 'rejot manifest connection add --slug {dataStore.ConnectionSlug}' to add the connection")));
            }
            else if (dataStore.Config is { } config && !string.Equals(config.ConnectionType, connectionType, StringComparison.Ordinal))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.ConnectionTypeMismatch,
                    DiagnosticSeverity.Error,
                    $"Data store config has connection type '{config.ConnectionType}' but references connection '{dataStore.ConnectionSlug}' with type '{connectionType}'",
                    Location(entry, $"dataStore.connectionSlug: {dataStore.ConnectionSlug}"),
                    new("Ensure the data store config connection type matches the referenced connection type",
                        $"Change the data store config connection type to '{connectionType}' or use a connection with matching type")));
            }
        }

        foreach (var eventStore in eventStores)
        {
            if (!types.ContainsKey(eventStore.ConnectionSlug))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.ConnectionNotFound,
                    DiagnosticSeverity.Error,
                    $"Event store references connection '{eventStore.ConnectionSlug}' which does not exist",
                    Location(entry, $"eventStore.connectionSlug: {eventStore.ConnectionSlug}"),
                    new("Add the connection to the manifest before referencing it in an event store",
                        $"Use 'rejot manifest connection add --slug {eventStore.ConnectionSlug}' to add the connection")));
            }
        }

        foreach (var connection in connections.DistinctBy(c => c.Slug, StringComparer.Ordinal))
        {
            var used = dataStores.Any(d => d.ConnectionSlug == connection.Slug) || eventStores.Any(e => e.ConnectionSlug == connection.Slug);
            if (!used)
            {
                diagnostics.Add(new(
                    DiagnosticTypes.UnusedConnection,
                    DiagnosticSeverity.Warning,
                    $"Connection '{connection.Slug}' is not used by any data store or event store",
                    Location(entry, $"connection.slug: {connection.Slug}"),
                    new("Consider removing unused connections to keep the manifest clean",
                        $"Use 'rejot manifest connection remove {connection.Slug}' to remove the connection")));
            }
        }
    }

    private static void VerifyDataStores(ManifestWithPath entry, List<ManifestDiagnostic> diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dataStore in entry.Manifest.DataStores ?? [])
        {
            if (!seen.Add(dataStore.ConnectionSlug))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.DuplicateDataStore,
                    DiagnosticSeverity.Error,
                    $"Data store for connection '{dataStore.ConnectionSlug}' is defined more than once",
                    Location(entry, $"dataStore.connectionSlug: {dataStore.ConnectionSlug}"),
                    new("A connection can back at most one data store", $"Use 'rejot manifest datastore remove {dataStore.ConnectionSlug}' and add it once")));
            }

            if (dataStore.Config is { } config && config.ConnectionType == ConnectionConfig.PostgresType)
            {
                CheckReplicationName(entry, dataStore, config.SlotName, "slotName", DiagnosticTypes.InvalidSlotName, "slot", diagnostics);
                CheckReplicationName(entry, dataStore, config.PublicationName, "publicationName", DiagnosticTypes.InvalidPublicationName, "publication", diagnostics);
            }
        }
    }

    private static void CheckReplicationName(ManifestWithPath entry, ManifestDataStore dataStore, string? name, string field, string type, string what, List<ManifestDiagnostic> diagnostics)
    {
        if (name is null)
        {
            return;
        }

        string? problem = null;
        if (!ReplicationNamePattern().IsMatch(name))
        {
            problem = $"{what} name '{name}' of data store '{dataStore.ConnectionSlug}' may contain only lower-case letters, digits and '_'";
        }
        else if (name.Length > MaxIdentifierLength)
        {
            problem = $"{what} name '{name}' of data store '{dataStore.ConnectionSlug}' is longer than PostgreSQL's {MaxIdentifierLength} characters";
        }

        if (problem is not null)
        {
            diagnostics.Add(new(
                type,
                DiagnosticSeverity.Error,
                char.ToUpperInvariant(problem[0]) + problem[1..],
                Location(entry, $"dataStore.config.{field}: {name}"),
                new($"PostgreSQL {what} names must match ^[a-z0-9_]+$ and have at most {MaxIdentifierLength} characters", $"e.g. 'rejot_{what}'")));
        }
    }

    private static void VerifyPublicSchemas(ManifestWithPath entry, List<ManifestDiagnostic> diagnostics)
    {
        var schemas = entry.Manifest.PublicSchemas ?? [];
        for (var i = 0; i < schemas.Count; i++)
        {
            var schema = schemas[i];
            var context = $"publicSchemas[{i}] (name: {schema.Name})";
            foreach (var problem in OutputSchemaChecks.Check(schema.OutputSchema))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.InvalidOutputSchema,
                    DiagnosticSeverity.Error,
                    $"Public schema '{schema.Name}' has an invalid output schema: {problem}",
                    Location(entry, context + ".outputSchema"),
                    new("outputSchema must be a JSON Schema of an object, e.g. {\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}")));
            }

            var fields = schema.GetOutputFieldNames();
            foreach (var key in schema.Keys ?? [])
            {
                if (!fields.Contains(key, StringComparer.Ordinal))
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.KeyNotInOutputSchema,
                        DiagnosticSeverity.Error,
                        $"Public schema '{schema.Name}' declares key '{key}', which is not a field of its output schema",
                        Location(entry, context + ".keys"),
                        new("Keys are output field names (JSON names) that identify an object", FieldList(fields))));
                }
            }

            var transformations = schema.Config.Transformations;
            if (transformations.Count == 0)
            {
                diagnostics.Add(new(
                    DiagnosticTypes.NoTransformationFound,
                    DiagnosticSeverity.Error,
                    $"Public schema '{schema.Name}' has no transformations",
                    Location(entry, context + ".config.transformations"),
                    new("Add at least one transformation (operation, table and SQL) so changes produce events")));
            }

            for (var j = 0; j < transformations.Count; j++)
            {
                var transformation = transformations[j];
                var where = $"publicSchemas[{i}].config.transformations[{j}]";
                if (transformation.Operation is not PublicSchemaTransformation.Insert and not PublicSchemaTransformation.Update and not PublicSchemaTransformation.Delete)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.InvalidTransformationOperation,
                        DiagnosticSeverity.Error,
                        $"Public schema '{schema.Name}' has a transformation with operation '{transformation.Operation}'",
                        Location(entry, where + ".operation"),
                        new("The operation must be 'insert', 'update' or 'delete' (write insertOrUpdate as one of each)")));
                }

                CheckSqlStyle(entry, $"Public schema '{schema.Name}' transformation for table '{transformation.Table}'", transformation.Sql, where + ".sql", diagnostics);
            }

            var hasDelete = transformations.Any(t => t.Operation == PublicSchemaTransformation.Delete);
            if (hasDelete && (schema.Keys is null || schema.Keys.Count == 0))
            {
                diagnostics.Add(new(
                    DiagnosticTypes.DeleteWithoutKeys,
                    DiagnosticSeverity.Warning,
                    $"Public schema '{schema.Name}' has a delete transformation but declares no keys",
                    Location(entry, context + ".keys"),
                    new("Delete events carry the key fields; declare them so consumers' deleteSql can be checked", "Add \"keys\": [\"id\"] (or mark the key property with [Key])")));
            }
        }
    }

    private static void VerifyPublicSchemaSources(IReadOnlyList<ManifestWithPath> manifests, List<ManifestDiagnostic> diagnostics)
    {
        foreach (var entry in manifests)
        {
            var manifest = entry.Manifest;
            var schemas = manifest.PublicSchemas ?? [];
            for (var i = 0; i < schemas.Count; i++)
            {
                var schema = schemas[i];
                var slug = schema.Source.DataStoreSlug;
                var context = $"publicSchemas[{i}].source.dataStoreSlug: {slug}";
                var store = (manifest.DataStores ?? []).FirstOrDefault(d => d.ConnectionSlug == slug);
                if (store is null)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.DataStoreNotFound,
                        DiagnosticSeverity.Error,
                        $"Public schema '{schema.Name}' references data store '{slug}' which does not exist in manifest '{manifest.Slug}'",
                        Location(entry, context),
                        new("A public schema's source must be a data store of the same manifest", $"Use 'rejot manifest datastore add --connection {slug} --publication <name> --slot <name>'")));
                }
                else if (store.Config is null)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.DataStoreMissingConfig,
                        DiagnosticSeverity.Error,
                        $"Public schema '{schema.Name}' references data store '{slug}' which does not have a configuration.",
                        Location(entry, context),
                        new("Add a configuration to the data store", $"Recreate it with 'rejot manifest datastore add --connection {slug} --publication <name> --slot <name>'")));
                }
            }
        }
    }

    private static void VerifyConsumerSchemas(
        IReadOnlyList<ManifestWithPath> manifests,
        ManifestVerificationOptions options,
        List<ManifestDiagnostic> diagnostics,
        List<ExternalPublicSchemaReference> externalReferences)
    {
        var bySlug = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);
        foreach (var entry in manifests)
        {
            bySlug.TryAdd(entry.Manifest.Slug, entry.Manifest);
        }

        var allDataStores = manifests.SelectMany(m => m.Manifest.DataStores ?? []).Select(d => d.ConnectionSlug).ToHashSet(StringComparer.Ordinal);

        foreach (var entry in manifests)
        {
            var consumers = entry.Manifest.ConsumerSchemas ?? [];
            for (var i = 0; i < consumers.Count; i++)
            {
                var consumer = consumers[i];
                var reference = consumer.PublicSchema;
                var where = $"consumerSchemas[{i}]";

                // The destination is checked whatever the source: a consumer always writes into this workspace.
                if (!allDataStores.Contains(consumer.Config.DestinationDataStoreSlug))
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.DataStoreNotFound,
                        DiagnosticSeverity.Error,
                        $"Consumer schema '{consumer.Name}' references data store '{consumer.Config.DestinationDataStoreSlug}' which does not exist in any manifest",
                        Location(entry, $"consumerSchema.destinationDataStoreSlug: {consumer.Config.DestinationDataStoreSlug}"),
                        new("Add the destination data store", $"Use 'rejot manifest datastore add --connection {consumer.Config.DestinationDataStoreSlug}'")));
                }

                if (!bySlug.TryGetValue(consumer.SourceManifestSlug, out var source))
                {
                    externalReferences.Add(new(consumer.SourceManifestSlug, reference.Name, reference.MajorVersion, entry.Manifest.Slug));
                    if (options.CheckExternalReferences)
                    {
                        diagnostics.Add(new(
                            DiagnosticTypes.ManifestNotFound,
                            DiagnosticSeverity.Error,
                            $"Consumer schema '{consumer.Name}' references manifest '{consumer.SourceManifestSlug}' which does not exist in the workspace",
                            Location(entry, $"consumerSchema.sourceManifestSlug: {consumer.SourceManifestSlug}"),
                            new("Ensure all referenced manifests are included in the workspace", "Add the manifest's path to 'workspaces' in the root manifest")));
                    }

                    CheckConsumerSql(entry, consumer, where, null, null, diagnostics);
                    continue;
                }

                var candidates = (source.PublicSchemas ?? []).Where(p => p.Name == reference.Name).ToList();
                if (candidates.Count == 0)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.PublicSchemaNotFound,
                        DiagnosticSeverity.Error,
                        $"Consumer schema references public schema '{reference.Name}' which does not exist in manifest '{consumer.SourceManifestSlug}'",
                        Location(entry, $"consumerSchema.publicSchema.name: {reference.Name}"),
                        new("Check the public schema's name", (source.PublicSchemas ?? []).Count == 0
                            ? $"Manifest '{source.Slug}' publishes no public schemas"
                            : "Available: " + string.Join(", ", source.PublicSchemas!.Select(p => p.Name).Distinct()))));
                    CheckConsumerSql(entry, consumer, where, null, null, diagnostics);
                    continue;
                }

                var matching = candidates.Where(p => p.Version.Major == reference.MajorVersion).OrderByDescending(p => p.Version.Minor).FirstOrDefault();
                if (matching is null)
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.VersionMismatch,
                        DiagnosticSeverity.Error,
                        $"Consumer schema requires version {reference.MajorVersion} of public schema '{reference.Name}', but available versions are: {string.Join(", ", candidates.Select(c => c.Version.Major.ToString(CultureInfo.InvariantCulture)))}",
                        Location(entry, $"consumerSchema.publicSchema (name: {reference.Name}, version: {reference.MajorVersion})")));
                    CheckConsumerSql(entry, consumer, where, null, null, diagnostics);
                    continue;
                }

                var hasProperties = matching.OutputSchema.ValueKind == JsonValueKind.Object && matching.OutputSchema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object;
                var fields = hasProperties ? matching.GetOutputFieldNames() : null;
                var keys = matching.Keys is { Count: > 0 } ? (IReadOnlyList<string>)matching.Keys : fields;
                CheckConsumerSql(entry, consumer, where, fields, keys, diagnostics);
            }
        }
    }

    private static void CheckConsumerSql(ManifestWithPath entry, ConsumerSchemaDefinition consumer, string where, IReadOnlyList<string>? fields, IReadOnlyList<string>? deleteFields, List<ManifestDiagnostic> diagnostics)
    {
        var analysis = CheckSqlStyle(entry, $"Consumer schema '{consumer.Name}' sql", consumer.Config.Sql, where + ".config.sql", diagnostics);
        if (analysis is not null && fields is not null)
        {
            CheckNames(entry, consumer, analysis, fields, where + ".config.sql", "sql", "fields of", diagnostics);
        }

        if (consumer.Config.DeleteSql is { } deleteSql)
        {
            var deleteAnalysis = CheckSqlStyle(entry, $"Consumer schema '{consumer.Name}' deleteSql", deleteSql, where + ".config.deleteSql", diagnostics);
            if (deleteAnalysis is not null && deleteFields is not null)
            {
                CheckNames(entry, consumer, deleteAnalysis, deleteFields, where + ".config.deleteSql", "deleteSql", ReferenceEquals(deleteFields, fields) ? "fields of" : "keys of", diagnostics);
            }
        }
    }

    private static void CheckNames(ManifestWithPath entry, ConsumerSchemaDefinition consumer, PlaceholderAnalysis analysis, IReadOnlyList<string> available, string context, string what, string relation, List<ManifestDiagnostic> diagnostics)
    {
        var invalid = analysis.NamedParameters.Where(n => !available.Contains(n, StringComparer.Ordinal)).ToList();
        if (invalid.Count == 0)
        {
            return;
        }

        var names = string.Join(", ", invalid.Select(n => ":" + n));
        diagnostics.Add(new(
            DiagnosticTypes.NamedPlaceholderNotValid,
            DiagnosticSeverity.Error,
            $"Consumer schema '{consumer.Name}' {what} uses {names}, which {(invalid.Count == 1 ? "is not one of the" : "are not")} {relation} public schema '{consumer.PublicSchema.Name}' v{consumer.PublicSchema.MajorVersion}",
            Location(entry, context),
            new("Named placeholders are bound from the event's object by field name", FieldList(available))));
    }

    private static PlaceholderAnalysis? CheckSqlStyle(ManifestWithPath entry, string owner, string sql, string context, List<ManifestDiagnostic> diagnostics)
    {
        var analysis = SqlPlaceholders.Analyze(sql);
        if (analysis.Errors.Count > 0)
        {
            var error = analysis.Errors[0];
            var position = SqlLinePosition.FromOffset(sql, error.Start);
            diagnostics.Add(new(
                DiagnosticTypes.InvalidSql,
                DiagnosticSeverity.Error,
                $"{owner} is not valid SQL at {position}: {error.Message}",
                Location(entry, context),
                new("Close the string literal, quoted identifier, comment or dollar quote")));
            return null;
        }

        if (analysis.Style == PlaceholderStyle.Mixed)
        {
            diagnostics.Add(new(
                DiagnosticTypes.MixingPositionalAndNamedPlaceholders,
                DiagnosticSeverity.Error,
                $"{owner} mixes named (:name) and positional ($n) placeholders" + (analysis.FirstMixed is { } mixed ? $" ({mixed} at {SqlLinePosition.FromOffset(sql, mixed.Start)})" : string.Empty),
                Location(entry, context),
                new("Use either :name or $1..$n placeholders, not both")));
            return null;
        }

        if (!analysis.IsPositionalSequential)
        {
            diagnostics.Add(new(
                DiagnosticTypes.PositionalPlaceholderNotSequential,
                DiagnosticSeverity.Error,
                $"{owner}: {analysis.DescribeSequenceProblem()}",
                Location(entry, context),
                new("Positional placeholders must be exactly $1..$n (repeats allowed)")));
            return null;
        }

        return analysis;
    }

    private static void VerifyPublicSchemaUniqueness(IReadOnlyList<ManifestWithPath> manifests, List<ManifestDiagnostic> diagnostics)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in manifests)
        {
            var schemas = entry.Manifest.PublicSchemas ?? [];
            for (var i = 0; i < schemas.Count; i++)
            {
                var schema = schemas[i];
                var key = $"{schema.Name}:{schema.Version}";
                if (seen.TryGetValue(key, out var previous))
                {
                    diagnostics.Add(new(
                        DiagnosticTypes.DuplicatePublicSchema,
                        DiagnosticSeverity.Error,
                        $"Public schema '{schema.Name}' version {schema.Version} already defined in manifest '{previous}'",
                        Location(entry, $"publicSchemas[{i}] (name: {schema.Name}, version: {schema.Version})"),
                        new("A public schema name and version identify one contract", "Bump the version or rename one of them")));
                }

                seen[key] = entry.Manifest.Slug;
            }
        }
    }

    private static string FieldList(IReadOnlyList<string> fields) =>
        fields.Count == 0 ? "The output schema declares no fields" : "Available: " + string.Join(", ", fields);

    private static DiagnosticLocation Location(ManifestWithPath entry, string? context = null) =>
        new(entry.Manifest.Slug, entry.Path, context);

    [GeneratedRegex(@"^(@[a-z0-9-]+/([a-z0-9-]*)|[a-z0-9-]+)$", RegexOptions.CultureInvariant)]
    internal static partial Regex SlugPattern();

    [GeneratedRegex(@"^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    internal static partial Regex ReplicationNamePattern();
}
