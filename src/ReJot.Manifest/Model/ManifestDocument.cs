using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>
/// A ReJot manifest (<c>rejot-manifest.json</c>), format <c>manifestVersion: 0</c> of the original ReJot,
/// plus the optional additions of ReJot for .NET (<see cref="PublicSchemaDefinition.Keys"/> and
/// <c>${ENV}</c> references in connection settings).
/// </summary>
/// <remarks>
/// Properties are written in the original's order. Fields this version does not know are kept in
/// <see cref="AdditionalProperties"/> and written back, so reading and writing a manifest never loses content.
/// </remarks>
public sealed class ManifestDocument
{
    /// <summary>The only manifest format version this library reads and writes.</summary>
    public const int CurrentManifestVersion = 0;

    /// <summary>Unique identifier of this manifest: lower-case letters, digits and hyphens, or <c>@scope/name</c>.</summary>
    [JsonPropertyName("slug")]
    [JsonPropertyOrder(0)]
    public required string Slug { get; set; }

    /// <summary>Version of the manifest file format; always <see cref="CurrentManifestVersion"/>.</summary>
    [JsonPropertyName("manifestVersion")]
    [JsonPropertyOrder(1)]
    public required int ManifestVersion { get; set; }

    /// <summary>Optional URL of the JSON Schema editors use to validate this file.</summary>
    [JsonPropertyName("$schema")]
    [JsonPropertyOrder(2)]
    public string? Schema { get; set; }

    /// <summary>Database connections, referenced by data stores and event stores.</summary>
    [JsonPropertyName("connections")]
    [JsonPropertyOrder(3)]
    public List<ManifestConnection>? Connections { get; set; }

    /// <summary>Data stores: sources (with a replication config) and destinations (without).</summary>
    [JsonPropertyName("dataStores")]
    [JsonPropertyOrder(4)]
    public List<ManifestDataStore>? DataStores { get; set; }

    /// <summary>Event stores that hold the public schema events of this manifest.</summary>
    [JsonPropertyName("eventStores")]
    [JsonPropertyOrder(5)]
    public List<ManifestEventStore>? EventStores { get; set; }

    /// <summary>Public schemas (contracts) this manifest publishes.</summary>
    [JsonPropertyName("publicSchemas")]
    [JsonPropertyOrder(6)]
    public List<PublicSchemaDefinition>? PublicSchemas { get; set; }

    /// <summary>Consumer schemas: how this manifest writes public schema events into its own data stores.</summary>
    [JsonPropertyName("consumerSchemas")]
    [JsonPropertyOrder(7)]
    public List<ConsumerSchemaDefinition>? ConsumerSchemas { get; set; }

    /// <summary>Paths of child manifests, relative to this file (workspace roots only).</summary>
    [JsonPropertyName("workspaces")]
    [JsonPropertyOrder(8)]
    public List<string>? Workspaces { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim and written back after the known ones.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Creates the manifest that <c>rejot manifest init</c> writes: the slug, the version, a schema URL and five empty arrays.</summary>
    /// <param name="slug">The manifest slug.</param>
    /// <param name="schemaUrl">The <c>$schema</c> value; <see cref="ManifestJsonSchema.DefaultSchemaUrl"/> when null.</param>
    /// <returns>A new, empty manifest.</returns>
    public static ManifestDocument CreateEmpty(string slug, string? schemaUrl = null) => new()
    {
        Slug = slug,
        ManifestVersion = CurrentManifestVersion,
        Schema = schemaUrl ?? ManifestJsonSchema.DefaultSchemaUrl,
        Connections = [],
        DataStores = [],
        EventStores = [],
        PublicSchemas = [],
        ConsumerSchemas = [],
    };
}
