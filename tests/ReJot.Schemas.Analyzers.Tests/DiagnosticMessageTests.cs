using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

/// <summary>The messages a developer reads: what is wrong, and what to do.</summary>
public sealed class DiagnosticMessageTests
{
    private const string Contract = """
        [assembly: ReJotManifest("accounts-service")]

        [PublicSchema("account", Source = "accounts", Major = 1)]
        [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
        public sealed record Account([property: Key] long Id, string Name);

        [PublicSchema("account", Source = "accounts", Major = 3)]
        [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
        public sealed record AccountV3([property: Key] long Id, string Name);

        """;

    private static DiagnosticResult Expect(string id, DiagnosticSeverity severity, string message)
        => new DiagnosticResult(id, severity).WithLocation(0).WithMessage(message);

    [Fact]
    public async Task RJ0003_names_the_missing_numbers()
    {
        await Verify.AnalyzerAsync<SqlTextAnalyzer>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id FROM accounts WHERE id = $1 AND a = {|#0:$4|} AND b = $4")]
            public sealed record Account(long Id);
            """,
            [Expect("RJ0003", DiagnosticSeverity.Error, "Positional placeholders must be numbered $1..$2 without gaps (found $1, $4; $2 missing).")]);
    }

    [Fact]
    public async Task RJ0009_suggests_the_closest_public_schema_name()
    {
        await Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>(
            Contract + """
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("accounts-service", {|#0:"acounts"|})]
            public sealed class IntoOrders { [UpsertSql] const string Upsert = "SELECT 1"; }
            """,
            [Expect("RJ0009", DiagnosticSeverity.Error, "Manifest 'accounts-service' has no public schema 'acounts'; did you mean 'account'?")]);
    }

    [Fact]
    public async Task RJ0010_lists_the_published_major_versions()
    {
        await Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>(
            Contract + """
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account", Major = {|#0:2|})]
            public sealed class IntoOrders { [UpsertSql] const string Upsert = "SELECT 1"; }
            """,
            [Expect("RJ0010", DiagnosticSeverity.Error, "Public schema 'account' of manifest 'accounts-service' has no major version 2 (available: 1, 3)")]);
    }

    [Fact]
    public async Task RJ0007_lists_the_key_fields()
    {
        await Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>(
            Contract + """
            [ConsumerSchema<Account>("into-orders", Destination = "orders")]
            public sealed class IntoOrders
            {
                [UpsertSql] const string Upsert = "INSERT INTO t (id) VALUES (:id)";
                [DeleteSql] const string Delete = "DELETE FROM t WHERE name = :{|#0:name|}";
            }
            """,
            [Expect("RJ0007", DiagnosticSeverity.Error, "Delete events carry only the key fields of 'account' (id); ':name' is not one of them")]);
    }

    [Fact]
    public async Task RJ0018_says_which_field_and_how_to_add_it()
    {
        await Verify.AnalyzerAsync<PublicSchemaAnalyzer>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Update, "accounts", "SELECT {|#0:id|} FROM accounts")]
            public sealed record Account(long Id, string DisplayName);
            """,
            [Expect("RJ0018", DiagnosticSeverity.Error, "No output column of this update transformation provides field 'displayName' of 'account' (add a column \"displayName\", e.g. ... AS \"displayName\")")]);
    }

    [Fact]
    public async Task RJ0019_suggests_the_field_a_folded_column_was_meant_to_be()
    {
        await Verify.AnalyzerAsync<PublicSchemaAnalyzer>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Update, "accounts", "SELECT id, {|#0:display_name|} FROM accounts")]
            public sealed record Account(long Id, string? DisplayName);
            """,
            [Expect("RJ0019", DiagnosticSeverity.Warning, "Output column 'display_name' matches no field of 'account'; did you mean \"displayName\"?")]);
    }

    [Fact]
    public async Task RJ0020_explains_why_a_nested_type_is_not_representable()
    {
        await Verify.AnalyzerAsync<PublicSchemaAnalyzer>(
            """
            public sealed record Holder(System.Action Callback);

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Update, "accounts", "SELECT * FROM accounts")]
            public sealed record Account(long Id, {|#0:Holder|} Holder);
            """,
            [Expect("RJ0020", DiagnosticSeverity.Error, "Field 'Holder' has type 'Holder', which a ReJot contract cannot represent (its field 'Callback' of type 'System.Action' is not representable (delegates are not data))")]);
    }
}
