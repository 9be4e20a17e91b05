using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ReJot.Schemas.Generator.Tests;

public sealed class ManifestFragmentTests
{
    private const string Contract = """
        using ReJot.Schemas;
        namespace Shop.Contracts;
        [PublicSchema("customer", Source = "crm", Major = 3)]
        [Transformation(Operation.Insert, "customers", "SELECT id, name FROM customers WHERE id = :id")]
        public sealed partial record Customer([property: Key] int Id, string Name);
        """;

    [Fact]
    public void Output_is_identical_whatever_the_order_of_source_files()
    {
        var sources = new[]
        {
            Contract,
            GeneratorSnapshotTests.Accounts.Replace("[assembly: ReJotManifest(\"accounts-service\")]", ""),
            "namespace Other; public sealed class Noise { }",
        };
        var (first, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Shop.Service", null, sources));
        var (second, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Shop.Service", null, [.. sources.Reverse()]));
        var a = first.Results.Single().GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + "\n" + s.SourceText).ToList();
        var b = second.Results.Single().GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + "\n" + s.SourceText).ToList();
        Assert.Equal(a, b);
        Assert.DoesNotContain("/src/", string.Concat(a));
    }

    [Fact]
    public void Slug_comes_from_the_attribute_else_the_build_property_else_the_kebab_cased_assembly_name()
    {
        var (_, byName) = GeneratorHarness.Run(GeneratorHarness.Compile("ShopJot.Customer_Service", null, Contract));
        Assert.Equal("shop-jot-customer-service", (string?)JsonNode.Parse(GeneratorHarness.FragmentJson(byName))!["slug"]);

        var driver = GeneratorHarness.CreateDriver(options: new TestOptionsProvider(new Dictionary<string, string> { ["build_property.ReJotManifestSlug"] = "crm-service" }));
        var (_, byProperty) = GeneratorHarness.Run(GeneratorHarness.Compile("ShopJot.Customers", null, Contract), driver);
        Assert.Equal("crm-service", (string?)JsonNode.Parse(GeneratorHarness.FragmentJson(byProperty))!["slug"]);

        // The resolved slug is written into the assembly, so consumers in other assemblies can read it.
        var attribute = byProperty.Assembly.GetAttributes().Single(a => a.AttributeClass!.Name == "ReJotManifestAttribute");
        Assert.Equal("crm-service", attribute.ConstructorArguments[0].Value);
    }

    [Fact]
    public void Typed_consumer_of_a_contract_in_a_referenced_assembly_uses_that_assemblys_slug_name_and_major()
    {
        var driver = GeneratorHarness.CreateDriver(options: new TestOptionsProvider(new Dictionary<string, string> { ["build_property.ReJotManifestSlug"] = "crm" }));
        var (_, contracts) = GeneratorHarness.Run(GeneratorHarness.Compile("Shop.Contracts", null, Contract), driver);
        var contractsImage = Emit(contracts);

        var (_, consumer) = GeneratorHarness.Run(GeneratorHarness.Compile("Billing.Service", [MetadataReference.CreateFromImage(contractsImage)], """
            using ReJot.Schemas;
            [ConsumerSchema<Shop.Contracts.Customer>("customers-into-billing", Destination = "billing")]
            public sealed partial class CustomersIntoBilling
            {
                [UpsertSql] public const string Upsert = "INSERT INTO c (id, name) VALUES (:id, :name)";
            }
            """));

        var fragment = JsonNode.Parse(GeneratorHarness.FragmentJson(consumer))!;
        Assert.Equal("billing-service", (string?)fragment["slug"]);
        Assert.Empty(fragment["publicSchemas"]!.AsArray());
        var entry = fragment["consumerSchemas"]![0]!;
        Assert.Equal("crm", (string?)entry["sourceManifestSlug"]);
        Assert.Equal("""{"name":"customer","majorVersion":3}""", entry["publicSchema"]!.ToJsonString());
    }

    [Fact]
    public void Loading_the_assembly_registers_its_manifest_with_GeneratedManifests()
    {
        var name = "Registered.Service" + Guid.NewGuid().ToString("N");
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(name, null, Contract));
        var assembly = AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(Emit(output)));
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);

        var registered = Assert.Single(GeneratedManifests.All, m => m.AssemblyName == name);
        Assert.Equal(Naming(name), registered.ManifestSlug);
        Assert.Equal("customer", (string?)JsonNode.Parse(registered.Json)!["publicSchemas"]![0]!["name"]);
        Assert.Equal(registered.Json, GeneratorHarness.FragmentJson(output));
    }

    [Fact]
    public void Bad_input_is_skipped_silently_and_good_schemas_still_generate()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compile("Mixed", null, Contract, """
            using ReJot.Schemas;
            [PublicSchema("", Source = "crm")]
            public sealed record NoName(int Id);
            [PublicSchema("no-source")]
            public sealed record NoSource(int Id);
            [PublicSchema("generic", Source = "crm")]
            public sealed record Generic<T>(T Value);
            [ConsumerSchema("no-sql", Destination = "d")]
            [Consumes("crm", "customer", Major = 3)]
            public sealed class NoSql { }
            [ConsumerSchema("no-reference", Destination = "d")]
            public sealed class NoReference { [UpsertSql] const string Upsert = "SELECT 1"; }
            [ConsumerSchema("not-const", Destination = "d")]
            [Consumes("crm", "customer", Major = 3)]
            public sealed class NotConst { [UpsertSql] static readonly string Upsert = "SELECT 1"; }
            """));

        Assert.Empty(result.Diagnostics);
        var fragment = JsonNode.Parse(GeneratorHarness.FragmentJson(output))!;
        Assert.Equal(["customer"], fragment["publicSchemas"]!.AsArray().Select(s => (string)s!["name"]!));
        Assert.Empty(fragment["consumerSchemas"]!.AsArray());
    }

    [Fact]
    public void A_CSharp_7_3_project_gets_code_it_can_compile()
    {
        var options = new CSharpParseOptions(LanguageVersion.CSharp7_3);
        var compilation = CSharpCompilation.Create(
            "Legacy.Contracts",
            [CSharpSyntaxTree.ParseText("""
                using ReJot.Schemas;
                [PublicSchema("legacy", Source = "db")]
                [Transformation(Operation.Insert, "legacy", "SELECT id FROM legacy WHERE id = :id")]
                public sealed partial class Legacy { public int Id { get; set; } }
                """, options, "/src/Legacy.cs", cancellationToken: TestContext.Current.CancellationToken)],
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SchemaGenerator().AsSourceGenerator()], parseOptions: options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _, TestContext.Current.CancellationToken);

        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal("legacy", (string?)JsonNode.Parse(GeneratorHarness.FragmentJson(output))!["publicSchemas"]![0]!["name"]);
        Assert.DoesNotContain("#nullable", string.Concat(output.SyntaxTrees.Skip(1).Select(t => t.ToString())));
    }

    private static string Naming(string assemblyName) => ReJot.Schemas.Generator.Parsing.Naming.ToKebabCase(assemblyName);

    private static byte[] Emit(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return stream.ToArray();
    }
}
