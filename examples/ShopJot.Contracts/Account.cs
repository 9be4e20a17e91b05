using ReJot.Schemas;

// The accounts service's manifest. The contract lives in its own assembly so that consumers can reference the type
// ([ConsumerSchema<Account>]) without referencing the accounts service.
[assembly: ReJotManifest("accounts")]

namespace ShopJot.Contracts;

/// <summary>
/// An account as other services see it: version 1 of the <c>account</c> contract. The SQL turns a row of the accounts
/// service's private <c>accounts</c> table into the contract; columns that are not selected (here <c>password_hash</c>
/// and <c>created_at</c>) never leave the service.
/// </summary>
[PublicSchema("account", Source = "accounts", Major = 1, Minor = 0)]
[Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email FROM accounts WHERE id = :id""")]
[Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
public sealed partial record Account([property: Key] long Id, string Name, string? Email);
