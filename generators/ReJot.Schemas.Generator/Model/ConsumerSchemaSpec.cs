namespace ReJot.Schemas.Generator.Model;

/// <summary>A consumer schema, as values.</summary>
/// <param name="Name">The consumer schema name.</param>
/// <param name="Destination">The destination data store slug.</param>
/// <param name="SourceManifestSlug">The publishing manifest's slug, or null for "this compilation's manifest" (typed reference to a local contract).</param>
/// <param name="PublicSchemaName">The consumed public schema's name.</param>
/// <param name="Major">The consumed major version.</param>
/// <param name="Sql">The upsert SQL.</param>
/// <param name="DeleteSql">The delete SQL, or null.</param>
/// <param name="Location">Where the consumer is declared.</param>
internal sealed record ConsumerSchemaSpec(
    string Name,
    string Destination,
    string? SourceManifestSlug,
    string PublicSchemaName,
    int Major,
    string Sql,
    string? DeleteSql,
    LocationInfo? Location)
{
    public string DefinitionFile => Location?.FilePath ?? "";
}
