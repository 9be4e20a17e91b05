using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Generation;
using ReJot.Schemas.Generator.Tests.Contracts;

namespace ReJot.Schemas.Generator.Tests;

public sealed class JsonSchemaMappingTests
{
    private static JsonObject OutputSchemaOf(string source, string assemblyName = "Cross.Check")
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(assemblyName, null, source));
        var fragment = JsonNode.Parse(GeneratorHarness.FragmentJson(output))!.AsObject();
        return fragment["publicSchemas"]![0]!["outputSchema"]!.AsObject();
    }

    [Fact]
    public void Output_schema_agrees_with_NJsonSchema_on_names_types_formats_nullability_and_nesting()
    {
        var ours = OutputSchemaOf(CrossCheckSource.Text());
        var theirs = JsonSchema.FromType<Order>(new SystemTextJsonSchemaGeneratorSettings
        {
            SchemaType = SchemaType.JsonSchema,
            DefaultReferenceTypeNullHandling = ReferenceTypeNullHandling.NotNull,
            SerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase },
        });

        var differences = new List<string>();
        Compare(ours, theirs, "$", differences);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)ours["$schema"]);
    }

    [Fact]
    public void Required_fields_are_the_non_nullable_ones_and_objects_are_closed()
    {
        var ours = OutputSchemaOf(CrossCheckSource.Text());
        var required = ours["required"]!.AsArray().Select(n => (string)n!).ToHashSet();
        Assert.Contains("id", required);
        Assert.Contains("lines", required);
        Assert.DoesNotContain("note", required);
        Assert.DoesNotContain("priority", required);
        Assert.DoesNotContain("discount", required);
        Assert.DoesNotContain("ignored", ours["properties"]!.AsObject().Select(p => p.Key));
        Assert.False((bool)ours["additionalProperties"]!);
        Assert.False((bool)ours["properties"]!["price"]!["additionalProperties"]!);
        Assert.Equal("""{"type":["object","null"],"properties":{"amount":{"type":"number"},"currency":{"type":"string"}},"required":["amount","currency"],"additionalProperties":false}""",
            ours["properties"]!["discount"]!.ToJsonString());
        Assert.Equal("""{"type":"string","enum":["Open","Paid","Shipped"]}""", ours["properties"]!["status"]!.ToJsonString());
        Assert.Equal("""{"type":"number"}""", ours["properties"]!["total"]!.ToJsonString());
        Assert.Equal("""{"type":"string","format":"uuid"}""", ours["properties"]!["reference"]!.ToJsonString());
        Assert.True(ours["properties"]!.AsObject().ContainsKey("urlValue"));
    }

    [Fact]
    public void Nullable_enums_allow_null_and_dictionaries_are_objects_of_their_values()
    {
        var ours = OutputSchemaOf("""
            using ReJot.Schemas;
            public enum Level { Low, High }
            [PublicSchema("thing", Source = "s")]
            [Transformation(Operation.Insert, "t", "SELECT 1")]
            public sealed record Thing(Level? Level, System.Collections.Generic.Dictionary<string, int> Counts, object? Anything, byte[] Blob);
            """);
        var properties = ours["properties"]!;
        Assert.Equal("""{"type":["string","null"],"enum":["Low","High",null]}""", properties["level"]!.ToJsonString());
        Assert.Equal("""{"type":"object","additionalProperties":{"type":"integer"}}""", properties["counts"]!.ToJsonString());
        Assert.Equal("{}", properties["anything"]!.ToJsonString());
        Assert.Equal("""{"type":"string"}""", properties["blob"]!.ToJsonString());
    }

    [Theory]
    [InlineData("System.IntPtr Handle")]
    [InlineData("System.Action Callback")]
    [InlineData("Node Next")]
    public void A_schema_with_a_field_that_cannot_be_represented_is_skipped_without_diagnostics(string field)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile("Bad", null, $$"""
            using ReJot.Schemas;
            public sealed record Node(int Id, Node? Child);
            [PublicSchema("bad", Source = "s")]
            [Transformation(Operation.Insert, "t", "SELECT 1")]
            public sealed partial record Bad(int Id, {{field}});
            """));
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Empty(result.Diagnostics);
    }

    private static void Compare(JsonNode? ours, JsonSchema theirs, string path, List<string> differences)
    {
        var actual = theirs.ActualTypeSchema;
        var (type, nullable) = TypeOf(ours);
        var expectedType = actual.Type & ~JsonObjectType.Null;
        var theirType = expectedType switch
        {
            JsonObjectType.String => "string",
            JsonObjectType.Integer => "integer",
            JsonObjectType.Number => "number",
            JsonObjectType.Boolean => "boolean",
            JsonObjectType.Array => "array",
            JsonObjectType.Object => "object",
            _ => actual.Enumeration.Count > 0 ? "string" : expectedType.ToString(),
        };
        if (type != theirType)
        {
            differences.Add($"{path}: type {type} vs NJsonSchema {theirType}");
            return;
        }

        var theirFormat = NormalizeFormat(actual.Format);
        var ourFormat = (string?)ours?["format"];
        if (type == "string" && theirFormat != ourFormat)
        {
            differences.Add($"{path}: format {ourFormat} vs NJsonSchema {theirFormat}");
        }

        if (actual.Enumeration.Count > 0)
        {
            var ourValues = ours!["enum"]!.AsArray().Select(v => v?.ToString()).Where(v => v is not null);
            if (!ourValues.SequenceEqual(actual.Enumeration.Select(e => e?.ToString())))
            {
                differences.Add($"{path}: enum values differ");
            }
        }

        if (type == "array")
        {
            Compare(ours!["items"], actual.Item!, path + "[]", differences);
        }

        if (type == "object")
        {
            var ourProperties = ours!["properties"]!.AsObject();
            var theirProperties = actual.ActualProperties;
            var names = ourProperties.Select(p => p.Key).ToList();
            if (!names.SequenceEqual(theirProperties.Keys))
            {
                differences.Add($"{path}: properties [{string.Join(",", names)}] vs NJsonSchema [{string.Join(",", theirProperties.Keys)}]");
                return;
            }

            foreach (var (name, property) in theirProperties)
            {
                var (_, ourNullable) = TypeOf(ourProperties[name]);
                if (ourNullable != property.IsNullable(SchemaType.JsonSchema))
                {
                    differences.Add($"{path}.{name}: nullable {ourNullable} vs NJsonSchema {property.IsNullable(SchemaType.JsonSchema)}");
                }

                Compare(ourProperties[name], property, path + "." + name, differences);
            }
        }

        _ = nullable;
    }

    private static (string? Type, bool Nullable) TypeOf(JsonNode? schema)
    {
        var type = schema?["type"];
        if (type is JsonArray union)
        {
            var names = union.Select(n => (string)n!).ToList();
            return (names.Single(n => n != "null"), names.Contains("null"));
        }

        return (type?.GetValueKind() == JsonValueKind.String ? (string)type! : null, false);
    }

    // NJsonSchema says "guid" where draft-07 says "uuid", and tags numbers with their .NET width.
    private static string? NormalizeFormat(string? format) => format switch
    {
        "guid" => "uuid",
        null or "" => null,
        _ => format,
    };
}
