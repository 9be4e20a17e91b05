using System.Text.Json;
using NJsonSchema;
using NJsonSchema.References;

namespace ReJot.Manifest;

/// <summary>Checks that a public schema's <c>outputSchema</c> is a JSON Schema of an object.</summary>
internal static class OutputSchemaChecks
{
    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal) { "object", "array", "string", "number", "integer", "boolean", "null" };

    public static IReadOnlyList<string> Check(JsonElement schema)
    {
        var problems = new List<string>();
        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"expected a JSON object, found {Describe(schema.ValueKind)}");
            return problems;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var names = type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array => type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : "?").ToArray(),
                _ => null,
            };
            if (names is null || names.Any(n => !TypeNames.Contains(n)))
            {
                problems.Add($"'type' must be a JSON Schema type name or an array of them, found {type.GetRawText()}");
            }
            else if (!names.Contains("object", StringComparer.Ordinal))
            {
                problems.Add($"it must describe an object (\"type\": \"object\"), found \"type\": {type.GetRawText()}");
            }
        }

        var propertyNames = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"'properties' must be an object, found {Describe(properties.ValueKind)}");
            }
            else
            {
                foreach (var property in properties.EnumerateObject())
                {
                    propertyNames.Add(property.Name);
                    if (property.Value.ValueKind is not JsonValueKind.Object and not JsonValueKind.True and not JsonValueKind.False)
                    {
                        problems.Add($"property '{property.Name}' must be a schema (an object), found {Describe(property.Value.ValueKind)}");
                    }
                }
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                problems.Add("'required' must be an array of property names");
            }
            else if (properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(n => !propertyNames.Contains(n)))
                {
                    problems.Add($"required field '{name}' is not in 'properties'");
                }
            }
        }

        if (problems.Count == 0)
        {
            var parseError = TryParse(schema.GetRawText());
            if (parseError is not null)
            {
                problems.Add(parseError);
            }
        }

        return problems;
    }

    private static string? TryParse(string json)
    {
        try
        {
            // No sync context here (CLI, tests, host startup), and the local-only resolver never does I/O.
            _ = JsonSchema.FromJsonAsync(json, documentPath: null, schema => new LocalOnlyReferenceResolver(schema)).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            for (var inner = exception; inner is not null; inner = inner.InnerException)
            {
                if (inner is NotSupportedException)
                {
                    return inner.Message;
                }
            }

            return exception.Message;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // Verification must not fetch URLs or read files named by a manifest: external $refs are reported instead.
    private sealed class LocalOnlyReferenceResolver(JsonSchema schema)
        : JsonReferenceResolver(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()))
    {
        public override Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException($"external reference '{filePath}' is not allowed: inline the referenced schema or use a local '#/definitions/...' reference");

        public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException($"external reference '{url}' is not allowed: inline the referenced schema or use a local '#/definitions/...' reference");
    }
}
