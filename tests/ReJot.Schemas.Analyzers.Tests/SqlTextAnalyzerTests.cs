using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class SqlTextAnalyzerTests
{
    private static Task VerifyAsync(string source) => Verify.AnalyzerAsync<SqlTextAnalyzer>(source);

    [Fact]
    public async Task Valid_transformation_and_consumer_sql_report_nothing()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.InsertOrUpdate, "accounts", "SELECT id, name AS \"name\", 'it''s' AS \"note\" FROM accounts WHERE id = :id")]
            public sealed record Account([property: Key] long Id, string Name, string Note);

            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("x", "account")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES ($1) -- :not_a_placeholder";
            }
            """);
    }

    [Fact]
    public async Task Unterminated_string_constant_reports_RJ0001_from_its_quote_to_the_end()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id FROM accounts WHERE name = {|RJ0001:'oops|}")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Unterminated_block_comment_in_a_raw_string_reports_RJ0001_inside_the_literal()
    {
        await VerifyAsync(""""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", """
                SELECT id
                FROM accounts {|RJ0001:/* never closed
                WHERE id = :id|}
                """)]
            public sealed record Account(long Id);
            """");
    }

    [Fact]
    public async Task Unterminated_dollar_quote_in_a_consumer_field_reports_RJ0001()
    {
        await VerifyAsync("""
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("x", "account")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "SELECT {|RJ0001:$body$ :id|}";
            }
            """);
    }

    [Fact]
    public async Task Unterminated_quoted_identifier_in_a_verbatim_string_reports_RJ0001()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", @"SELECT id AS {|RJ0001:""Id|}")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Mixed_placeholders_report_RJ0002_on_the_first_of_the_second_style()
    {
        await VerifyAsync("""
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("x", "account")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, name) VALUES ($1, {|RJ0002::name|})";
            }
            """);
    }

    [Fact]
    public async Task Positional_gap_reports_RJ0003_on_the_first_out_of_range_placeholder()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Update, "accounts", "SELECT id FROM accounts WHERE id = $1 AND x = {|RJ0003:$3|}")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Empty_sql_reports_RJ0004()
    {
        await VerifyAsync("""
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("x", "account")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = {|RJ0004:"  "|};
            }
            """);
    }

    [Fact]
    public async Task Unquoted_mixed_case_alias_reports_RJ0005_on_the_alias()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, first_name AS {|RJ0005:firstName|}, last_name AS \"lastName\" FROM accounts")]
            public sealed record Account(long Id, string FirstName, string LastName);
            """);
    }

    [Fact]
    public async Task Locations_follow_escape_sequences_in_regular_strings()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT \"x\"\t, name AS {|RJ0005:Nm|}\n FROM \u0061ccounts")]
            public sealed record Account(string Nm);
            """);
    }

    [Fact]
    public async Task Locations_follow_a_const_field_reference_and_concatenation()
    {
        await VerifyAsync("""
            public static class Sql
            {
                public const string Select = "SELECT id ";
                public const string Query = Select + "FROM accounts WHERE id = $1 OR id = {|RJ0003:$5|}";
            }

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", Sql.Query)]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Types_without_ReJot_attributes_are_ignored()
    {
        await VerifyAsync("""
            public sealed class Unrelated
            {
                public const string Sql = "SELECT 'unterminated";
            }
            """);
    }
}
