namespace ReJot.Schemas.Generator.Tests;

public sealed class GeneratorSnapshotTests
{
    internal const string Accounts = """"
        using ReJot.Schemas;
        using System.Text.Json.Serialization;

        [assembly: ReJotManifest("accounts-service")]

        namespace Accounts.Contracts;

        [PublicSchema("account", Source = "accounts", Major = 1, Minor = 2)]
        [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email, created_at AS "createdAt" FROM accounts WHERE id = :id""")]
        [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" /* key only */""")]
        public sealed partial record Account(
            [property: Key] long Id,
            string Name,
            string? Email,
            System.DateTimeOffset CreatedAt,
            [property: JsonPropertyName("tier_name")] string Tier);

        public static partial class Outer
        {
            [PublicSchema("address", Source = "accounts")]
            [Transformation(Operation.Insert, "sales.addresses", "SELECT $1 AS id, $2 AS street")]
            public sealed partial class Address
            {
                public int Id { get; init; }
                public string Street { get; init; } = "";
            }
        }

        [ConsumerSchema("accounts-into-orders", Destination = "orders")]
        [Consumes("accounts-service", "account", Major = 1)]
        public sealed partial class AccountsIntoOrders
        {
            [UpsertSql] public const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
            [DeleteSql] public const string Delete = "DELETE FROM order_accounts WHERE id = :id";
        }

        [ConsumerSchema<Account>("accounts-into-billing", Destination = "billing")]
        public sealed partial class AccountsIntoBilling
        {
            [UpsertSql] const string Upsert = "INSERT INTO billing_accounts (id, email) VALUES (:id, :email)";
        }
        """";

    [Fact]
    public void Public_and_consumer_schemas_generate_contract_constants_and_the_registered_manifest()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Accounts.Service", null, Accounts));
        Snapshot.Verify(result);
    }

    [Fact]
    public void A_compilation_without_schemas_generates_nothing()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Plain", null, "public sealed class Plain { public int Id { get; set; } }"));
        Assert.Empty(result.Results.Single().GeneratedSources);
    }
}
