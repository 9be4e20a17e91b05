using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>
/// A data store on a connection (<c>dataStores[]</c>), identified by its connection's slug. With a
/// <see cref="Config"/> it is a replication source; without one it is a destination only.
/// </summary>
public sealed class ManifestDataStore
{
    /// <summary>Slug of the connection this store uses; also the data store's own slug.</summary>
    [JsonPropertyName("connectionSlug")]
    [JsonPropertyOrder(0)]
    public required string ConnectionSlug { get; set; }

    /// <summary>Replication settings; absent for a sink-only store.</summary>
    [JsonPropertyName("config")]
    [JsonPropertyOrder(1)]
    public DataStoreConfig? Config { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>Replication settings of a source data store.</summary>
public sealed class DataStoreConfig
{
    /// <summary>Connection type; must match the referenced connection's type.</summary>
    [JsonPropertyName("connectionType")]
    [JsonPropertyOrder(0)]
    public required string ConnectionType { get; set; }

    /// <summary>Name of the logical replication slot (<c>^[a-z0-9_]+$</c>).</summary>
    [JsonPropertyName("slotName")]
    [JsonPropertyOrder(1)]
    public string? SlotName { get; set; }

    /// <summary>Name of the publication (<c>^[a-z0-9_]+$</c>).</summary>
    [JsonPropertyName("publicationName")]
    [JsonPropertyOrder(2)]
    public string? PublicationName { get; set; }

    /// <summary>Tables to replicate (kept for compatibility; the original never read it).</summary>
    [JsonPropertyName("tables")]
    [JsonPropertyOrder(3)]
    public List<string>? Tables { get; set; }

    /// <summary>Whether all tables are replicated (kept for compatibility; the original never read it).</summary>
    [JsonPropertyName("allTables")]
    [JsonPropertyOrder(4)]
    public bool? AllTables { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Creates a PostgreSQL replication config.</summary>
    /// <param name="publicationName">Publication name.</param>
    /// <param name="slotName">Slot name.</param>
    /// <returns>The config.</returns>
    public static DataStoreConfig Postgres(string publicationName, string slotName) => new()
    {
        ConnectionType = ConnectionConfig.PostgresType,
        SlotName = slotName,
        PublicationName = publicationName,
    };
}

/// <summary>An event store on a connection (<c>eventStores[]</c>).</summary>
public sealed class ManifestEventStore
{
    /// <summary>Slug of the connection this event store uses.</summary>
    [JsonPropertyName("connectionSlug")]
    [JsonPropertyOrder(0)]
    public required string ConnectionSlug { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
