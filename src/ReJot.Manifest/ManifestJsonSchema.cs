namespace ReJot.Manifest;

/// <summary>The JSON Schema of the manifest format (the committed <c>schema.json</c>).</summary>
public static class ManifestJsonSchema
{
    /// <summary>
    /// The <c>$schema</c> value <c>rejot manifest init</c> writes: the committed <c>src/ReJot.Manifest/schema.json</c>
    /// of this repository on its main branch, so editors validate manifests (including our additions).
    /// </summary>
    public const string DefaultSchemaUrl = "https://raw.githubusercontent.com/rejot-dotnet/rejot/main/src/ReJot.Manifest/schema.json";
}
