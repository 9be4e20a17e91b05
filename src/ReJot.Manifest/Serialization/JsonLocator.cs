using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReJot.Manifest;

/// <summary>A position in a JSON text: 1-based line and column (in characters), and the value's kind there.</summary>
internal readonly record struct JsonTextPosition(int Line, int Column, JsonTokenType Token);

/// <summary>
/// Finds where a value sits in a JSON text, so errors found after deserialization (a missing PostgreSQL
/// host, an unknown manifestVersion) point at a line and column like syntax errors do.
/// </summary>
internal static class JsonLocator
{
    /// <summary>Parses an STJ-style path (<c>$.a.b[0]['x.y']</c>) into segments: strings are property names, ints indices.</summary>
    public static IReadOnlyList<object> ParsePath(string? path)
    {
        var segments = new List<object>();
        if (string.IsNullOrEmpty(path))
        {
            return segments;
        }

        var i = path[0] == '$' ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }

                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    break;
                }

                segments.Add(index);
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                segments.Add(path[i..end]);
                i = end;
            }
        }

        return segments;
    }

    /// <summary>Formats segments for people: <c>connections[0].config.port</c>, or <c>(root)</c>.</summary>
    public static string Display(IReadOnlyList<object> segments)
    {
        if (segments.Count == 0)
        {
            return "(root)";
        }

        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append((string)segment);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The position of the value at <paramref name="segments"/>, or of its nearest existing ancestor when it is
    /// absent; null when the text is not readable that far.
    /// </summary>
    public static JsonTextPosition? Find(byte[] utf8, IReadOnlyList<object> segments)
    {
        var bestDepth = -1;
        long bestOffset = -1;
        var bestToken = JsonTokenType.None;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var frames = new List<Frame>();
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    frames[^1] = frames[^1] with { Key = reader.GetString() };
                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }

                if (frames.Count > 0 && frames[^1].IsArray)
                {
                    frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
                }

                var matched = MatchingPrefix(frames, segments);
                if (matched == frames.Count && matched > bestDepth)
                {
                    bestDepth = matched;
                    bestOffset = reader.TokenStartIndex;
                    bestToken = token;
                    if (matched == segments.Count)
                    {
                        break;
                    }
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Add(new Frame(token == JsonTokenType.StartArray, -1, null));
                }
            }
        }
        catch (JsonException)
        {
            // A broken text still yields the best position found before the break.
        }

        if (bestOffset < 0)
        {
            return null;
        }

        var (line, column) = LineAndColumn(utf8, bestOffset);
        return new JsonTextPosition(line, column, bestToken);
    }

    /// <summary>1-based line and character column of a byte offset.</summary>
    public static (int Line, int Column) LineAndColumn(byte[] utf8, long offset)
    {
        var line = 1;
        var lineStart = 0;
        var end = (int)Math.Min(offset, utf8.Length);
        for (var i = 0; i < end; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, Encoding.UTF8.GetCharCount(utf8, lineStart, end - lineStart) + 1);
    }

    /// <summary>Converts STJ's 0-based line and byte-in-line to 1-based line and character column.</summary>
    public static (int Line, int Column) FromReaderPosition(byte[] utf8, long lineNumber, long bytePositionInLine)
    {
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < utf8.Length && line < lineNumber; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        var count = (int)Math.Min(bytePositionInLine, utf8.Length - lineStart);
        return ((int)lineNumber + 1, Encoding.UTF8.GetCharCount(utf8, lineStart, Math.Max(0, count)) + 1);
    }

    /// <summary>Describes a token for "found …" messages.</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "a value",
    };

    private static int MatchingPrefix(List<Frame> frames, IReadOnlyList<object> segments)
    {
        var n = 0;
        while (n < frames.Count && n < segments.Count)
        {
            var frame = frames[n];
            var ok = segments[n] switch
            {
                int index => frame.IsArray && frame.Index == index,
                string key => !frame.IsArray && string.Equals(frame.Key, key, StringComparison.Ordinal),
                _ => false,
            };
            if (!ok)
            {
                break;
            }

            n++;
        }

        return n;
    }

    private readonly record struct Frame(bool IsArray, int Index, string? Key);
}
