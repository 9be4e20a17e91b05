using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

/// <summary>A named database connection (<c>connections[]</c>).</summary>
public sealed class ManifestConnection
{
    /// <summary>Unique identifier of the connection within its manifest.</summary>
    [JsonPropertyName("slug")]
    [JsonPropertyOrder(0)]
    public required string Slug { get; set; }

    /// <summary>Connection settings, discriminated by <see cref="ConnectionConfig.ConnectionType"/>.</summary>
    [JsonPropertyName("config")]
    [JsonPropertyOrder(1)]
    public required ConnectionConfig Config { get; set; }

    /// <summary>Fields unknown to this version, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The connection as a person may see it: the password masked, environment references shown as written.</summary>
    /// <returns><c>slug (display of the config)</c>.</returns>
    public override string ToString() => $"{Slug} ({Config})";
}
