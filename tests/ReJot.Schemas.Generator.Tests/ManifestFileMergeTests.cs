using System.Text.Json.Nodes;
using ReJot.Schemas.Generator.Emitting;

namespace ReJot.Schemas.Generator.Tests;

public sealed class ManifestFileMergeTests
{
    private const string ManifestPath = "/src/Accounts.Service/rejot-manifest.json";

    private const string Existing = """
        {
          "slug": "accounts-service",
          "manifestVersion": 0,
          "connections": [{"slug": "accounts", "config": {"connectionType": "postgres", "host": "localhost", "port": 5432, "user": "postgres", "password": "${PGPASSWORD}", "database": "accounts"}}],
          "dataStores": [{"connectionSlug": "accounts", "config": {"connectionType": "postgres", "slotName": "rejot_slot", "publicationName": "rejot_pub"}}],
          "eventStores": [{"connectionSlug": "accounts"}],
          "publicSchemas": [
            {"name": "legacy", "source": {"dataStoreSlug": "accounts"}, "outputSchema": {}, "version": {"major": 1, "minor": 0},
             "config": {"publicSchemaType": "postgres", "transformations": []}, "definitionFile": "../other/legacy.ts"},
            {"name": "account", "source": {"dataStoreSlug": "accounts"}, "outputSchema": {}, "version": {"major": 1, "minor": 0},
             "config": {"publicSchemaType": "postgres", "transformations": []}, "definitionFile": "Old.cs"},
            {"name": "gone", "source": {"dataStoreSlug": "accounts"}, "outputSchema": {}, "version": {"major": 1, "minor": 0},
             "config": {"publicSchemaType": "postgres", "transformations": []}, "definitionFile": "File0.cs"}
          ],
          "workspaces": ["child.json"],
          "x-custom": 1.50
        }
        """;

    [Fact]
    public void Merging_replaces_this_projects_schemas_and_keeps_everything_else()
    {
        var (result, _) = Run(Existing);
        var generated = GeneratorHarness.Generated(result, ManifestFileEmitter.HintName);
        Assert.Contains(ManifestFileEmitter.ChangesMarker + "added=3 updated=1 removed=1 unchanged=0", generated);

        var json = Extract(generated);
        Assert.Contains("\"x-custom\": 1.50", json);
        var manifest = JsonNode.Parse(json)!;
        Assert.Equal("${PGPASSWORD}", (string?)manifest["connections"]![0]!["config"]!["password"]);
        Assert.Equal(["child.json"], manifest["workspaces"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["legacy", "account", "address"], manifest["publicSchemas"]!.AsArray().Select(n => (string)n!["name"]!));
        Assert.Equal("File0.cs", (string?)manifest["publicSchemas"]![1]!["definitionFile"]);
        Assert.Equal("../other/legacy.ts", (string?)manifest["publicSchemas"]![0]!["definitionFile"]);
        Assert.Equal(2, manifest["consumerSchemas"]!.AsArray().Count);
        Assert.Contains("*\\/", json);
    }

    [Fact]
    public void Merging_twice_is_stable()
    {
        var (first, _) = Run(Existing);
        var once = Extract(GeneratorHarness.Generated(first, ManifestFileEmitter.HintName));
        var (second, _) = Run(once);
        var generated = GeneratorHarness.Generated(second, ManifestFileEmitter.HintName);
        Assert.Equal(once, Extract(generated));
        Assert.Contains("added=0 updated=0 removed=0 unchanged=4", generated);
    }

    [Fact]
    public void A_missing_manifest_is_created_with_the_slug_and_empty_sections()
    {
        var (result, _) = Run(null);
        var manifest = JsonNode.Parse(Extract(GeneratorHarness.Generated(result, ManifestFileEmitter.HintName)))!;
        Assert.Equal("accounts-service", (string?)manifest["slug"]);
        Assert.Equal(0, (int)manifest["manifestVersion"]!);
        Assert.Empty(manifest["connections"]!.AsArray());
        Assert.Equal(2, manifest["publicSchemas"]!.AsArray().Count);
    }

    [Fact]
    public void An_unreadable_manifest_is_reported_with_its_position_and_not_overwritten()
    {
        var (result, _) = Run("{\n  \"slug\": \"a\",\n  oops\n}");
        var generated = GeneratorHarness.Generated(result, ManifestFileEmitter.HintName);
        Assert.Contains(ManifestFileEmitter.ErrorMarker + "invalid JSON at line 3, column 3", generated);
        Assert.DoesNotContain(ManifestFileEmitter.Begin, generated);
    }

    private static (Microsoft.CodeAnalysis.GeneratorDriverRunResult, Microsoft.CodeAnalysis.Compilation) Run(string? manifest)
    {
        var driver = GeneratorHarness.CreateDriver([new InMemoryAdditionalText(ManifestPath, manifest)], TestOptionsProvider.ForManifestFile(ManifestPath));
        return GeneratorHarness.Run(GeneratorHarness.Compile("Accounts.Service", null, GeneratorSnapshotTests.Accounts), driver);
    }

    internal static string Extract(string generated)
    {
        var start = generated.IndexOf(ManifestFileEmitter.Begin, StringComparison.Ordinal) + ManifestFileEmitter.Begin.Length + 1;
        var end = generated.IndexOf(ManifestFileEmitter.End, StringComparison.Ordinal);
        return generated[start..end];
    }
}
