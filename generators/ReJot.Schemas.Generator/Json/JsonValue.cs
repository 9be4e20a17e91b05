using System.Collections.Generic;

namespace ReJot.Schemas.Generator.Json;

/// <summary>
/// A minimal ordered JSON document model. The generator targets netstandard2.0 and must not drag
/// System.Text.Json into the compiler, and merging a manifest must keep unknown members and the order
/// of members and the exact text of numbers.
/// </summary>
internal abstract class JsonValue
{
    public static JsonValue Null { get; } = new JsonLiteral("null");

    public static JsonValue True { get; } = new JsonLiteral("true");

    public static JsonValue False { get; } = new JsonLiteral("false");

    public static JsonValue Bool(bool value) => value ? True : False;

    public static JsonValue Number(int value) => new JsonLiteral(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>null, true, false or a number, kept as its source text.</summary>
internal sealed class JsonLiteral(string text) : JsonValue
{
    public string Text { get; } = text;
}

internal sealed class JsonString(string value) : JsonValue
{
    public string Value { get; } = value;
}

internal sealed class JsonArray : JsonValue
{
    public List<JsonValue> Items { get; } = [];

    public JsonArray Add(JsonValue value)
    {
        Items.Add(value);
        return this;
    }
}

internal sealed class JsonObject : JsonValue
{
    public List<KeyValuePair<string, JsonValue>> Members { get; } = [];

    public JsonValue? this[string name]
    {
        get
        {
            foreach (var member in Members)
            {
                if (member.Key == name)
                {
                    return member.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Sets a member, in place when it exists, else at the end.</summary>
    public JsonObject Set(string name, JsonValue value)
    {
        for (var i = 0; i < Members.Count; i++)
        {
            if (Members[i].Key == name)
            {
                Members[i] = new KeyValuePair<string, JsonValue>(name, value);
                return this;
            }
        }

        Members.Add(new KeyValuePair<string, JsonValue>(name, value));
        return this;
    }

    public JsonObject Set(string name, string value) => Set(name, new JsonString(value));

    public string? GetString(string name) => this[name] is JsonString s ? s.Value : null;
}
