using System.Collections.Concurrent;
using NJsonSchema;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Transform;

/// <summary>
/// Validates objects against each public schema's output JSON Schema (parsed once, cached). A quick check
/// (<see cref="FastSchemaCheck"/>) accepts the objects it can prove valid; the others go through NJsonSchema, which
/// decides and describes the errors.
/// </summary>
internal sealed class SchemaValidator
{
    private readonly ConcurrentDictionary<PublicSchemaKey, (JsonSchema Schema, FastSchemaCheck? Fast)> _schemas = new();

    public async Task AddAsync(PublicSchemaKey key, string outputSchemaJson, CancellationToken cancellationToken)
    {
        var schema = await JsonSchema.FromJsonAsync(outputSchemaJson, cancellationToken).ConfigureAwait(false);
        _schemas[key] = (schema, FastSchemaCheck.TryCreate(outputSchemaJson));
    }

    /// <summary>Returns null when valid, else the errors in one line.</summary>
    public string? Validate(PublicSchemaKey key, string json)
    {
        if (!_schemas.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Fast?.IsCertainlyValid(json) == true)
        {
            return null;
        }

        var errors = entry.Schema.Validate(json);
        return errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"));
    }
}
