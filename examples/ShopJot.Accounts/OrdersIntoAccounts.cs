using ReJot.Schemas;

// This assembly adds a consumer schema to the accounts manifest (the public schema is in ShopJot.Contracts).
[assembly: ReJotManifest("accounts")]

namespace ShopJot.Accounts;

/// <summary>
/// Applies the orders service's <c>order</c> contract (version 1) to this service's <c>account_orders</c> table. The
/// accounts service does not reference the orders service's code: across that manifest boundary the contract is named
/// by manifest slug, name and major version.
/// </summary>
[ConsumerSchema("orders-into-accounts", Destination = "accounts")]
[Consumes("orders", "order", Major = 1)]
public sealed partial class OrdersIntoAccounts
{
    [UpsertSql]
    public const string Upsert = """
        INSERT INTO account_orders (order_id, account_id, total) VALUES (:id, :accountId, :total)
        ON CONFLICT (order_id) DO UPDATE SET account_id = :accountId, total = :total
        """;

    [DeleteSql]
    public const string Delete = "DELETE FROM account_orders WHERE order_id = :id";
}
