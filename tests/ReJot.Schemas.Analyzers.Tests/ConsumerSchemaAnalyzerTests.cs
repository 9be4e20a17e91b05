using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class ConsumerSchemaAnalyzerTests
{
    private const string Contract = """
        [assembly: ReJotManifest("accounts-service")]

        [PublicSchema("account", Source = "accounts", Major = 1)]
        [Transformation(Operation.InsertOrUpdate, "accounts", "SELECT id, name, email FROM accounts WHERE id = :id")]
        [Transformation(Operation.Delete, "accounts", "SELECT :id AS \"id\"")]
        public sealed record Account([property: Key] long Id, string Name, string Email);

        """;

    private static Task VerifyAsync(string source) => Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>(Contract + source);

    [Fact]
    public async Task Valid_consumer_of_a_schema_in_the_same_compilation_reports_nothing()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account", Major = 1)]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
                [DeleteSql] public const string Delete = "DELETE FROM order_accounts WHERE id = :id";
            }
            """);
    }

    [Fact]
    public async Task Valid_typed_consumer_reports_nothing()
    {
        await VerifyAsync("""
            [ConsumerSchema<Account>("accounts-into-billing", Destination = "billing")]
            public sealed class AccountsIntoBilling
            {
                [UpsertSql] const string Upsert = "INSERT INTO b (id, email) VALUES (:id, :email)";
            }
            """);
    }

    [Fact]
    public async Task Placeholder_that_is_not_a_field_reports_RJ0006_on_the_name()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, name, x) VALUES (:id, :{|RJ0006:nmae|}, :{|RJ0006:unrelated|})";
            }
            """);
    }

    [Fact]
    public async Task Placeholder_differing_only_in_case_suggests_the_field()
    {
        await Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>(Contract + """
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, email) VALUES (:id, :{|#0:Email|})";
            }
            """,
            [new DiagnosticResult("RJ0006", DiagnosticSeverity.Error).WithLocation(0)
                .WithMessage("':Email' is not a field of public schema 'account'; did you mean ':email'?")]);
    }

    [Fact]
    public async Task Delete_sql_using_a_non_key_field_reports_RJ0007()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
                [DeleteSql] public const string Delete = "DELETE FROM t WHERE id = :id AND name = :{|RJ0007:name|}";
            }
            """);
    }

    [Fact]
    public async Task Consumer_without_upsert_sql_reports_RJ0008()
    {
        await VerifyAsync("""
            [{|RJ0008:ConsumerSchema("accounts-into-orders", Destination = "orders")|}]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [DeleteSql] public const string Delete = "DELETE FROM t WHERE id = :id";
            }
            """);
    }

    [Fact]
    public async Task Unknown_public_schema_of_a_visible_manifest_reports_RJ0009_with_a_suggestion()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", {|RJ0009:"acount"|})]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:whatever)";
            }
            """);
    }

    [Fact]
    public async Task Typed_consumer_of_a_type_that_is_not_a_public_schema_reports_RJ0009()
    {
        await VerifyAsync("""
            public sealed record NotAContract(long Id);

            [{|RJ0009:ConsumerSchema<NotAContract>("x-into-y", Destination = "y")|}]
            public sealed class XIntoY
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Unknown_major_version_reports_RJ0010()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account", Major = {|RJ0010:2|})]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Schema_of_a_manifest_that_is_not_visible_reports_RJ0011_and_skips_field_checks()
    {
        await VerifyAsync("""
            [ConsumerSchema("shipments-into-orders", Destination = "orders")]
            [Consumes({|RJ0011:"shipping-service"|}, "shipment")]
            public sealed class ShipmentsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:anything)";
            }
            """);
    }

    [Fact]
    public async Task Schema_in_a_referenced_assembly_is_found_by_its_manifest_slug()
    {
        var contracts = Verify.CompileLibrary("Shipping.Contracts", """
            [PublicSchema("shipment", Source = "shipping", Major = 3)]
            [Transformation(Operation.Insert, "shipments", "SELECT id FROM shipments WHERE id = :id")]
            public sealed record Shipment([property: Key] long Id, string Carrier);
            """);

        await Verify.AnalyzerAsync<ConsumerSchemaAnalyzer>("""
            [ConsumerSchema("shipments-into-orders", Destination = "orders")]
            [Consumes("shipping-contracts", "shipment", Major = 3)]
            public sealed class ShipmentsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, carrier) VALUES (:id, :{|RJ0006:carier|})";
            }

            [ConsumerSchema("shipments-into-billing", Destination = "billing")]
            [Consumes("shipping-contracts", "shipment", Major = {|RJ0010:1|})]
            public sealed class ShipmentsIntoBilling
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }

            [ConsumerSchema<Shipment>("shipments-into-audit", Destination = "audit")]
            public sealed class ShipmentsIntoAudit
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id, carrier) VALUES (:id, :carrier)";
                [DeleteSql] public const string Delete = "DELETE FROM t WHERE carrier = :{|RJ0007:carrier|}";
            }
            """, contracts);
    }

    [Fact]
    public async Task Sql_field_that_is_not_a_const_string_reports_RJ0012()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public static readonly string {|RJ0012:Upsert|} = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Second_upsert_field_reports_RJ0013()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
                [UpsertSql] public const string {|RJ0013:UpsertAgain|} = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Consumer_that_names_no_public_schema_reports_RJ0014()
    {
        await VerifyAsync("""
            [{|RJ0014:ConsumerSchema("accounts-into-orders", Destination = "orders")|}]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Consumer_that_names_its_public_schema_twice_reports_RJ0014()
    {
        await VerifyAsync("""
            [ConsumerSchema<Account>("accounts-into-orders", Destination = "orders")]
            [{|RJ0014:Consumes("accounts-service", "account")|}]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Invalid_names_and_slugs_report_RJ0022()
    {
        await VerifyAsync("""
            [ConsumerSchema({|RJ0022:"Into Orders"|}, Destination = {|RJ0022:"-orders"|})]
            [Consumes({|RJ0022:"Accounts_Service"|}, "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Scoped_manifest_slugs_are_valid()
    {
        await VerifyAsync("""
            [ConsumerSchema("into-orders", Destination = "orders_db")]
            [Consumes({|RJ0011:"@acme/accounts"|}, "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Missing_destination_reports_RJ0023()
    {
        await VerifyAsync("""
            [{|RJ0023:ConsumerSchema("accounts-into-orders")|}]
            [Consumes("accounts-service", "account")]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Negative_consumed_major_reports_RJ0024()
    {
        await VerifyAsync("""
            [ConsumerSchema("accounts-into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account", Major = {|RJ0024:-1|})]
            public sealed class AccountsIntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Duplicate_consumer_names_report_RJ0025_on_both()
    {
        await VerifyAsync("""
            [ConsumerSchema({|RJ0025:"into-orders"|}, Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class First
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }

            [ConsumerSchema({|RJ0025:"into-orders"|}, Destination = "orders")]
            [Consumes("accounts-service", "account")]
            public sealed class Second
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
            }
            """);
    }

    [Fact]
    public async Task Manifest_slug_from_the_build_property_identifies_this_compilation()
    {
        await Verify.AnalyzerWithOptionsAsync<ConsumerSchemaAnalyzer>(
            """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT 1 AS \"id\"")]
            public sealed record Account(long Id);

            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("from-property", "account")]
            public sealed class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:{|RJ0006:idd|})";
            }
            """,
            "build_property.ReJotManifestSlug = from-property");
    }

    [Fact]
    public async Task Consumer_attributes_on_a_type_without_ConsumerSchema_report_RJ0026()
    {
        await VerifyAsync("""
            [{|RJ0026:Consumes("accounts-service", "account")|}]
            public sealed class Forgotten
            {
                [UpsertSql] public const string {|RJ0026:Upsert|} = "INSERT INTO t (id) VALUES (:id)";
                [DeleteSql] public const string {|RJ0026:Delete|} = "DELETE FROM t WHERE id = :id";
            }
            """);
    }
}
