using System.Globalization;
using System.Text;

namespace ReJot.Schemas.Generator.Json;

/// <summary>Writes a <see cref="JsonValue"/> as compact or 2-space indented JSON (the original ReJot's file layout).</summary>
internal static class JsonWriter
{
    /// <param name="value">The value.</param>
    /// <param name="indented">2-space indentation with <c>"name": value</c>, else compact.</param>
    /// <param name="commentSafe">Escape <c>*/</c> as <c>*\/</c> so the text can sit inside a C# block comment.</param>
    public static string Write(JsonValue value, bool indented, bool commentSafe = false)
    {
        var builder = new StringBuilder();
        Write(builder, value, indented, commentSafe, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, JsonValue value, bool indented, bool commentSafe, int depth)
    {
        switch (value)
        {
            case JsonLiteral literal:
                builder.Append(literal.Text);
                break;
            case JsonString s:
                WriteString(builder, s.Value, commentSafe);
                break;
            case JsonArray array:
                if (array.Items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    NewLine(builder, indented, depth + 1);
                    Write(builder, array.Items[i], indented, commentSafe, depth + 1);
                }

                NewLine(builder, indented, depth);
                builder.Append(']');
                break;
            case JsonObject obj:
                if (obj.Members.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                builder.Append('{');
                for (var i = 0; i < obj.Members.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    NewLine(builder, indented, depth + 1);
                    WriteString(builder, obj.Members[i].Key, commentSafe);
                    builder.Append(indented ? ": " : ":");
                    Write(builder, obj.Members[i].Value, indented, commentSafe, depth + 1);
                }

                NewLine(builder, indented, depth);
                builder.Append('}');
                break;
        }
    }

    private static void NewLine(StringBuilder builder, bool indented, int depth)
    {
        if (indented)
        {
            builder.Append('\n').Append(' ', depth * 2);
        }
    }

    private static void WriteString(StringBuilder builder, string value, bool commentSafe)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '/' when commentSafe && i > 0 && value[i - 1] == '*':
                    builder.Append("\\/");
                    break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
