using PublicApiGenerator;

namespace ReJot.Schemas.Generator.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_surface_of_ReJot_Schemas_is_deliberate()
    {
        var api = typeof(PublicSchemaAttribute).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"],
        });
        Snapshot.Verify([("ReJot.Schemas.cs", api)]);
    }
}
