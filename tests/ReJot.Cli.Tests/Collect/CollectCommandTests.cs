using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ReJot.Manifest;

namespace ReJot.Cli.Tests.Collect;

public sealed class CollectCommandTests : IDisposable
{
    private const string Contract = """"
        using ReJot.Schemas;

        [assembly: ReJotManifest("accounts-service")]

        namespace Accounts;

        [PublicSchema("account", Source = "accounts", Major = 1)]
        [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name, email FROM accounts WHERE id = :id""")]
        [Transformation(Operation.Delete, "accounts", """SELECT :id AS "id" """)]
        public sealed partial record Account([property: Key] long Id, string Name, string? Email);

        [ConsumerSchema("accounts-into-orders", Destination = "accounts")]
        [Consumes("accounts-service", "account", Major = 1)]
        public sealed partial class AccountsIntoOrders
        {
            [UpsertSql] public const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
            [DeleteSql] public const string Delete = "DELETE FROM order_accounts WHERE id = :id";
        }
        """";

    private const string Existing = """
        {
          "slug": "accounts-service",
          "manifestVersion": 0,
          "connections": [{"slug": "accounts", "config": {"connectionType": "postgres", "host": "localhost", "port": 5432, "user": "postgres", "password": "${PGPASSWORD}", "database": "accounts"}}],
          "dataStores": [{"connectionSlug": "accounts", "config": {"connectionType": "postgres", "slotName": "rejot_slot", "publicationName": "rejot_pub"}}],
          "eventStores": [{"connectionSlug": "accounts"}],
          "publicSchemas": [
            {"name": "other", "source": {"dataStoreSlug": "accounts"}, "outputSchema": {"type": "object", "properties": {"id": {"type": "integer"}}},
             "version": {"major": 1, "minor": 0}, "config": {"publicSchemaType": "postgres", "transformations": [{"operation": "insert", "table": "other", "sql": "SELECT :id AS id"}]},
             "definitionFile": "elsewhere/other.ts"}
          ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("rejot-collect-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Collect_without_an_operation_prints_a_hint_and_exits_1()
    {
        Write("src/Account.cs", Contract);
        var (exit, output, error) = await RunAsync("collect", "src");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("Nothing to do: add --check", error);
    }

    [Fact]
    public async Task Check_passes_for_valid_schemas()
    {
        Write("src/Account.cs", Contract);
        var (exit, output, _) = await RunAsync("collect", "src", "--check");
        Assert.Equal(0, exit);
        Assert.Contains("Check passed: 2 schema(s)", output);
    }

    [Fact]
    public async Task Check_reports_analyzer_errors_with_file_line_column_and_id_and_exits_1()
    {
        Write("src/Account.cs", Contract.Replace("WHERE id = :id\"\"\")]", "WHERE id = :id OR id = $1\"\"\")]"));
        var (exit, output, _) = await RunAsync("collect", "src", "--check");
        Assert.Equal(1, exit);
        Assert.Contains($"src{Path.DirectorySeparatorChar}Account.cs:8:118: error RJ0002: ", output);
        Assert.Contains("Check failed: 1 error(s)", output);
    }

    [Fact]
    public async Task A_failing_check_prevents_the_write()
    {
        Write("src/Account.cs", Contract.Replace("SET name = :name\"", "SET name = :nmae\""));
        Write("rejot-manifest.json", Existing);
        var (exit, output, error) = await RunAsync("collect", "src", "--check", "--write");
        Assert.Equal(1, exit);
        Assert.Contains("error RJ0006", output);
        Assert.Contains("The manifest was not written", error);
        Assert.Equal(Existing, File.ReadAllText(Path.Combine(_directory, "rejot-manifest.json")));
    }

    [Fact]
    public async Task Print_writes_the_manifest_fragment_that_ReJot_Manifest_reads()
    {
        Write("src/Account.cs", Contract);
        var (exit, output, _) = await RunAsync("collect", "src/Account.cs", "--print");
        Assert.Equal(0, exit);
        var fragment = ManifestSerializer.Read(output);
        Assert.Equal("accounts-service", fragment.Slug);
        var schema = Assert.Single(fragment.PublicSchemas!);
        Assert.Equal("account", schema.Name);
        Assert.Equal("accounts-into-orders", Assert.Single(fragment.ConsumerSchemas!).Name);
    }

    [Fact]
    public async Task Write_merges_into_the_manifest_keeps_everything_else_and_says_what_changed()
    {
        Write("src/Account.cs", Contract);
        Write("rejot-manifest.json", Existing);
        var (exit, output, _) = await RunAsync("collect", "src", "--write");
        Assert.Equal(0, exit);
        Assert.Contains("Updated rejot-manifest.json: 2 added, 0 updated, 0 removed, 0 unchanged.", output);

        var manifest = await ManifestFile.ReadAsync(Path.Combine(_directory, "rejot-manifest.json"), TestContext.Current.CancellationToken);
        Assert.Equal(["other", "account"], manifest.PublicSchemas!.Select(s => s.Name));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, "rejot-manifest.json")))!;
        Assert.Equal("${PGPASSWORD}", (string?)json["connections"]![0]!["config"]!["password"]);
        Assert.Equal("src/Account.cs", (string?)json["publicSchemas"]![1]!["definitionFile"]);
        var verification = ManifestVerifier.Verify(manifest, Path.Combine(_directory, "rejot-manifest.json"));
        Assert.True(verification.IsValid, string.Join("\n", verification.Diagnostics.Select(d => d.Message)));

        (exit, output, _) = await RunAsync("collect", "src", "--write");
        Assert.Equal(0, exit);
        Assert.Contains("rejot-manifest.json is up to date (2 schema(s) unchanged).", output);

        // Renaming a schema in the same file replaces the old entry instead of leaving it behind.
        Write("src/Account.cs", Contract.Replace("\"account\", Source", "\"customer\", Source").Replace("\"account\", Major", "\"customer\", Major"));
        (exit, output, _) = await RunAsync("collect", "src", "--write");
        Assert.Equal(0, exit);
        Assert.Contains("1 added, 1 updated, 1 removed, 0 unchanged", output);
    }

    [Fact]
    public async Task Write_finds_the_manifest_upwards_and_creates_one_when_there_is_none()
    {
        Write("service/src/Account.cs", Contract);
        var (exit, output, _) = await RunAsync("collect", "service/src", "--write");
        Assert.Equal(0, exit);
        Assert.Contains("Created rejot-manifest.json: 2 added", output);

        var (secondExit, secondOutput, _) = await RunInAsync(Path.Combine(_directory, "service"), "collect", "src", "--write");
        Assert.Equal(0, secondExit);
        Assert.Contains($"..{Path.DirectorySeparatorChar}rejot-manifest.json is up to date", secondOutput);
    }

    [Fact]
    public async Task An_unreadable_manifest_is_reported_and_left_alone()
    {
        Write("src/Account.cs", Contract);
        Write("rejot-manifest.json", "{ \"slug\": ");
        var (exit, _, error) = await RunAsync("collect", "src", "--write");
        Assert.Equal(1, exit);
        Assert.Contains("error: Cannot merge the schemas into rejot-manifest.json: invalid JSON at line 1", error);
        Assert.Equal("{ \"slug\": ", File.ReadAllText(Path.Combine(_directory, "rejot-manifest.json")));
    }

    [Fact]
    public async Task A_project_file_is_collected_with_its_assembly_name_and_slug_property()
    {
        Write("Billing/Billing.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><ReJotManifestSlug>billing</ReJotManifestSlug></PropertyGroup>
            </Project>
            """);
        Write("Billing/Invoice.cs", """
            using ReJot.Schemas;
            [PublicSchema("invoice", Source = "billing")]
            [Transformation(Operation.Insert, "invoices", "SELECT id FROM invoices WHERE id = :id")]
            public sealed record Invoice(long Id);
            """);
        Write("Billing/obj/Ignored.cs", "this is not C#");
        var (exit, output, _) = await RunAsync("collect", "Billing/Billing.csproj", "--print", "--check");
        Assert.Equal(0, exit);
        Assert.Contains("\"slug\": \"billing\"", output);
        Assert.Contains("\"name\": \"invoice\"", output);
    }

    [Fact]
    public async Task A_built_assembly_is_read_from_metadata()
    {
        var dll = Path.Combine(_directory, "bin", "Accounts.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        var references = Directory.EnumerateFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System*.dll")
            .Where(f => !f.Contains("Native", StringComparison.Ordinal))
            .Select(f => MetadataReference.CreateFromFile(f))
            .Append(MetadataReference.CreateFromFile(typeof(ReJot.Schemas.PublicSchemaAttribute).Assembly.Location));
        var compilation = CSharpCompilation.Create("Accounts", [CSharpSyntaxTree.ParseText(Contract, cancellationToken: TestContext.Current.CancellationToken)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var emit = compilation.Emit(dll, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        Write("rejot-manifest.json", Existing);

        var (exit, output, _) = await RunAsync("collect", "bin/Accounts.dll", "--print", "--write");
        Assert.Equal(0, exit);
        Assert.Contains("2 added", output);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, "rejot-manifest.json")))!;
        var account = manifest["publicSchemas"]![1]!;
        Assert.Equal("account", (string?)account["name"]);
        Assert.Equal("""["id"]""", account["keys"]!.ToJsonString());
        Assert.Null(account["definitionFile"]);
    }

    [Fact]
    public async Task A_missing_input_is_a_one_line_error()
    {
        var (exit, _, error) = await RunAsync("collect", "missing.cs", "--check");
        Assert.Equal(1, exit);
        Assert.Equal("error: Input not found: missing.cs. Pass C# files or folders, a .csproj, or a built .dll.", error.Trim());
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunInAsync(_directory, args);

    private static async Task<(int Exit, string Output, string Error)> RunInAsync(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.InvokeAsync(args, new CliContext(output, error, _ => null, directory), TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
