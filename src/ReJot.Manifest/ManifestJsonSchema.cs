using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Generation;

namespace ReJot.Manifest;

/// <summary>
/// The JSON Schema of the manifest format. It is generated from the model (<see cref="ManifestDocument"/>)
/// with NJsonSchema, committed as <c>src/ReJot.Manifest/schema.json</c>, embedded in this assembly, and kept in
/// sync by a test.
/// </summary>
public static class ManifestJsonSchema
{
    /// <summary>
    /// The <c>$schema</c> value <c>rejot manifest init</c> writes: the committed <c>src/ReJot.Manifest/schema.json</c>
    /// of this repository on its main branch, so editors validate manifests (including our additions).
    /// The original tool's schema URL (unpkg) rejects our <c>keys</c> addition, so it is not reused.
    /// </summary>
    public const string DefaultSchemaUrl = "https://raw.githubusercontent.com/rejot-dotnet/rejot/main/src/ReJot.Manifest/schema.json";

    private const string ResourceName = "ReJot.Manifest.schema.json";

    /// <summary>The committed schema (embedded resource), as JSON text.</summary>
    public static string Json
    {
        get
        {
            using var stream = typeof(ManifestJsonSchema).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from {typeof(ManifestJsonSchema).Assembly.GetName().Name}.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Generates the schema from the model (what <c>schema.json</c> must contain).</summary>
    /// <returns>The schema as two-space indented JSON ending in a newline.</returns>
    internal static string Generate()
    {
        var settings = new SystemTextJsonSchemaGeneratorSettings
        {
            SchemaType = SchemaType.JsonSchema,
            DefaultReferenceTypeNullHandling = ReferenceTypeNullHandling.NotNull,
            GenerateAbstractProperties = false,
            FlattenInheritanceHierarchy = true,
            SerializerOptions = new JsonSerializerOptions(ManifestJsonContext.Default.Options) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() },
        };
        var schema = JsonSchema.FromType<ManifestDocument>(settings);
        var root = JsonNode.Parse(schema.ToJson())!.AsObject();
        Refine(root);
        var options = new JsonSerializerOptions { WriteIndented = true, IndentSize = 2, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return root.ToJsonString(options) + "\n";
    }

    // if/then (draft-07) is for editors; the enums and patterns are understood by every validator.
    // NJsonSchema sees the CLR shape; these rules live in the format itself (required members, literal values,
    // name patterns, the verbatim outputSchema), so they are applied to the generated document.
    private static void Refine(JsonObject root)
    {
        root["$schema"] = "http://json-schema.org/draft-07/schema#";
        root["title"] = "ReJot manifest (manifestVersion 0)";
        DropNull(root);
        var definitions = root["definitions"]?.AsObject() ?? [];
        var byClrName = typeof(ManifestDocument).Assembly.GetExportedTypes().ToDictionary(t => t.Name, StringComparer.Ordinal);

        ApplyClassRules(root, typeof(ManifestDocument));
        foreach (var (name, node) in definitions.ToList())
        {
            if (node is JsonObject definition && byClrName.TryGetValue(name, out var type))
            {
                ApplyClassRules(definition, type);
            }
        }

        var properties = root["properties"]!.AsObject();
        properties["slug"]!["pattern"] = "^(@[a-z0-9-]+/([a-z0-9-]*)|[a-z0-9-]+)$";
        properties["manifestVersion"]!["enum"] = new JsonArray(ManifestDocument.CurrentManifestVersion);

        if (definitions["ConnectionConfig"] is JsonObject connection)
        {
            connection["properties"]!["connectionType"]!["enum"] = new JsonArray(ConnectionConfig.PostgresType, ConnectionConfig.InMemoryType);
            connection["if"] = new JsonObject { ["properties"] = new JsonObject { ["connectionType"] = new JsonObject { ["const"] = ConnectionConfig.PostgresType } } };
            connection["then"] = new JsonObject { ["required"] = new JsonArray("host", "port", "user", "password", "database") };
        }

        if (definitions["DataStoreConfig"] is JsonObject dataStore)
        {
            dataStore["properties"]!["slotName"]!["pattern"] = "^[a-z0-9_]+$";
            dataStore["properties"]!["publicationName"]!["pattern"] = "^[a-z0-9_]+$";
            dataStore["if"] = new JsonObject { ["properties"] = new JsonObject { ["connectionType"] = new JsonObject { ["const"] = ConnectionConfig.PostgresType } } };
            dataStore["then"] = new JsonObject { ["required"] = new JsonArray("slotName", "publicationName") };
        }

        if (definitions["PublicSchemaDefinition"] is JsonObject publicSchema)
        {
            publicSchema["properties"]!["outputSchema"] = new JsonObject
            {
                ["$ref"] = "http://json-schema.org/draft-07/schema#",
                ["description"] = publicSchema["properties"]!["outputSchema"]?["description"]?.DeepClone(),
            };
        }

        if (definitions["PublicSchemaTransformation"] is JsonObject transformation)
        {
            transformation["properties"]!["operation"]!["enum"] = new JsonArray(PublicSchemaTransformation.Insert, PublicSchemaTransformation.Update, PublicSchemaTransformation.Delete);
        }

        if (definitions["PublicSchemaConfig"] is JsonObject publicConfig)
        {
            publicConfig["properties"]!["publicSchemaType"]!["enum"] = new JsonArray(PublicSchemaConfig.PostgresType);
        }

        if (definitions["ConsumerSchemaConfig"] is JsonObject consumerConfig)
        {
            consumerConfig["properties"]!["consumerSchemaType"]!["enum"] = new JsonArray(ConsumerSchemaConfig.PostgresType);
        }
    }

    // Optional members are omitted, never written as null: the schema says so, which also keeps editors quiet.
    private static void DropNull(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
                {
                    var rest = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
                    obj["type"] = rest.Count == 1 ? JsonValue.Create(rest[0]) : new JsonArray([.. rest.Select(r => (JsonNode?)JsonValue.Create(r))]);
                }

                if (obj["oneOf"] is JsonArray choices)
                {
                    foreach (var choice in choices.Where(c => c is JsonObject { Count: 1 } o && o["type"]?.GetValue<string>() == "null").ToList())
                    {
                        choices.Remove(choice);
                    }
                }

                foreach (var (_, child) in obj.ToList())
                {
                    DropNull(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    DropNull(child);
                }

                break;
        }
    }

    private static void ApplyClassRules(JsonObject schema, Type type)
    {
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name;
            if (jsonName is not null && property.GetCustomAttribute<RequiredMemberAttribute>() is not null)
            {
                required.Add(jsonName);
            }
        }

        schema.Remove("required");
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        // Readers keep unknown fields, but editors should flag them: most are typos.
        schema["additionalProperties"] = false;
    }
}
