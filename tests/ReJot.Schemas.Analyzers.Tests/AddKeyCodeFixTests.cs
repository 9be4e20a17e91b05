using ReJot.Schemas.Analyzers.Analyzers;
using ReJot.Schemas.CodeFixes;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class AddKeyCodeFixTests
{
    [Fact]
    public async Task Id_parameter_of_a_positional_record_gets_a_property_targeted_key()
    {
        await Verify.CodeFixAsync<PublicSchemaAnalyzer, AddKeyCodeFixProvider>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, name FROM accounts WHERE id = :id")]
            [{|RJ0017:Transformation(Operation.Delete, "accounts", "SELECT :id AS \"id\"")|}]
            public sealed record Account(string Name, long Id);
            """,
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, name FROM accounts WHERE id = :id")]
            [Transformation(Operation.Delete, "accounts", "SELECT :id AS \"id\"")]
            public sealed record Account(string Name, [property: Key] long Id);
            """);
    }

    [Fact]
    public async Task Id_property_of_a_class_gets_a_key_attribute()
    {
        await Verify.CodeFixAsync<PublicSchemaAnalyzer, AddKeyCodeFixProvider>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT account_id AS \"accountId\" FROM accounts")]
            [{|RJ0017:Transformation(Operation.Delete, "accounts", "SELECT :account_id AS \"accountId\"")|}]
            public sealed class Account
            {
                public string? Label { get; set; }

                public long AccountId { get; set; }
            }
            """,
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT account_id AS \"accountId\" FROM accounts")]
            [Transformation(Operation.Delete, "accounts", "SELECT :account_id AS \"accountId\"")]
            public sealed class Account
            {
                public string? Label { get; set; }

                [Key]
                public long AccountId { get; set; }
            }
            """);
    }
}
