using ReJot.Schemas.Analyzers.Analyzers;
using ReJot.Schemas.CodeFixes;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class QuoteAliasCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify.CodeFixAsync<SqlTextAnalyzer, QuoteAliasCodeFixProvider>(source, fixedSource);

    [Fact]
    public async Task Alias_in_a_regular_string_is_quoted_with_escaped_quotes()
    {
        await VerifyAsync(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, first_name AS {|RJ0005:firstName|} FROM accounts")]
            public sealed record Account(long Id, string FirstName);
            """,
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, first_name AS \"firstName\" FROM accounts")]
            public sealed record Account(long Id, string FirstName);
            """);
    }

    [Fact]
    public async Task Alias_in_a_verbatim_string_is_quoted_with_doubled_quotes()
    {
        await VerifyAsync(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", @"SELECT id, first_name {|RJ0005:firstName|} FROM accounts")]
            public sealed record Account(long Id, string FirstName);
            """,
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", @"SELECT id, first_name ""firstName"" FROM accounts")]
            public sealed record Account(long Id, string FirstName);
            """);
    }

    [Fact]
    public async Task Aliases_in_a_raw_string_are_quoted_verbatim()
    {
        await VerifyAsync(
            """"
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", """
                SELECT id,
                       first_name AS {|RJ0005:firstName|},
                       last_name AS {|RJ0005:lastName|}
                FROM accounts
                """)]
            public sealed record Account(long Id, string FirstName, string LastName);
            """",
            """"
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", """
                SELECT id,
                       first_name AS "firstName",
                       last_name AS "lastName"
                FROM accounts
                """)]
            public sealed record Account(long Id, string FirstName, string LastName);
            """");
    }
}
