using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>A consumer schema: writes a public schema's events into a destination data store (<c>consumerSchemas[]</c>).</summary>
public sealed class ConsumerSchemaDefinition
{
    /// <summary>Name of the consumer schema.</summary>
    [JsonPropertyName("name")]
    [JsonPropertyOrder(0)]
    public required string Name { get; set; }

    /// <summary>Slug of the manifest that publishes the consumed public schema.</summary>
    [JsonPropertyName("sourceManifestSlug")]
    [JsonPropertyOrder(1)]
    public required string SourceManifestSlug { get; set; }

    /// <summary>The consumed public schema: name and major version.</summary>
    [JsonPropertyName("publicSchema")]
    [JsonPropertyOrder(2)]
    public required PublicSchemaReference PublicSchema { get; set; }

    /// <summary>Destination and SQL.</summary>
    [JsonPropertyName("config")]
    [JsonPropertyOrder(3)]
    public required ConsumerSchemaConfig Config { get; set; }

    /// <summary>Path of the source file that defines this schema, relative to the manifest.</summary>
    [JsonPropertyName("definitionFile")]
    [JsonPropertyOrder(4)]
    public string? DefinitionFile { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>A reference to a public schema by name and major version.</summary>
public sealed class PublicSchemaReference
{
    /// <summary>Name of the public schema.</summary>
    [JsonPropertyName("name")]
    [JsonPropertyOrder(0)]
    public required string Name { get; set; }

    /// <summary>The major version consumed.</summary>
    [JsonPropertyName("majorVersion")]
    [JsonPropertyOrder(1)]
    public required int MajorVersion { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>Where and how a consumer schema writes.</summary>
public sealed class ConsumerSchemaConfig
{
    /// <summary>The <c>consumerSchemaType</c> of PostgreSQL consumers.</summary>
    public const string PostgresType = "postgres";

    /// <summary>Type of the consumer; <see cref="PostgresType"/>.</summary>
    [JsonPropertyName("consumerSchemaType")]
    [JsonPropertyOrder(0)]
    public required string ConsumerSchemaType { get; set; }

    /// <summary>Slug of the destination data store.</summary>
    [JsonPropertyName("destinationDataStoreSlug")]
    [JsonPropertyOrder(1)]
    public required string DestinationDataStoreSlug { get; set; }

    /// <summary>SQL run for inserts and updates, with <c>:field</c> placeholders bound from the object.</summary>
    [JsonPropertyName("sql")]
    [JsonPropertyOrder(2)]
    public required string Sql { get; set; }

    /// <summary>SQL run for deletes, with <c>:key</c> placeholders bound from the object's keys; optional.</summary>
    [JsonPropertyName("deleteSql")]
    [JsonPropertyOrder(3)]
    public string? DeleteSql { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
