using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace ReJot.Manifest.Tests;

public sealed class PublicApiTests
{
    private static string SnapshotPath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "PublicApi", "ReJot.Manifest.approved.txt");

    [Fact]
    public void Public_api_is_deliberate()
    {
        var api = typeof(ManifestDocument).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"] })
            .ReplaceLineEndings("\n");
        var path = SnapshotPath();
        if (Environment.GetEnvironmentVariable("REJOT_UPDATE_SNAPSHOTS") == "1" || !File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, api);
        }

        Assert.True(
            File.ReadAllText(path).ReplaceLineEndings("\n") == api,
            $"The public API of ReJot.Manifest changed. If intended, run 'REJOT_UPDATE_SNAPSHOTS=1 dotnet test tests/ReJot.Manifest.Tests' and commit {path}.");
    }
}
