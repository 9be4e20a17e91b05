using System.Buffers;
using System.Text;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace ReJot.Sync.Transform;

/// <summary>
/// A quick "certainly valid" check for the common subset of JSON Schema the contracts use (type, properties,
/// required, additionalProperties, items, format), read with <see cref="Utf8JsonReader"/> instead of building a
/// Newtonsoft tree. It answers true only where NJsonSchema's validator (whose semantics it mirrors) would find no
/// error; anything else — an error, a keyword or value form it does not handle, duplicate names, odd numbers —
/// answers false, and the full validator decides (and describes the errors).
/// </summary>
internal sealed class FastSchemaCheck
{
    // NJsonSchema's default format validators (JsonSchemaValidatorSettings), grouped by format as its validator
    // does: a string is valid for a format when any of them accepts it. Other formats are left to the full validator.
    private static readonly Dictionary<string, IFormatValidator[]> s_formats = new JsonSchemaValidatorSettings().FormatValidators
        .GroupBy(v => v.Format).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary>The format validators by format (for a test that compares them with NJsonSchema's own table).</summary>
    internal static IReadOnlyDictionary<string, IFormatValidator[]> Formats => s_formats;

    // Keywords without effect on validation (annotations).
    private static readonly HashSet<string> s_annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "title", "description", "examples", "default", "readOnly", "writeOnly", "deprecated",
    };

    private const int MaxDepth = 48;

    private readonly Node _root;

    private FastSchemaCheck(Node root) => _root = root;

    /// <summary>The check for a schema, or null when the schema uses anything outside the handled subset.</summary>
    public static FastSchemaCheck? TryCreate(string schemaJson)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaJson);
            return Compile(document.RootElement, 0) is { } root ? new FastSchemaCheck(root) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True only when <paramref name="json"/> certainly validates; false means "ask the full validator".</summary>
    public bool IsCertainlyValid(string json)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), new JsonReaderOptions { MaxDepth = MaxDepth });
            return reader.Read() && Value(ref reader, _root) && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Flags]
    private enum Types
    {
        None = 0,
        Object = 1,
        Array = 2,
        String = 4,
        Integer = 8,
        Number = 16,
        Boolean = 32,
        Null = 64,
    }

    private sealed class Node
    {
        public Types Types;
        public string[] Names = [];
        public byte[][] Utf8Names = [];
        public Node[] Properties = [];
        public bool[] Required = [];
        public bool AnyRequired;
        public bool AdditionalAllowed = true;
        public Node? Additional;
        public Node? Items;
        public IFormatValidator[]? Format;
    }

    private static Node? Compile(JsonElement schema, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            return null;
        }

        var node = new Node();
        JsonElement? properties = null;
        JsonElement? required = null;
        foreach (var keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "type":
                    if (ParseTypes(keyword.Value) is not { } types)
                    {
                        return null;
                    }

                    node.Types = types;
                    break;
                case "properties":
                    properties = keyword.Value;
                    break;
                case "required":
                    required = keyword.Value;
                    break;
                case "additionalProperties":
                    if (keyword.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        node.AdditionalAllowed = keyword.Value.ValueKind == JsonValueKind.True;
                    }
                    else if ((node.Additional = Compile(keyword.Value, depth + 1)) is null)
                    {
                        return null;
                    }

                    break;
                case "items":
                    if ((node.Items = Compile(keyword.Value, depth + 1)) is null)
                    {
                        return null;
                    }

                    break;
                case "format":
                    if (keyword.Value.ValueKind != JsonValueKind.String || !s_formats.TryGetValue(keyword.Value.GetString()!, out node.Format))
                    {
                        return null;
                    }

                    break;
                default:
                    if (!s_annotations.Contains(keyword.Name))
                    {
                        return null;
                    }

                    break;
            }
        }

        if (properties is { } p)
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var names = new List<string>();
            var nodes = new List<Node>();
            foreach (var property in p.EnumerateObject())
            {
                if (names.Contains(property.Name) || Compile(property.Value, depth + 1) is not { } child)
                {
                    return null;
                }

                names.Add(property.Name);
                nodes.Add(child);
            }

            if (names.Count > 64)
            {
                return null;
            }

            node.Names = [.. names];
            node.Utf8Names = names.Select(Encoding.UTF8.GetBytes).ToArray();
            node.Properties = [.. nodes];
            node.Required = new bool[names.Count];
        }

        if (required is { } r)
        {
            if (r.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var name in r.EnumerateArray())
            {
                // Required names outside "properties" are left to the full validator.
                var index = name.ValueKind == JsonValueKind.String ? System.Array.IndexOf(node.Names, name.GetString()) : -1;
                if (index < 0)
                {
                    return null;
                }

                node.Required[index] = true;
                node.AnyRequired = true;
            }
        }

        return node;
    }

    private static Types? ParseTypes(JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return ParseType(type.GetString()!);
        }

        if (type.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = Types.None;
        foreach (var item in type.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || ParseType(item.GetString()!) is not { } one)
            {
                return null;
            }

            result |= one;
        }

        return result == Types.None ? null : result;
    }

    private static Types? ParseType(string name) => name switch
    {
        "object" => Types.Object,
        "array" => Types.Array,
        "string" => Types.String,
        "integer" => Types.Integer,
        "number" => Types.Number,
        "boolean" => Types.Boolean,
        "null" => Types.Null,
        _ => null,
    };

    /// <summary>Validates the value the reader is on and leaves the reader on its last token.</summary>
    private static bool Value(ref Utf8JsonReader reader, Node node)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return Accepts(node, Types.Object) && Object(ref reader, node);
            case JsonTokenType.StartArray:
                return Accepts(node, Types.Array) && NotObjectRequired(node) && ArrayValue(ref reader, node);
            case JsonTokenType.String:
                return Accepts(node, Types.String) && NotObjectRequired(node) && (node.Format is null || IsFormatted(reader.GetString()!, node.Format));
            case JsonTokenType.Number:
                return NumberKind(reader.ValueSpan) is { } kind && Accepts(node, kind) && NotObjectRequired(node);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return Accepts(node, Types.Boolean) && NotObjectRequired(node);
            case JsonTokenType.Null:
                // ValidateType skips a null where the type allows it; ValidateProperties then returns early too.
                return node.Types == Types.None ? !node.AnyRequired : (node.Types & Types.Null) != 0;
            default:
                return false;
        }
    }

    private static bool IsFormatted(string value, IFormatValidator[] validators) => validators.Any(f => f.IsValid(value, JTokenType.String));

    /// <summary>A non-object meets "required" as a missing property (NJsonSchema reports it), unless the type allows null.</summary>
    private static bool NotObjectRequired(Node node) => !node.AnyRequired || (node.Types & Types.Null) != 0;

    private static bool Accepts(Node node, Types kind) => node.Types == Types.None || (node.Types & kind) != 0;

    /// <summary>
    /// Newtonsoft reads a plain integer literal as Integer and other numbers as Float (double). Left to the full
    /// validator: integers beyond long (BigInteger: NJsonSchema's number check throws on them), "-0", and exponents
    /// beyond ±300.
    /// </summary>
    private static Types? NumberKind(ReadOnlySpan<byte> text)
    {
        if (text.SequenceEqual("-0"u8))
        {
            return null;
        }

        var exponent = text.IndexOfAny((byte)'e', (byte)'E');
        if (exponent >= 0)
        {
            var digits = text[(exponent + 1)..].TrimStart("+-"u8);
            return digits.Length <= 3 && (digits.Length < 3 || digits[0] < '3' || digits.SequenceEqual("300"u8)) ? Types.Number : null;
        }

        if (text.IndexOf((byte)'.') >= 0)
        {
            return Types.Number;
        }

        return text.Length <= 20 && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? Types.Integer | Types.Number
            : null;
    }

    private static bool Object(ref Utf8JsonReader reader, Node node)
    {
        ulong seen = 0;
        HashSet<string>? others = null;
        var next = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = FindProperty(ref reader, node, next);
            string? other = index < 0 ? reader.GetString() : null;
            if (!reader.Read())
            {
                return false;
            }

            if (index >= 0)
            {
                if ((seen & (1UL << index)) != 0)
                {
                    return false;
                }

                seen |= 1UL << index;
                next = index + 1;
                var child = node.Properties[index];

                // A null where the property's type allows it is skipped (ValidateProperties).
                if (!(reader.TokenType == JsonTokenType.Null && (child.Types & Types.Null) != 0) && !Value(ref reader, child))
                {
                    return false;
                }

                continue;
            }

            if (!(others ??= new HashSet<string>(StringComparer.Ordinal)).Add(other!))
            {
                return false;
            }

            if (node.Additional is { } additional)
            {
                if (!Value(ref reader, additional))
                {
                    return false;
                }
            }
            else if (!node.AdditionalAllowed)
            {
                return false;
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return false;
        }

        for (var i = 0; i < node.Required.Length; i++)
        {
            if (node.Required[i] && (seen & (1UL << i)) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int FindProperty(ref Utf8JsonReader reader, Node node, int next)
    {
        if (node.Names.Length == 0)
        {
            return -1;
        }

        if (!reader.ValueIsEscaped)
        {
            // Objects usually list the properties in schema order: try the expected one first.
            var span = reader.ValueSpan;
            if (next < node.Utf8Names.Length && span.SequenceEqual(node.Utf8Names[next]))
            {
                return next;
            }

            for (var i = 0; i < node.Utf8Names.Length; i++)
            {
                if (span.SequenceEqual(node.Utf8Names[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        return System.Array.IndexOf(node.Names, reader.GetString());
    }

    private static bool ArrayValue(ref Utf8JsonReader reader, Node node)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (node.Items is { } items)
            {
                if (!Value(ref reader, items))
                {
                    return false;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }
}
