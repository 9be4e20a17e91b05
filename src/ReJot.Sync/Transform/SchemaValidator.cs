using System.Collections.Concurrent;
using NJsonSchema;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Transform;

/// <summary>Validates objects against each public schema's output JSON Schema (parsed once, cached).</summary>
internal sealed class SchemaValidator
{
    private readonly ConcurrentDictionary<PublicSchemaKey, JsonSchema> _schemas = new();

    public async Task AddAsync(PublicSchemaKey key, string outputSchemaJson, CancellationToken cancellationToken)
    {
        var schema = await JsonSchema.FromJsonAsync(outputSchemaJson, cancellationToken).ConfigureAwait(false);
        _schemas[key] = schema;
    }

    /// <summary>Returns null when valid, else the errors in one line.</summary>
    public string? Validate(PublicSchemaKey key, string json)
    {
        if (!_schemas.TryGetValue(key, out var schema))
        {
            return null;
        }

        var errors = schema.Validate(json);
        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"));
    }
}
