namespace ReJot.Schemas.Generator;

/// <summary>Metadata names of the ReJot.Schemas attributes the generator discovers.</summary>
internal static class TypeNames
{
    public const string Namespace = "ReJot.Schemas";
    public const string PublicSchemaAttribute = "ReJot.Schemas.PublicSchemaAttribute";
    public const string TransformationAttribute = "ReJot.Schemas.TransformationAttribute";
    public const string KeyAttribute = "ReJot.Schemas.KeyAttribute";
    public const string ConsumerSchemaAttribute = "ReJot.Schemas.ConsumerSchemaAttribute";
    public const string TypedConsumerSchemaAttribute = "ReJot.Schemas.ConsumerSchemaAttribute`1";
    public const string ConsumesAttribute = "ReJot.Schemas.ConsumesAttribute";
    public const string UpsertSqlAttribute = "ReJot.Schemas.UpsertSqlAttribute";
    public const string DeleteSqlAttribute = "ReJot.Schemas.DeleteSqlAttribute";
    public const string ReJotManifestAttribute = "ReJot.Schemas.ReJotManifestAttribute";
    public const string GeneratedManifests = "ReJot.Schemas.GeneratedManifests";
    public const string ModuleInitializerAttribute = "System.Runtime.CompilerServices.ModuleInitializerAttribute";
    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    public const string JsonIgnoreAttribute = "System.Text.Json.Serialization.JsonIgnoreAttribute";
    public const string JsonStringEnumMemberNameAttribute = "System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute";

    /// <summary>The MSBuild property (made compiler-visible by the package's props) that names the manifest slug.</summary>
    public const string ManifestSlugBuildProperty = "build_property.ReJotManifestSlug";

    /// <summary>Item metadata that marks the AdditionalFiles item of the manifest file to merge into.</summary>
    public const string ManifestFileMetadata = "build_metadata.AdditionalFiles.ReJotManifest";
}
