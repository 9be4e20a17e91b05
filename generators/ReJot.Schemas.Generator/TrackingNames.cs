namespace ReJot.Schemas.Generator;

/// <summary>Names of the pipeline steps, so tests can assert that each one is cached (prefixed: Roslyn names its own input steps "Compilation" etc.).</summary>
internal static class TrackingNames
{
    public const string Compilation = "ReJot.Compilation";
    public const string SourceFiles = "ReJot.SourceFiles";
    public const string SlugOption = "ReJot.SlugOption";
    public const string NullableDirective = "ReJot.NullableDirective";
    public const string PublicSchemas = "ReJot.PublicSchemas";
    public const string ConsumerSchemas = "ReJot.ConsumerSchemas";
    public const string TypedConsumerSchemas = "ReJot.TypedConsumerSchemas";
    public const string Manifest = "ReJot.Manifest";
    public const string ManifestFile = "ReJot.ManifestFile";
}
