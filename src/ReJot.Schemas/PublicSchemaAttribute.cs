namespace ReJot.Schemas;

/// <summary>
/// Declares a ReJot public schema: a versioned contract that this service publishes. The type's public
/// instance properties are the contract's fields.
/// </summary>
/// <remarks>
/// <para>
/// Field JSON names are camelCase unless a <c>[JsonPropertyName]</c> attribute says otherwise. A nullable
/// type (<c>string?</c>, <c>int?</c>) makes a field optional and nullable; every other field is required.
/// The output JSON Schema is derived from the C# types at compile time.
/// </para>
/// <para>
/// Add one or more <see cref="TransformationAttribute"/>s that compute the contract from the source tables,
/// and mark the key fields with <see cref="KeyAttribute"/> when the schema has a delete transformation.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// [PublicSchema("account", Source = "accounts", Major = 1, Minor = 0)]
/// [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email FROM accounts WHERE id = :id""")]
/// [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
/// public sealed partial record Account([property: Key] long Id, string Name, string Email);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class PublicSchemaAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The public schema name, unique per manifest and version (lower-case letters, digits, dashes).</param>
    public PublicSchemaAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The public schema name.</summary>
    public string Name { get; }

    /// <summary>The slug of the data store (replication source) whose tables the transformations read. Required.</summary>
    public string Source { get; set; } = "";

    /// <summary>The major version: increment it for changes that break consumers. Defaults to 1.</summary>
    public int Major { get; set; } = 1;

    /// <summary>The minor version: increment it for compatible changes. Defaults to 0.</summary>
    public int Minor { get; set; }
}
