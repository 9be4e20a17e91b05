using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class AllAnalyzersTests
{
    private sealed class AllAnalyzersTest : CSharpAnalyzerTest<SqlTextAnalyzer, DefaultVerifier>
    {
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() =>
            [new SqlTextAnalyzer(), new PublicSchemaAnalyzer(), new ConsumerSchemaAnalyzer(), new ManifestSlugAnalyzer()];
    }

    private static async Task VerifyAsync(string source, CompilerDiagnostics compilerDiagnostics = CompilerDiagnostics.Errors)
    {
        var test = new AllAnalyzersTest { TestCode = Verify.Usings + source, CompilerDiagnostics = compilerDiagnostics };
        test.TestState.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
        test.TestState.AdditionalReferences.Add(Verify.SchemasReference);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_documented_public_and_consumer_schemas_report_nothing()
    {
        await VerifyAsync(""""
            [assembly: ReJotManifest("accounts-service")]

            [PublicSchema("account", Source = "accounts", Major = 1, Minor = 0)]
            [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email FROM accounts WHERE id = :id""")]
            [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
            public sealed partial record Account([property: Key] long Id, string Name, string Email);

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
                [UpsertSql] const string Upsert = """
                    INSERT INTO billing_accounts (id, email)
                    VALUES (:id, :email)
                    ON CONFLICT (id) DO UPDATE SET email = :email
                    """;
            }
            """");
    }

    [Fact]
    public async Task A_realistic_contract_with_joins_casts_and_aggregates_reports_nothing()
    {
        await VerifyAsync(""""
            public enum OrderStatus { Open, Paid, Shipped }

            public sealed record OrderLine(string Sku, int Quantity, decimal Price);

            [PublicSchema("order", Source = "sales_db", Major = 2, Minor = 3)]
            [Transformation(Operation.InsertOrUpdate, "sales.orders", """
                -- one event per order, lines aggregated (the change may come from either table)
                SELECT o.id,
                       o.customer_id AS "customerId",
                       o.status::text AS "status",
                       o.created_at AS "createdAt",
                       coalesce(sum(l.quantity * l.price), 0)::numeric(12, 2) AS "total",
                       coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'price', l.price)
                                ORDER BY l.position) FILTER (WHERE l.id IS NOT NULL), '[]') AS "lines",
                       o.note
                FROM sales.orders o
                LEFT JOIN sales.order_lines l ON l.order_id = o.id
                WHERE o.id = :id AND o.tags @> ARRAY['x:y']::text[] AND o.meta ->> 'k' <> E'it\'s'
                GROUP BY o.id
                """)]
            [Transformation(Operation.InsertOrUpdate, "sales.order_lines", """
                SELECT o.id, o.customer_id AS "customerId", o.status::text AS "status", o.created_at AS "createdAt",
                       0::numeric AS "total", '[]'::json AS "lines", o.note
                FROM sales.orders o WHERE o.id = $1
                """)]
            [Transformation(Operation.Delete, "sales.orders", """SELECT $1::bigint AS "id" """)]
            public sealed partial record Order(
                [property: Key] long Id,
                System.Guid CustomerId,
                OrderStatus Status,
                System.DateTimeOffset CreatedAt,
                decimal Total,
                System.Collections.Generic.IReadOnlyList<OrderLine> Lines,
                string? Note);
            """");
    }

    [Fact]
    public async Task One_mistake_gives_one_diagnostic_across_all_analyzers()
    {
        await VerifyAsync(""""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", """SELECT id, display_name AS {|RJ0005:displayName|} FROM accounts WHERE id = :id""")]
            public sealed partial record Account(long Id, string DisplayName);
            """");
    }

    [Theory]
    [InlineData("[PublicSchema(]\npublic sealed record A(long Id);")]
    [InlineData("[PublicSchema(null!, Source = null!)]\n[Transformation(Operation.Insert, null!, null!)]\npublic sealed record A(long Id);")]
    [InlineData("[PublicSchema(\"a\", Source = \"s\")]\n[Transformation((Operation)42, \"t\", \"SELECT 1\")]\npublic sealed record A(long Id);")]
    [InlineData("[PublicSchema(\"a\", Source = \"s\")]\n[Transformation(Operation.Insert, \"t\", Missing.Sql)]\npublic sealed record A(Missing Id);")]
    [InlineData("[ConsumerSchema<Missing>(\"c\", Destination = \"d\")]\npublic sealed class C { [UpsertSql] const string U = ; }")]
    [InlineData("[ConsumerSchema(\"c\", Destination = \"d\")]\n[Consumes(null!, null!)]\npublic sealed class C { [UpsertSql] const string U = \"SELECT :x\" + Other.Value; }")]
    [InlineData("[assembly: ReJotManifest(]\n[ConsumerSchema(\"c\")] public struct S { [DeleteSql] string D; }")]
    [InlineData("[PublicSchema(\"a\", Source = \"s\")]\n[Transformation(Operation.Insert, \"t\", $\"SELECT {1}\")]\npublic record A<T>(T Value, A<T>? Next);")]
    public async Task Incomplete_code_while_typing_never_crashes_an_analyzer(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Typing",
            [CSharpSyntaxTree.ParseText(Verify.Usings + source, new CSharpParseOptions(LanguageVersion.Latest), cancellationToken: TestContext.Current.CancellationToken)],
            [.. Basic.Reference.Assemblies.Net100.References.All, Verify.SchemasReference],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);

        var diagnostics = await compilation
            .WithAnalyzers([new SqlTextAnalyzer(), new PublicSchemaAnalyzer(), new ConsumerSchemaAnalyzer(), new ManifestSlugAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);

        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public async Task Unresolved_types_and_half_typed_attributes_are_left_to_the_compiler()
    {
        await VerifyAsync("""
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id, other FROM accounts")]
            public sealed record Account(long Id, {|CS0246:Missing|} Other);

            [ConsumerSchema<{|CS0246:Missing|}>("c", Destination = "d")]
            public sealed class C { [UpsertSql] const string U = "SELECT :x"; }

            [{|CS7036:PublicSchema|}]
            public sealed record Half(long Id);
            """);
    }
}
