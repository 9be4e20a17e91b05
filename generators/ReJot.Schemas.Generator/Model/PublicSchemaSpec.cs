namespace ReJot.Schemas.Generator.Model;

/// <summary>The manifest operation names (the original ReJot vocabulary).</summary>
internal enum TransformationOperation
{
    Insert = 0,
    Update = 1,
    InsertOrUpdate = 2,
    Delete = 3,
}

/// <summary>One <c>[Transformation]</c> of a public schema.</summary>
internal sealed record TransformationSpec(TransformationOperation Operation, string Table, string Sql);

/// <summary>A C# type declaration the generator can add members to (a partial type and its partial containers).</summary>
/// <param name="Namespace">The namespace, empty for the global namespace.</param>
/// <param name="Declarations">Outermost first: e.g. <c>partial class Outer</c>, <c>partial record Account</c>.</param>
internal sealed record PartialTypeSpec(string Namespace, EquatableArray<string> Declarations, string HintName);

/// <summary>A public schema, as values.</summary>
internal sealed record PublicSchemaSpec(
    string Name,
    string Source,
    int Major,
    int Minor,
    EquatableArray<TransformationSpec> Transformations,
    ContractShape Contract,
    PartialTypeSpec? PartialType,
    LocationInfo? Location)
{
    public string DefinitionFile => Location?.FilePath ?? "";
}
