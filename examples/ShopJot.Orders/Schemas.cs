using ReJot.Schemas;
using ShopJot.Contracts;

[assembly: ReJotManifest("orders")]

namespace ShopJot.Orders;

/// <summary>An order as other services see it: version 1 of the orders service's <c>order</c> contract.</summary>
[PublicSchema("order", Source = "orders", Major = 1, Minor = 0)]
[Transformation(Operation.InsertOrUpdate, "orders", """SELECT id, account_id AS "accountId", total FROM orders WHERE id = :id""")]
[Transformation(Operation.Delete, "orders", """SELECT :id AS "id" """)]
public sealed partial record Order([property: Key] long Id, long AccountId, decimal Total);

/// <summary>
/// Applies the accounts service's <c>account</c> contract to this service's <c>known_accounts</c> table. The contract
/// assembly is shared, so the reference is the type itself: name, major version and manifest slug come from it, and
/// the analyzers check the <c>:name</c> placeholders against its fields at compile time.
/// </summary>
[ConsumerSchema<Account>("accounts-into-orders", Destination = "orders")]
public sealed partial class AccountsIntoOrders
{
    [UpsertSql]
    public const string Upsert = "INSERT INTO known_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";

    [DeleteSql]
    public const string Delete = "DELETE FROM known_accounts WHERE id = :id";
}
