namespace ReJot.Schemas.Generator.Model;

/// <summary>The JSON Schema kind a C# type maps to.</summary>
internal enum ShapeKind
{
    /// <summary>Any JSON value (<c>object</c>, <c>JsonElement</c>): no constraint.</summary>
    Any,
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,

    /// <summary>A JSON object with arbitrary keys (<c>Dictionary&lt;string, T&gt;</c>).</summary>
    Map,
}

/// <summary>The JSON shape of a contract field's type, as plain values.</summary>
/// <param name="Kind">The JSON kind.</param>
/// <param name="Nullable">Whether JSON <c>null</c> is allowed.</param>
/// <param name="Format">A JSON Schema <c>format</c> (uuid, date-time, date, time, uri) or empty.</param>
/// <param name="EnumValues">For enums: the allowed strings.</param>
/// <param name="Items">For arrays and maps: the element shape.</param>
/// <param name="Fields">For objects: the fields.</param>
internal sealed record ContractShape(
    ShapeKind Kind,
    bool Nullable,
    string Format,
    EquatableArray<string> EnumValues,
    ContractShape? Items,
    EquatableArray<ContractField> Fields);

/// <summary>One field of a contract object.</summary>
/// <param name="PropertyName">The C# property name.</param>
/// <param name="JsonName">The JSON name.</param>
/// <param name="Shape">The field's shape.</param>
/// <param name="Required">Whether the field must be present (non-nullable types).</param>
/// <param name="IsKey">Whether the field is marked <c>[Key]</c>.</param>
internal sealed record ContractField(string PropertyName, string JsonName, ContractShape Shape, bool Required, bool IsKey);
