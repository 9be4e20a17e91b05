using ReJot.Schemas.Analyzers.Analyzers;
using ReJot.Schemas.CodeFixes;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class RenamePlaceholderCodeFixTests
{
    private const string Contract = """
        [PublicSchema("account", Source = "accounts")]
        [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
        public sealed record Account([property: Key] long Id, string Name, string EmailAddress);

        """;

    [Fact]
    public async Task Misspelled_placeholder_is_renamed_to_the_suggested_field_everywhere()
    {
        await Verify.CodeFixAsync<ConsumerSchemaAnalyzer, RenamePlaceholderCodeFixProvider>(
            Contract + """
            [ConsumerSchema<Account>("into-orders", Destination = "orders")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, email) VALUES (:id, :{|RJ0006:emailAdress|}) ON CONFLICT (id) DO UPDATE SET email = :{|RJ0006:emailadress|}";
            }
            """,
            Contract + """
            [ConsumerSchema<Account>("into-orders", Destination = "orders")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, email) VALUES (:id, :emailAddress) ON CONFLICT (id) DO UPDATE SET email = :emailAddress";
            }
            """);
    }

    [Fact]
    public async Task Placeholder_without_a_close_field_offers_no_fix()
    {
        await Verify.NoCodeFixAsync<ConsumerSchemaAnalyzer, RenamePlaceholderCodeFixProvider>(
            Contract + """
            [ConsumerSchema<Account>("into-orders", Destination = "orders")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, x) VALUES (:id, :{|RJ0006:somethingElse|})";
            }
            """);
    }
}
