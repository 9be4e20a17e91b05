namespace ReJot.Schemas;

/// <summary>
/// Marks a contract field of a public schema as (part of) its key: the fields that identify an object.
/// Delete events carry exactly the key fields.
/// </summary>
/// <remarks>
/// On a positional record write <c>[property: Key]</c> so the attribute lands on the property.
/// Required when the public schema has a <see cref="Operation.Delete"/> transformation.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KeyAttribute : Attribute
{
}
