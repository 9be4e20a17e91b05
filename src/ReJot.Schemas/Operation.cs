namespace ReJot.Schemas;

/// <summary>
/// The change to a source table that a <see cref="TransformationAttribute"/> reacts to.
/// </summary>
public enum Operation
{
    /// <summary>A row was inserted. The SQL binds the new row's columns.</summary>
    Insert = 0,

    /// <summary>A row was updated. The SQL binds the new row's columns.</summary>
    Update = 1,

    /// <summary>
    /// A row was inserted or updated: written to the manifest as two transformations, <c>insert</c> and
    /// <c>update</c>, with the same SQL.
    /// </summary>
    InsertOrUpdate = 2,

    /// <summary>
    /// A row was deleted. The SQL binds the old row's replica-identity (key) columns and must return the
    /// contract's key fields, e.g. <c>SELECT :id AS "id"</c>.
    /// </summary>
    Delete = 3,
}
