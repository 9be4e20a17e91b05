using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReJot.Manifest.Tests;

public sealed class ManifestSerializerTests
{
    [Fact]
    public void Manifest_written_by_the_original_tool_loads_unchanged()
    {
        var manifest = ManifestSerializer.Read(Fixtures.Read("original-fromaccounts.json"), "fromaccounts.json");

        Assert.Equal("fromaccounts", manifest.Slug);
        Assert.Equal(0, manifest.ManifestVersion);
        var connection = Assert.Single(manifest.Connections!);
        Assert.Equal("accounts", connection.Slug);
        Assert.Equal(5435, connection.Config.Port);
        var store = Assert.Single(manifest.DataStores!);
        Assert.Equal("rejot_slot", store.Config!.SlotName);
        Assert.Equal("rejot_publication", store.Config.PublicationName);
        var schema = Assert.Single(manifest.PublicSchemas!);
        Assert.Equal(["id", "name", "email"], schema.GetOutputFieldNames());
        Assert.Equal(2, schema.Config.Transformations.Count);
        Assert.Equal("packages/sync-models/src/account-schema.ts", schema.DefinitionFile);
        Assert.Null(schema.Keys);
    }

    [Theory]
    [InlineData("original-fromaccounts.json")]
    [InlineData("original-to-orders.json")]
    public void Original_manifests_round_trip_without_losing_content(string fixture)
    {
        var original = Fixtures.Read(fixture);

        var written = ManifestSerializer.Write(ManifestSerializer.Read(original));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), JsonNode.Parse(written)), written);
        Assert.Equal(written, ManifestSerializer.Write(ManifestSerializer.Read(written)));
    }

    [Fact]
    public void Written_manifest_uses_two_space_indent_the_original_field_order_and_readable_sql()
    {
        var written = ManifestSerializer.Write(ManifestSerializer.Read(Fixtures.Read("original-fromaccounts.json")));

        Assert.StartsWith("{\n  \"slug\": \"fromaccounts\",\n  \"manifestVersion\": 0,\n  \"connections\": [\n    {\n      \"slug\": \"accounts\",", written, StringComparison.Ordinal);
        Assert.EndsWith("}\n", written, StringComparison.Ordinal);
        Assert.Contains("a.name as \\\"name\\\"", written, StringComparison.Ordinal);
        var order = new[] { "\"name\": \"accounts-schema\"", "\"source\"", "\"outputSchema\"", "\"version\"", "\"config\"", "\"definitionFile\"" }
            .Select(s => written.IndexOf(s, written.IndexOf("publicSchemas", StringComparison.Ordinal), StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order().ToArray(), order);
    }

    [Fact]
    public void Unknown_fields_are_kept_on_every_level()
    {
        const string json = """
            {"slug":"a","manifestVersion":0,"x-root":{"n":1},
             "connections":[{"slug":"c","config":{"connectionType":"postgres","host":"h","port":1,"user":"u","password":"p","database":"d","sslmode":"require"},"note":"n"}],
             "dataStores":[{"connectionSlug":"c","config":{"connectionType":"postgres","slotName":"s","publicationName":"p","tables":["t"],"allTables":false}}],
             "publicSchemas":[{"name":"p","source":{"dataStoreSlug":"c","tables":["t"]},"outputSchema":{"type":"object","properties":{"id":{"type":"integer","x-custom":[1,2.50,"z"]}}},"keys":["id"],"version":{"major":1,"minor":2},
               "config":{"publicSchemaType":"postgres","transformations":[{"operation":"delete","table":"sales.t","sql":"SELECT :id AS \"id\"","extra":true}]}}],
             "workspaces":["child/rejot-manifest.json"]}
            """;

        var written = ManifestSerializer.Write(ManifestSerializer.Read(json));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), written);
        Assert.Contains("2.50", written, StringComparison.Ordinal);
    }

    [Fact]
    public void New_manifest_has_schema_url_and_five_empty_arrays()
    {
        var written = ManifestSerializer.Write(ManifestDocument.CreateEmpty("my-service"));

        var node = JsonNode.Parse(written)!.AsObject();
        Assert.Equal(["slug", "manifestVersion", "$schema", "connections", "dataStores", "eventStores", "publicSchemas", "consumerSchemas"], node.Select(p => p.Key));
        Assert.Equal(ManifestJsonSchema.DefaultSchemaUrl, (string?)node["$schema"]);
    }

    [Theory]
    [InlineData("{\"slug\":\"a\",\n\"manifestVersion\":0,\n  \"connections\": [}", 3, 19, "invalid JSON")]
    [InlineData("{\"slug\":\"a\",\"manifestVersion\":0,}", 1, 33, "invalid JSON")]
    [InlineData("", 1, 1, "empty")]
    public void Broken_json_names_file_line_and_column(string json, int line, int column, string expected)
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read(json, "m.json"));

        Assert.Equal("m.json", exception.FilePath);
        Assert.Equal(line, exception.Line);
        Assert.Equal(column, exception.Column);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.StartsWith($"m.json:{line}:{column}: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_type_names_the_field_what_was_expected_and_what_was_found()
    {
        const string json = "{\n  \"slug\": \"a\",\n  \"manifestVersion\": 0,\n  \"connections\": [\n    {\"slug\": \"c\", \"config\": {\"connectionType\": \"postgres\", \"host\": \"h\", \"port\": \"5432\", \"user\": \"u\", \"password\": \"p\", \"database\": \"d\"}}\n  ]\n}";

        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read(json, "m.json"));

        Assert.Equal("m.json:5:81: connections[0].config.port: expected an integer, found a string.", exception.Message);
        Assert.Equal("connections[0].config.port", exception.JsonPath);
    }

    [Fact]
    public void Array_where_object_expected_is_reported()
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read("{\"slug\":\"a\",\"manifestVersion\":0,\"connections\":{}}", "m.json"));

        Assert.Contains("connections: expected an array, found an object", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, exception.Line);
        Assert.Equal(47, exception.Column);
    }

    [Fact]
    public void Missing_required_field_is_named()
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read("{\n  \"manifestVersion\": 0\n}", "m.json"));

        Assert.Contains("missing the required field 'slug'", exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("m.json:", exception.Message, StringComparison.Ordinal);
        Assert.NotNull(exception.Line);
    }

    [Fact]
    public void Null_for_a_required_string_is_reported()
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read("{\"slug\":null,\"manifestVersion\":0}", "m.json"));

        Assert.Equal("m.json:1:9: slug: expected a string, found null.", exception.Message);
        Assert.Equal(1, exception.Line);
    }

    [Fact]
    public void Unknown_manifest_version_is_rejected_at_its_position()
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read("{\n  \"slug\": \"a\",\n  \"manifestVersion\": 1\n}", "m.json"));

        Assert.Equal("m.json:3:22: unsupported manifestVersion 1; this version of rejot reads manifestVersion 0 only.", exception.Message);
    }

    [Fact]
    public void Postgres_connection_without_host_is_rejected_at_the_config()
    {
        const string json = "{\"slug\":\"a\",\"manifestVersion\":0,\n\"connections\":[{\"slug\":\"c\",\"config\":{\"connectionType\":\"postgres\",\"port\":1,\"user\":\"u\",\"password\":\"p\",\"database\":\"d\"}}]}";

        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read(json, "m.json"));

        Assert.Contains("connections[0].config is a postgres config and is missing the required field 'host'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, exception.Line);
        Assert.Equal(37, exception.Column);
    }

    [Fact]
    public void Column_counts_characters_not_bytes()
    {
        var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read("{\"slug\":\"ééé\",\"manifestVersion\":\"0\"}", "m.json"));

        Assert.Equal(1, exception.Line);
        Assert.Equal(33, exception.Column);
    }

    [Fact]
    public async Task Missing_file_error_says_how_to_create_one()
    {
        using var temp = new TempDirectory();

        var exception = await Assert.ThrowsAsync<ManifestException>(() => ManifestFile.ReadAsync(temp.File("nope.json"), TestContext.Current.CancellationToken));

        Assert.Contains("manifest file not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains("rejot manifest init", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_round_trip_and_create_new_refuses_to_overwrite()
    {
        using var temp = new TempDirectory();
        var path = temp.File("rejot-manifest.json");
        var token = TestContext.Current.CancellationToken;

        await ManifestFile.CreateNewAsync(path, ManifestDocument.CreateEmpty("svc"), token);
        var exists = await Assert.ThrowsAsync<ManifestException>(() => ManifestFile.CreateNewAsync(path, ManifestDocument.CreateEmpty("svc"), token));
        var read = await ManifestFile.ReadAsync(path, token);
        read.Connections!.Add(new ManifestConnection { Slug = "c", Config = ConnectionConfig.Postgres("h", 5432, "u", "${PW}", "d") });
        await ManifestFile.WriteAsync(path, read, token);

        Assert.Contains("already exists", exists.Message, StringComparison.Ordinal);
        Assert.Equal("${PW}", (await ManifestFile.ReadAsync(path, token)).Connections![0].Config.Password);
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Find_upward_returns_the_nearest_manifest()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", "{}");
        Directory.CreateDirectory(temp.File("a/b"));

        Assert.Equal(root, ManifestFile.FindUpward(temp.File("a/b")));
        Assert.Null(ManifestFile.FindUpward(temp.File("a/b"), "other-name.json"));
    }

    [Fact]
    public void Output_schema_is_kept_verbatim_as_json()
    {
        var manifest = ManifestSerializer.Read(Fixtures.Read("original-fromaccounts.json"));

        var schema = manifest.PublicSchemas![0].OutputSchema;

        Assert.Equal(JsonValueKind.Object, schema.ValueKind);
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema.GetProperty("$schema").GetString());
    }
}

public sealed class ManifestSerializerRobustnessTests
{
    [Fact]
    public void Every_truncation_of_a_manifest_gives_a_located_ManifestException()
    {
        var text = Fixtures.Read("original-to-orders.json");

        for (var length = 0; length < text.Length - 1; length++)
        {
            var cut = text[..length];
            var exception = Record.Exception(() => ManifestSerializer.Read(cut, "m.json"));

            var manifestException = Assert.IsType<ManifestException>(exception);
            Assert.True(manifestException.Line is > 0 && manifestException.Column is > 0, $"no location at length {length}: {manifestException.Message}");
            Assert.StartsWith("m.json:", manifestException.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Replacing_any_value_with_a_wrong_kind_gives_a_ManifestException_naming_its_path()
    {
        var text = Fixtures.Read("original-fromaccounts.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        var paths = new List<System.Text.Json.Nodes.JsonNode>();
        void Walk(System.Text.Json.Nodes.JsonNode? node)
        {
            switch (node)
            {
                case System.Text.Json.Nodes.JsonObject obj:
                    foreach (var (_, child) in obj.ToList())
                    {
                        Walk(child);
                    }

                    break;
                case System.Text.Json.Nodes.JsonArray array:
                    foreach (var child in array.ToList())
                    {
                        Walk(child);
                    }

                    break;
                case System.Text.Json.Nodes.JsonValue value:
                    paths.Add(value);
                    break;
            }
        }

        Walk(root);
        var checkedCount = 0;
        foreach (var value in paths)
        {
            var path = value.GetPath();
            if (path.Contains("outputSchema", StringComparison.Ordinal))
            {
                continue;
            }

            var copy = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            var replacement = value.GetValueKind() == System.Text.Json.JsonValueKind.String ? "[1]" : "{\"x\":1}";
            var mutated = ReplaceAt(copy, path, System.Text.Json.Nodes.JsonNode.Parse(replacement)!);

            var exception = Assert.Throws<ManifestException>(() => ManifestSerializer.Read(mutated, "m.json"));

            var display = path.TrimStart('$').TrimStart('.');
            Assert.True(exception.Message.Contains(display, StringComparison.Ordinal), $"{display}: {exception.Message}");
            Assert.NotNull(exception.Line);
            checkedCount++;
        }

        Assert.True(checkedCount > 20);
    }

    private static string ReplaceAt(System.Text.Json.Nodes.JsonNode root, string path, System.Text.Json.Nodes.JsonNode replacement)
    {
        foreach (var node in Descendants(root))
        {
            if (node is not null && node.GetPath() == path)
            {
                node.ReplaceWith(replacement);
                break;
            }
        }

        return root.ToJsonString();
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonNode?> Descendants(System.Text.Json.Nodes.JsonNode? node)
    {
        yield return node;
        var children = node switch
        {
            System.Text.Json.Nodes.JsonObject obj => obj.Select(p => p.Value).ToList(),
            System.Text.Json.Nodes.JsonArray array => array.ToList(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}
