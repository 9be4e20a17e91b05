namespace ReJot.Schemas;

/// <summary>
/// Marks the <c>const string</c> field of a consumer schema that holds the SQL applied for every delete
/// event. Only the contract's key fields are available as <c>:name</c> placeholders.
/// </summary>
/// <example><code>[DeleteSql] const string Delete = "DELETE FROM t WHERE id = :id";</code></example>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class DeleteSqlAttribute : Attribute
{
}
