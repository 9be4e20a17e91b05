using System.Runtime.CompilerServices;
using System.Text.Json;
using NJsonSchema;

namespace ReJot.Manifest.Tests;

public sealed class ManifestJsonSchemaTests
{
    private static string CommittedPath([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "../../src/ReJot.Manifest/schema.json"));

    // outputSchema refers to the draft-07 meta-schema by URL; tests run offline, so it resolves to "anything".
    private static Task<JsonSchema> LoadAsync() =>
        JsonSchema.FromJsonAsync(ManifestJsonSchema.Json, documentPath: null, schema => new OfflineResolver(schema), TestContext.Current.CancellationToken);

    private sealed class OfflineResolver(JsonSchema schema)
        : JsonReferenceResolver(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()))
    {
        public override Task<NJsonSchema.References.IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            Task.FromResult<NJsonSchema.References.IJsonReference>(new JsonSchema());
    }

    [Fact]
    public void Committed_schema_json_matches_the_model()
    {
        var generated = ManifestJsonSchema.Generate();
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("REJOT_UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(path, generated);
        }

        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(
            committed == generated,
            $"{path} is out of date with the manifest model. Run 'REJOT_UPDATE_SCHEMA=1 dotnet test tests/ReJot.Manifest.Tests' and commit the file.");
    }

    [Fact]
    public void Embedded_schema_is_the_committed_file()
    {
        Assert.Equal(File.ReadAllText(CommittedPath()).ReplaceLineEndings("\n"), ManifestJsonSchema.Json.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("original-fromaccounts.json")]
    [InlineData("original-to-orders.json")]
    public async Task Original_manifests_validate_against_the_schema(string fixture)
    {
        var schema = await LoadAsync();

        var errors = schema.Validate(Fixtures.Read(fixture));

        Assert.Empty(errors);
    }

    [Fact]
    public async Task Schema_flags_typos_wrong_versions_and_bad_names()
    {
        var schema = await LoadAsync();
        const string json = """
            {"slug":"Bad Slug","manifestVersion":1,"conections":[],
             "connections":[{"slug":"c","config":{"connectionType":"postgres","host":"h"}}],
             "dataStores":[{"connectionSlug":"c","config":{"connectionType":"postgres","slotName":"Bad","publicationName":"ok"}}]}
            """;

        var errors = schema.Validate(json).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("slug", StringComparison.Ordinal) && e.Contains("Pattern", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(errors, e => e.Contains("conections", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("manifestVersion", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("slotName", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_manifest_with_keys_and_environment_references_validates()
    {
        var schema = await LoadAsync();
        var manifest = ManifestDocument.CreateEmpty("svc");
        manifest.Connections!.Add(new ManifestConnection { Slug = "c", Config = ConnectionConfig.Postgres("h", 5432, "u", "${PW}", "d") });
        manifest.PublicSchemas!.Add(new PublicSchemaDefinition
        {
            Name = "p",
            Source = new PublicSchemaSource { DataStoreSlug = "c" },
            OutputSchema = JsonDocument.Parse("""{"type":"object","properties":{"id":{"type":"integer"}}}""").RootElement,
            Keys = ["id"],
            Version = new SchemaVersion { Major = 1, Minor = 0 },
            Config = new PublicSchemaConfig { PublicSchemaType = "postgres", Transformations = [new PublicSchemaTransformation { Operation = "delete", Table = "t", Sql = "SELECT :id AS id" }] },
        });

        Assert.Empty(schema.Validate(ManifestSerializer.Write(manifest)));
    }
}
