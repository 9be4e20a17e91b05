namespace ReJot.Schemas;

/// <summary>
/// Marks the <c>const string</c> field of a consumer schema that holds the SQL applied for every insert or
/// update event. <c>:name</c> placeholders are the contract's field JSON names.
/// </summary>
/// <example><code>[UpsertSql] const string Upsert = "INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";</code></example>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class UpsertSqlAttribute : Attribute
{
}
