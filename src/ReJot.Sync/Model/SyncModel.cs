using ReJot.Sync.EventStore;

namespace ReJot.Sync.Model;

/// <summary>Everything the engine runs, resolved from manifests and configuration.</summary>
internal sealed record SyncModel(
    IReadOnlyList<SourceDataStore> Sources,
    IReadOnlyList<PublicSchemaModel> PublicSchemas,
    IReadOnlyList<ConsumerSchemaModel> Consumers,
    IReadOnlyDictionary<string, string> ConnectionStrings,
    string? EventStoreSlug)
{
    /// <summary>The connection string of a data store, or a clear error naming the missing setting.</summary>
    public string GetConnectionString(string slug)
        => ConnectionStrings.TryGetValue(slug, out var cs)
            ? cs
            : throw new SyncConfigurationException(
                $"No connection for data store '{slug}'. Add ConnectionStrings:{slug} to the configuration, or a connection with slug '{slug}' to a manifest.");
}

/// <summary>A replication source: a data store whose tables feed public schemas.</summary>
internal sealed record SourceDataStore(string Slug, string SlotName, string PublicationName);

/// <summary>A public schema, with its transformations.</summary>
internal sealed record PublicSchemaModel(
    PublicSchemaKey Key,
    int Minor,
    string SourceSlug,
    string OutputSchemaJson,
    IReadOnlyList<string> Keys,
    IReadOnlyList<TransformationModel> Transformations);

/// <summary>The WAL operation a transformation reacts to.</summary>
internal enum TransformOperation
{
    /// <summary>Row inserted.</summary>
    Insert,

    /// <summary>Row updated.</summary>
    Update,

    /// <summary>Row deleted (parameters come from the old row's key columns).</summary>
    Delete,
}

/// <summary>One transformation: the table and operation it reacts to and the SQL it runs.</summary>
internal sealed record TransformationModel(TransformOperation Operation, TableName Table, string Sql);

/// <summary>A schema-qualified table name (unqualified means <c>public</c>; unquoted names fold to lower case).</summary>
internal readonly record struct TableName(string Schema, string Name)
{
    /// <summary>Parses <c>table</c>, <c>schema.table</c> or quoted forms.</summary>
    public static TableName Parse(string text)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
                wasQuoted = true;
            }
            else if (c == '.')
            {
                parts.Add(wasQuoted ? current.ToString() : current.ToString().Trim().ToLowerInvariant());
                current.Clear();
                wasQuoted = false;
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(wasQuoted ? current.ToString() : current.ToString().Trim().ToLowerInvariant());
        return parts.Count switch
        {
            1 => new TableName("public", parts[0]),
            2 => new TableName(parts[0], parts[1]),
            _ => throw new SyncConfigurationException($"'{text}' is not a table name (expected 'table' or 'schema.table')."),
        };
    }

    /// <summary>The quoted, qualified SQL form.</summary>
    public string Quoted => $"{Quote(Schema)}.{Quote(Name)}";

    /// <summary>Quotes an identifier for SQL.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Name}";
}

/// <summary>A consumer schema: which public schema it reads and the SQL it runs on its destination.</summary>
internal sealed record ConsumerSchemaModel(
    string ManifestSlug,
    string Name,
    PublicSchemaKey Source,
    string DestinationSlug,
    string Sql,
    string? DeleteSql)
{
    /// <summary>A readable identity for logs and status.</summary>
    public string DisplayName => $"{ManifestSlug}/{Name}";
}

/// <summary>A configuration problem the user must fix; the message says what and how.</summary>
internal sealed class SyncConfigurationException(string message) : Exception(message);
