namespace ReJot.Schemas;

/// <summary>
/// Declares a ReJot consumer schema: how this service applies the events of a public schema to its own
/// data store. Name the public schema with <see cref="ConsumesAttribute"/> (or use the generic
/// <c>ConsumerSchemaAttribute&lt;TContract&gt;</c> when the contract type is referenced), and put the SQL in
/// <c>const string</c> fields marked <see cref="UpsertSqlAttribute"/> and <see cref="DeleteSqlAttribute"/>.
/// </summary>
/// <example>
/// <code>
/// [ConsumerSchema("accounts-into-orders", Destination = "orders")]
/// [Consumes("accounts-service", "account", Major = 1)]
/// public sealed partial class AccountsIntoOrders
/// {
///     [UpsertSql] public const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
///     [DeleteSql] public const string Delete = "DELETE FROM order_accounts WHERE id = :id";
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class ConsumerSchemaAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The consumer schema name, unique per manifest (lower-case letters, digits, dashes).</param>
    public ConsumerSchemaAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The consumer schema name.</summary>
    public string Name { get; }

    /// <summary>The slug of the data store the SQL is applied to. Required.</summary>
    public string Destination { get; set; } = "";
}

#if NET7_0_OR_GREATER
/// <summary>
/// Declares a ReJot consumer schema of the public schema <typeparamref name="TContract"/>, a type marked
/// <see cref="PublicSchemaAttribute"/> in this or a referenced assembly. Its manifest slug, name and major
/// version are read from the contract type, and the SQL placeholders are checked against its fields.
/// </summary>
/// <typeparam name="TContract">The public schema type.</typeparam>
/// <example>
/// <code>
/// [ConsumerSchema&lt;Account&gt;("accounts-into-billing", Destination = "billing")]
/// public sealed partial class AccountsIntoBilling
/// {
///     [UpsertSql] const string Upsert = "INSERT INTO billing_accounts (id, email) VALUES (:id, :email) ON CONFLICT (id) DO UPDATE SET email = :email";
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class ConsumerSchemaAttribute<TContract> : Attribute
    where TContract : notnull
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The consumer schema name, unique per manifest (lower-case letters, digits, dashes).</param>
    public ConsumerSchemaAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The consumer schema name.</summary>
    public string Name { get; }

    /// <summary>The slug of the data store the SQL is applied to. Required.</summary>
    public string Destination { get; set; } = "";
}
#endif
