using System.Text;

namespace ReJot.Sync.Transform;

/// <summary>How <c>row_to_json</c> renders a value of a (base) type, given its text output form.</summary>
internal enum PgJsonKind : byte
{
    /// <summary>Not rendered from the text form: the transformation runs as a query.</summary>
    Unsupported,

    /// <summary>int2, int4, int8, numeric: the text when it is a valid JSON number, else a string (NaN, Infinity).</summary>
    Number,

    /// <summary>float4, float8: as <see cref="Number"/>; the text depends on <c>extra_float_digits</c>.</summary>
    Float,

    /// <summary>bool: <c>t</c>/<c>f</c> become <c>true</c>/<c>false</c>.</summary>
    Bool,

    /// <summary>text, varchar, bpchar, name, uuid, oid: a JSON string of the text, escaped as PostgreSQL's <c>escape_json</c>.</summary>
    String,

    /// <summary>json, jsonb: the text embedded verbatim.</summary>
    Json,

    /// <summary>date: the ISO text (the same as the XSD form) as a string.</summary>
    Date,

    /// <summary>timestamp: the ISO text with <c>T</c> between date and time, as a string.</summary>
    Timestamp,

    /// <summary>timestamptz: as <see cref="Timestamp"/>, the offset always with minutes (<c>+00:00</c>); the text depends on TimeZone.</summary>
    TimestampTz,
}

/// <summary>
/// Renders values from their PostgreSQL text output form (as pgoutput sends them) exactly as <c>row_to_json</c>
/// renders the same values (<c>datum_to_json</c> in PostgreSQL's json.c). A renderer returns false when the text
/// is not in the form it proves identical for (e.g. DateStyle is not ISO): the caller then runs the query.
/// </summary>
internal static class RowJson
{
    /// <summary>The kind of a built-in (base) type OID; arrays give their element kind.</summary>
    public static (PgJsonKind Kind, bool IsArray) Classify(uint typeOid) => typeOid switch
    {
        16 => (PgJsonKind.Bool, false),
        20 or 21 or 23 or 1700 => (PgJsonKind.Number, false),
        700 or 701 => (PgJsonKind.Float, false),
        19 or 25 or 26 or 1042 or 1043 or 2950 => (PgJsonKind.String, false),
        114 or 3802 => (PgJsonKind.Json, false),
        1082 => (PgJsonKind.Date, false),
        1114 => (PgJsonKind.Timestamp, false),
        1184 => (PgJsonKind.TimestampTz, false),
        1000 => (PgJsonKind.Bool, true),
        1005 or 1007 or 1016 or 1231 => (PgJsonKind.Number, true),
        1021 or 1022 => (PgJsonKind.Float, true),
        1003 or 1009 or 1014 or 1015 or 2951 or 1028 => (PgJsonKind.String, true),
        199 or 3807 => (PgJsonKind.Json, true),
        1182 => (PgJsonKind.Date, true),
        1115 => (PgJsonKind.Timestamp, true),
        1185 => (PgJsonKind.TimestampTz, true),
        _ => (PgJsonKind.Unsupported, false),
    };

    /// <summary>Appends the JSON of one value (null for SQL NULL); false when the text is not in the expected form.</summary>
    public static bool TryAppend(StringBuilder json, string? text, PgJsonKind kind, bool isArray)
    {
        if (text is null)
        {
            json.Append("null");
            return true;
        }

        return isArray ? TryAppendArray(json, text, kind) : TryAppendScalar(json, text.AsSpan(), kind);
    }

    /// <summary>PostgreSQL's <c>escape_json</c>: <c>\"</c>, <c>\\</c>, <c>\b \f \n \r \t</c>, other control characters as <c>\u00xx</c>; everything else as is.</summary>
    public static void AppendString(StringBuilder json, ReadOnlySpan<char> text)
    {
        json.Append('"');
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= ' ' && c != '"' && c != '\\')
            {
                continue;
            }

            json.Append(text[run..i]);
            run = i + 1;
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    json.Append("\\u00").Append(Hex((c >> 4) & 0xF)).Append(Hex(c & 0xF));
                    break;
            }
        }

        json.Append(text[run..]).Append('"');
    }

    /// <summary>The JSON number grammar PostgreSQL's <c>IsValidJsonNumber</c> accepts: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    public static bool IsJsonNumber(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        if (i < text.Length && text[i] == '0')
        {
            i++;
        }
        else if (i < text.Length && text[i] is >= '1' and <= '9')
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        else
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            if (!Digits(text, ref i))
            {
                return false;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            if (!Digits(text, ref i))
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static bool Digits(ReadOnlySpan<char> text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > start;
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static bool TryAppendScalar(StringBuilder json, ReadOnlySpan<char> text, PgJsonKind kind)
    {
        switch (kind)
        {
            case PgJsonKind.Number:
            case PgJsonKind.Float:
                if (IsJsonNumber(text))
                {
                    json.Append(text);
                }
                else
                {
                    AppendString(json, text);
                }

                return true;
            case PgJsonKind.Bool:
                if (text is "t")
                {
                    json.Append("true");
                    return true;
                }

                if (text is "f")
                {
                    json.Append("false");
                    return true;
                }

                return false;
            case PgJsonKind.String:
                AppendString(json, text);
                return true;
            case PgJsonKind.Json:
                json.Append(text);
                return true;
            case PgJsonKind.Date:
                if (!IsSpecial(text) && !(IsIsoDate(text, out var dateEnd) && IsEra(text[dateEnd..])))
                {
                    return false;
                }

                json.Append('"').Append(text).Append('"');
                return true;
            case PgJsonKind.Timestamp:
            case PgJsonKind.TimestampTz:
                return TryAppendTimestamp(json, text, kind == PgJsonKind.TimestampTz);
            default:
                return false;
        }
    }

    private static bool IsSpecial(ReadOnlySpan<char> text) => text is "infinity" or "-infinity";

    private static bool IsEra(ReadOnlySpan<char> rest) => rest.IsEmpty || rest is " BC";

    /// <summary><c>YYYY-MM-DD</c> (four or more year digits) at the start; <paramref name="end"/> is just past it.</summary>
    private static bool IsIsoDate(ReadOnlySpan<char> text, out int end)
    {
        end = 0;
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i < 4 || !Fixed(text, i, "-00-00"))
        {
            return false;
        }

        end = i + 6;
        return true;
    }

    /// <summary>Matches a pattern where '0' stands for any ASCII digit.</summary>
    private static bool Fixed(ReadOnlySpan<char> text, int at, string pattern)
    {
        if (at + pattern.Length > text.Length)
        {
            return false;
        }

        for (var k = 0; k < pattern.Length; k++)
        {
            var c = text[at + k];
            if (pattern[k] == '0' ? !char.IsAsciiDigit(c) : c != pattern[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// ISO <c>YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]</c> to XSD: <c>T</c> instead of the space, and an
    /// offset of whole hours written with <c>:00</c> (EncodeTimezone with USE_XSD_DATES); BC and the fraction stay.
    /// </summary>
    private static bool TryAppendTimestamp(StringBuilder json, ReadOnlySpan<char> text, bool withZone)
    {
        if (IsSpecial(text))
        {
            json.Append('"').Append(text).Append('"');
            return true;
        }

        if (!IsIsoDate(text, out var i) || !Fixed(text, i, " 00:00:00"))
        {
            return false;
        }

        var date = text[..i];
        i += 9;
        var timeStart = i - 8;
        if (i < text.Length && text[i] == '.')
        {
            var fraction = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == fraction || i - fraction > 6)
            {
                return false;
            }
        }

        var time = text[timeStart..i];
        var hourOnlyZone = false;
        var zoneStart = i;
        if (withZone)
        {
            if (i >= text.Length || text[i] is not ('+' or '-') || !Fixed(text, i + 1, "00"))
            {
                return false;
            }

            i += 3;
            if (Fixed(text, i, ":00"))
            {
                i += 3;
                if (Fixed(text, i, ":00"))
                {
                    i += 3;
                }
            }
            else
            {
                hourOnlyZone = true;
            }
        }

        var zone = text[zoneStart..i];
        var era = text[i..];
        if (!IsEra(era))
        {
            return false;
        }

        json.Append('"').Append(date).Append('T').Append(time).Append(zone);
        if (hourOnlyZone)
        {
            json.Append(":00");
        }

        json.Append(era).Append('"');
        return true;
    }

    /// <summary>
    /// An array in <c>array_out</c> form (<c>{a,"b c",NULL,{…}}</c>; quoted elements with backslash escapes) as
    /// nested JSON arrays (<c>array_to_json</c>). Explicit bounds (<c>[0:1]={…}</c>) and other delimiters are not handled.
    /// </summary>
    private static bool TryAppendArray(StringBuilder json, string text, PgJsonKind kind)
    {
        var i = 0;
        var start = json.Length;
        if (text.Length == 0 || text[0] != '{' || !TryAppendArrayLevel(json, text, ref i, kind) || i != text.Length)
        {
            json.Length = start;
            return false;
        }

        return true;
    }

    private static bool TryAppendArrayLevel(StringBuilder json, string text, ref int i, PgJsonKind kind)
    {
        // text[i] == '{'
        i++;
        json.Append('[');
        if (i < text.Length && text[i] == '}')
        {
            i++;
            json.Append(']');
            return true;
        }

        StringBuilder? unescaped = null;
        while (true)
        {
            if (i >= text.Length)
            {
                return false;
            }

            if (text[i] == '{')
            {
                if (!TryAppendArrayLevel(json, text, ref i, kind))
                {
                    return false;
                }
            }
            else if (text[i] == '"')
            {
                i++;
                unescaped ??= new StringBuilder();
                unescaped.Clear();
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return false;
                    }

                    var c = text[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= text.Length)
                        {
                            return false;
                        }

                        c = text[i++];
                    }

                    unescaped.Append(c);
                }

                if (!TryAppendScalar(json, unescaped.ToString().AsSpan(), kind))
                {
                    return false;
                }
            }
            else
            {
                var elementStart = i;
                while (i < text.Length && text[i] is not (',' or '}' or '{' or '"' or '\\'))
                {
                    i++;
                }

                var element = text.AsSpan(elementStart, i - elementStart);
                if (element.IsEmpty)
                {
                    return false;
                }

                if (element is "NULL")
                {
                    json.Append("null");
                }
                else if (!TryAppendScalar(json, element, kind))
                {
                    return false;
                }
            }

            if (i >= text.Length)
            {
                return false;
            }

            if (text[i] == ',')
            {
                i++;
                json.Append(',');
                continue;
            }

            if (text[i] == '}')
            {
                i++;
                json.Append(']');
                return true;
            }

            return false;
        }
    }
}
