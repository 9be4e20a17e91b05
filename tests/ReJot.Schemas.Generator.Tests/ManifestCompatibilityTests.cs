using ReJot.Manifest;
using ReJot.Schemas.Generator.Emitting;

namespace ReJot.Schemas.Generator.Tests;

/// <summary>What the generator emits is read and verified by ReJot.Manifest, the runtime's manifest model.</summary>
public sealed class ManifestCompatibilityTests
{
    [Fact]
    public void The_generated_fragment_loads_through_ReJot_Manifest_and_verifies()
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile("Accounts.Service", null, GeneratorSnapshotTests.Accounts));
        var manifest = ManifestSerializer.Read(GeneratorHarness.FragmentJson(output));

        Assert.Equal("accounts-service", manifest.Slug);
        Assert.Equal(["account", "address"], manifest.PublicSchemas!.Select(s => s.Name));
        Assert.Equal(["accounts-into-billing", "accounts-into-orders"], manifest.ConsumerSchemas!.Select(s => s.Name));

        // Alone the fragment lacks its data stores; every other rule (schemas, keys, placeholders) must hold.
        var result = ManifestVerifier.Verify(manifest, options: new ManifestVerificationOptions { CheckExternalReferences = false });
        var unexpected = result.Diagnostics.Where(d => d.IsError && d.Type is not (DiagnosticTypes.DataStoreNotFound or DiagnosticTypes.DataStoreMissingConfig)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Select(d => $"{d.Type}: {d.Message}")));
    }

    [Fact]
    public void The_merged_manifest_file_loads_through_ReJot_Manifest()
    {
        const string path = "/src/Accounts.Service/rejot-manifest.json";
        var driver = GeneratorHarness.CreateDriver([new InMemoryAdditionalText(path, null)], TestOptionsProvider.ForManifestFile(path));
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Accounts.Service", null, GeneratorSnapshotTests.Accounts), driver);
        var json = ManifestFileMergeTests.Extract(GeneratorHarness.Generated(result, ManifestFileEmitter.HintName));

        var manifest = ManifestSerializer.Read(json, path);
        Assert.Equal("File0.cs", manifest.PublicSchemas![0].DefinitionFile);
        Assert.Equal("SELECT :id AS \"id\" /* key only */", manifest.PublicSchemas![0].Config.Transformations.Last().Sql);
    }
}
