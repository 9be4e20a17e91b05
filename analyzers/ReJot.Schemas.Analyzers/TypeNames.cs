namespace ReJot.Schemas.Analyzers;

/// <summary>Metadata names of the ReJot.Schemas attributes; matched by name so no assembly reference is needed.</summary>
internal static class TypeNames
{
    public const string PublicSchemaAttribute = "ReJot.Schemas.PublicSchemaAttribute";
    public const string TransformationAttribute = "ReJot.Schemas.TransformationAttribute";
    public const string KeyAttribute = "ReJot.Schemas.KeyAttribute";
    public const string ConsumerSchemaAttribute = "ReJot.Schemas.ConsumerSchemaAttribute";
    public const string TypedConsumerSchemaAttribute = "ReJot.Schemas.ConsumerSchemaAttribute`1";
    public const string ConsumesAttribute = "ReJot.Schemas.ConsumesAttribute";
    public const string UpsertSqlAttribute = "ReJot.Schemas.UpsertSqlAttribute";
    public const string DeleteSqlAttribute = "ReJot.Schemas.DeleteSqlAttribute";
    public const string ReJotManifestAttribute = "ReJot.Schemas.ReJotManifestAttribute";
    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    public const string JsonIgnoreAttribute = "System.Text.Json.Serialization.JsonIgnoreAttribute";

    /// <summary>The MSBuild property (compiler-visible through the package's props) that names the manifest slug.</summary>
    public const string ManifestSlugBuildProperty = "build_property.ReJotManifestSlug";

    /// <summary>The simple name of the attributes' assembly: only assemblies referencing it can declare schemas.</summary>
    public const string SchemasAssemblyName = "ReJot.Schemas";
}
