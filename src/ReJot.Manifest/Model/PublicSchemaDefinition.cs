using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>A public schema (a contract) published from a source data store (<c>publicSchemas[]</c>).</summary>
public sealed class PublicSchemaDefinition
{
    /// <summary>Name of the public schema, unique per major version in a workspace.</summary>
    [JsonPropertyName("name")]
    [JsonPropertyOrder(0)]
    public required string Name { get; set; }

    /// <summary>Where the data comes from.</summary>
    [JsonPropertyName("source")]
    [JsonPropertyOrder(1)]
    public required PublicSchemaSource Source { get; set; }

    /// <summary>JSON Schema of the published objects, kept verbatim.</summary>
    [JsonPropertyName("outputSchema")]
    [JsonPropertyOrder(2)]
    public required JsonElement OutputSchema { get; set; }

    /// <summary>
    /// Addition of ReJot for .NET: the output fields (JSON names) that identify an object; delete events carry
    /// exactly these fields. Optional.
    /// </summary>
    [JsonPropertyName("keys")]
    [JsonPropertyOrder(3)]
    public List<string>? Keys { get; set; }

    /// <summary>Version of the contract.</summary>
    [JsonPropertyName("version")]
    [JsonPropertyOrder(4)]
    public required SchemaVersion Version { get; set; }

    /// <summary>Transformations from source rows to output objects.</summary>
    [JsonPropertyName("config")]
    [JsonPropertyOrder(5)]
    public required PublicSchemaConfig Config { get; set; }

    /// <summary>Path of the source file that defines this schema, relative to the manifest.</summary>
    [JsonPropertyName("definitionFile")]
    [JsonPropertyOrder(6)]
    public string? DefinitionFile { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// The top-level property names of <see cref="OutputSchema"/> (<c>properties</c> of an object schema),
    /// in document order; empty when the schema declares none.
    /// </summary>
    /// <returns>The output field names.</returns>
    public IReadOnlyList<string> GetOutputFieldNames()
    {
        if (OutputSchema.ValueKind != JsonValueKind.Object
            || !OutputSchema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return [.. properties.EnumerateObject().Select(p => p.Name)];
    }
}

/// <summary>The source of a public schema.</summary>
public sealed class PublicSchemaSource
{
    /// <summary>Slug of the source data store (its connection slug).</summary>
    [JsonPropertyName("dataStoreSlug")]
    [JsonPropertyOrder(0)]
    public required string DataStoreSlug { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A major.minor version of a public schema.</summary>
public sealed class SchemaVersion
{
    /// <summary>Major version: consumers pin it; a breaking change increments it.</summary>
    [JsonPropertyName("major")]
    [JsonPropertyOrder(0)]
    public required int Major { get; set; }

    /// <summary>Minor version: compatible changes.</summary>
    [JsonPropertyName("minor")]
    [JsonPropertyOrder(1)]
    public required int Minor { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary><c>major.minor</c>.</summary>
    /// <returns>The version text.</returns>
    public override string ToString() => FormattableString.Invariant($"{Major}.{Minor}");
}

/// <summary>The transformations of a public schema.</summary>
public sealed class PublicSchemaConfig
{
    /// <summary>The <c>publicSchemaType</c> of PostgreSQL transformations.</summary>
    public const string PostgresType = "postgres";

    /// <summary>Type of the transformations; <see cref="PostgresType"/>.</summary>
    [JsonPropertyName("publicSchemaType")]
    [JsonPropertyOrder(0)]
    public required string PublicSchemaType { get; set; }

    /// <summary>One SQL query per source table and operation.</summary>
    [JsonPropertyName("transformations")]
    [JsonPropertyOrder(1)]
    public required List<PublicSchemaTransformation> Transformations { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A SQL query that turns a changed source row into the public schema's output object.</summary>
public sealed class PublicSchemaTransformation
{
    /// <summary>Operation <c>insert</c>.</summary>
    public const string Insert = "insert";

    /// <summary>Operation <c>update</c>.</summary>
    public const string Update = "update";

    /// <summary>Operation <c>delete</c>.</summary>
    public const string Delete = "delete";

    /// <summary>The source operation this query handles: <c>insert</c>, <c>update</c> or <c>delete</c>.</summary>
    [JsonPropertyName("operation")]
    [JsonPropertyOrder(0)]
    public required string Operation { get; set; }

    /// <summary>Source table, optionally schema-qualified (<c>sales.orders</c>); unqualified means <c>public</c>.</summary>
    [JsonPropertyName("table")]
    [JsonPropertyOrder(1)]
    public required string Table { get; set; }

    /// <summary>The query, with <c>:name</c> or <c>$n</c> placeholders bound from the changed row.</summary>
    [JsonPropertyName("sql")]
    [JsonPropertyOrder(2)]
    public required string Sql { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
