using System.Buffers;
using System.Text;
using System.Text.Json;
using ReJot.Sql;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Apply;

/// <summary>
/// Reads the values a consumer statement binds from an event's object, as the text PostgreSQL parses for the
/// target type: strings unescaped, numbers and nested objects/arrays as their JSON text, booleans as
/// <c>true</c>/<c>false</c>, null or a missing field as SQL NULL. One forward pass of a <see cref="Utf8JsonReader"/>
/// over the object's UTF-8 bytes; no document is built. One instance per statement: the placeholder names are
/// encoded to UTF-8 once, not for every property of every event.
/// </summary>
internal sealed class EventValues
{
    private readonly byte[][]? _names;
    private readonly string _consumer;

    public EventValues(PositionalSql sql, string consumer)
    {
        ParameterCount = sql.ParameterCount;
        _names = sql.ParameterNames?.Select(Encoding.UTF8.GetBytes).ToArray();
        _consumer = consumer;
    }

    /// <summary>How many values <see cref="Read"/> fills.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// Fills <paramref name="values"/> (length <see cref="ParameterCount"/>): for named SQL the field bound to each
    /// <c>$i</c>; for positional SQL the i-th field of the object.
    /// </summary>
    /// <exception cref="InvalidOperationException">Positional SQL uses more parameters than the object has fields.</exception>
    public void Read(StoredEvent e, Span<string?> values)
    {
        values.Clear();
        if (ParameterCount == 0)
        {
            return;
        }

        var json = e.ObjectJson;
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            var fields = ReadObject(new ReadOnlySpan<byte>(buffer, 0, length), values);
            if (_names is null && fields < ParameterCount)
            {
                throw new InvalidOperationException($"Consumer {_consumer}: the SQL uses ${fields + 1} but the event at {e.Position} has only {fields} field(s).");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int ReadObject(ReadOnlySpan<byte> utf8, Span<string?> values)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return 0;
        }

        var names = _names;
        var field = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var slot = -1;
            if (names is null)
            {
                slot = field < values.Length ? field : -1;
            }
            else
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (reader.ValueTextEquals(names[i]))
                    {
                        slot = i;
                        break;
                    }
                }
            }

            field++;
            reader.Read();
            if (slot < 0)
            {
                reader.Skip();
                continue;
            }

            values[slot] = Text(ref reader, utf8);
        }

        return field;
    }

    private static string? Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                // Object or array: its JSON text as written.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(utf8[start..(int)reader.BytesConsumed]);
        }
    }
}
