using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class PublicSchemaAnalyzerTests
{
    private static Task VerifyAsync(string source) => Verify.AnalyzerAsync<PublicSchemaAnalyzer>(source);

    [Fact]
    public async Task Valid_public_schema_reports_nothing()
    {
        await VerifyAsync(""""
            public enum Status { Active, Closed }

            public sealed record Address(string Street, string? City);

            [PublicSchema("account", Source = "accounts", Major = 2, Minor = 1)]
            [Transformation(Operation.InsertOrUpdate, "public.accounts", """
                SELECT a.id, a.name AS "name", a.status, a.tags, a.address, a.created_at AS "createdAt",
                       a.balance, a.external_id AS "externalId"
                FROM accounts a WHERE a.id = :id
                """)]
            [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
            public sealed record Account(
                [property: Key] long Id,
                string Name,
                Status Status,
                System.Collections.Generic.List<string> Tags,
                Address Address,
                System.DateTimeOffset CreatedAt,
                decimal Balance,
                System.Guid ExternalId,
                string? Nickname);
            """");
    }

    [Fact]
    public async Task Public_schema_without_transformations_reports_RJ0015()
    {
        await VerifyAsync("""
            [{|RJ0015:PublicSchema("account", Source = "accounts")|}]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Two_types_with_the_same_name_and_version_report_RJ0016_on_both()
    {
        await VerifyAsync("""
            [PublicSchema({|RJ0016:"account"|}, Source = "accounts", Major = 1, Minor = 0)]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);

            [PublicSchema({|RJ0016:"account"|}, Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record AccountAgain(long Id);

            [PublicSchema("account", Source = "accounts", Minor = 1)]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record AccountNextMinor(long Id);
            """);
    }

    [Fact]
    public async Task Delete_transformation_without_key_reports_RJ0017()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id FROM accounts WHERE id = :id")]
            [{|RJ0017:Transformation(Operation.Delete, "accounts", "SELECT :id AS \"id\"")|}]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Required_field_missing_from_the_select_list_reports_RJ0018_on_the_list()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT {|RJ0018:id, email|} FROM accounts WHERE id = :id")]
            public sealed record Account(long Id, string Email, string DisplayName, string? Nickname);
            """);
    }

    [Fact]
    public async Task Output_column_matching_no_field_reports_RJ0019_with_a_suggestion()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, {|RJ0019:emial|}, now() AS {|RJ0019:\"at\"|} FROM accounts WHERE id = :id")]
            public sealed record Account(long Id, string? Email);
            """);
    }

    [Fact]
    public async Task Delete_transformation_returning_non_key_columns_reports_RJ0019()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, name FROM accounts WHERE id = :id")]
            [Transformation(Operation.Delete, "accounts", "SELECT :id AS \"id\", :name AS {|RJ0019:\"name\"|}")]
            public sealed record Account([property: Key] long Id, string Name);
            """);
    }

    [Fact]
    public async Task Unreadable_select_lists_are_not_checked_against_fields()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT * FROM accounts WHERE id = :id")]
            [Transformation(Operation.Update, "accounts", "WITH x AS (SELECT 1) SELECT a.* FROM accounts a")]
            public sealed record Account(long Id, string Name);
            """);
    }

    [Fact]
    public async Task Mixed_case_alias_written_like_the_field_is_left_to_RJ0005()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, display_name AS displayName FROM accounts")]
            public sealed record Account(long Id, string DisplayName);
            """);
    }

    [Fact]
    public async Task Unrepresentable_property_types_report_RJ0020_on_the_type()
    {
        await VerifyAsync("""
            public sealed class Node { public Node? Next { get; set; } }

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT * FROM accounts")]
            public sealed class Account
            {
                public long Id { get; set; }
                public {|RJ0020:System.Action|} Callback { get; set; } = () => { };
                public {|RJ0020:int[,]|} Grid { get; set; } = new int[0, 0];
                public {|RJ0020:System.Collections.Generic.Dictionary<int, string>|} ByNumber { get; set; } = new();
                public {|RJ0020:Node|} Chain { get; set; } = new();
                public {|RJ0020:System.IDisposable?|} Resource { get; set; }
                public System.Collections.Generic.Dictionary<string, int> Counts { get; set; } = new();
                internal System.Action Hidden { get; set; } = () => { };
            }
            """);
    }

    [Fact]
    public async Task Invalid_table_names_report_RJ0021()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, {|RJ0021:"accounts; DROP TABLE x"|}, "SELECT 1 AS \"id\"")]
            [Transformation(Operation.Update, {|RJ0021:""|}, "SELECT 1 AS \"id\"")]
            [Transformation(Operation.Update, "\"Sales\".\"Orders\"", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Invalid_schema_name_and_source_slug_report_RJ0022()
    {
        await VerifyAsync("""
            [PublicSchema({|RJ0022:"Account Schema"|}, Source = {|RJ0022:"Accounts DB"|})]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Missing_source_reports_RJ0023()
    {
        await VerifyAsync("""
            [{|RJ0023:PublicSchema("account")|}]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Negative_versions_report_RJ0024()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts", Major = {|RJ0024:-1|}, Minor = {|RJ0024:-2|})]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Json_property_names_and_ignored_properties_follow_System_Text_Json()
    {
        await VerifyAsync("""
            using System.Text.Json.Serialization;

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id AS \"ID\", url AS \"urlValue\" FROM accounts")]
            public sealed class Account
            {
                [JsonPropertyName("ID")] public long Id { get; set; }
                public string URLValue { get; set; } = "";
                [JsonIgnore] public string Secret { get; set; } = "";
            }
            """);
    }

    [Fact]
    public async Task Transformation_on_a_type_without_PublicSchema_reports_RJ0026()
    {
        await VerifyAsync("""
            [{|RJ0026:Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")|}]
            public sealed record Account(long Id);
            """);
    }

    [Fact]
    public async Task Expression_without_alias_is_reported_as_question_column_with_a_hint()
    {
        await Verify.AnalyzerAsync<PublicSchemaAnalyzer>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, {|#0:1 + 1|} FROM accounts")]
            public sealed record Account(long Id);
            """,
            [new Microsoft.CodeAnalysis.Testing.DiagnosticResult("RJ0019", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithMessage("Output column '?column?' matches no field of 'account' (PostgreSQL names an expression without alias '?column?'; add AS \"<field>\")")]);
    }
}
