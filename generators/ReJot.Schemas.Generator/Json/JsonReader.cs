using System;
using System.Globalization;
using System.Text;

namespace ReJot.Schemas.Generator.Json;

/// <summary>Reads JSON text (RFC 8259) into a <see cref="JsonValue"/>.</summary>
internal sealed class JsonReader
{
    private readonly string _text;
    private int _position;

    private JsonReader(string text)
    {
        _text = text;
    }

    /// <summary>Parses a whole document; throws <see cref="FormatException"/> with line and column on bad input.</summary>
    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        if (reader._text.Length > 0 && reader._text[0] == '\uFEFF')
        {
            reader._position = 1;
        }

        var value = reader.ReadValue(depth: 0);
        reader.SkipWhitespace();
        if (reader._position != reader._text.Length)
        {
            throw reader.Error("unexpected text after the JSON value");
        }

        return value;
    }

    private JsonValue ReadValue(int depth)
    {
        if (depth > 256)
        {
            throw Error("nesting is too deep");
        }

        SkipWhitespace();
        if (_position >= _text.Length)
        {
            throw Error("unexpected end of the document");
        }

        var c = _text[_position];
        switch (c)
        {
            case '{':
                return ReadObject(depth);
            case '[':
                return ReadArray(depth);
            case '"':
                return new JsonString(ReadString());
            case 't':
                return ReadWord("true", JsonValue.True);
            case 'f':
                return ReadWord("false", JsonValue.False);
            case 'n':
                return ReadWord("null", JsonValue.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }

                throw Error("unexpected character '" + c + "'");
        }
    }

    private JsonObject ReadObject(int depth)
    {
        var result = new JsonObject();
        _position++;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _position++;
            return result;
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("expected a member name in double quotes");
            }

            var name = ReadString();
            SkipWhitespace();
            Expect(':');
            result.Members.Add(new System.Collections.Generic.KeyValuePair<string, JsonValue>(name, ReadValue(depth + 1)));
            SkipWhitespace();
            var next = Peek();
            _position++;
            if (next == '}')
            {
                return result;
            }

            if (next != ',')
            {
                _position--;
                throw Error("expected ',' or '}'");
            }
        }
    }

    private JsonArray ReadArray(int depth)
    {
        var result = new JsonArray();
        _position++;
        SkipWhitespace();
        if (Peek() == ']')
        {
            _position++;
            return result;
        }

        while (true)
        {
            result.Items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var next = Peek();
            _position++;
            if (next == ']')
            {
                return result;
            }

            if (next != ',')
            {
                _position--;
                throw Error("expected ',' or ']'");
            }
        }
    }

    private string ReadString()
    {
        _position++;
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_position++];
            if (c == '"')
            {
                return builder.ToString();
            }

            if (c < ' ')
            {
                _position--;
                throw Error("control character in a string");
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (_position >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var escape = _text[_position++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("bad \\u escape");
                    }

                    builder.Append((char)code);
                    _position += 4;
                    break;
                default:
                    _position--;
                    throw Error("bad escape '\\" + escape + "'");
            }
        }
    }

    private JsonLiteral ReadNumber()
    {
        var start = _position;
        if (Peek() == '-')
        {
            _position++;
        }

        var digits = ReadDigits();
        if (digits == 0)
        {
            throw Error("bad number");
        }

        if (Peek() == '.')
        {
            _position++;
            if (ReadDigits() == 0)
            {
                throw Error("bad number");
            }
        }

        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-')
            {
                _position++;
            }

            if (ReadDigits() == 0)
            {
                throw Error("bad number");
            }
        }

        return new JsonLiteral(_text.Substring(start, _position - start));
    }

    private int ReadDigits()
    {
        var start = _position;
        while (_position < _text.Length && _text[_position] >= '0' && _text[_position] <= '9')
        {
            _position++;
        }

        return _position - start;
    }

    private JsonValue ReadWord(string word, JsonValue value)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            throw Error("unexpected word");
        }

        _position += word.Length;
        return value;
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error("expected '" + c + "'");
        }

        _position++;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            _position++;
        }
    }

    private FormatException Error(string message)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < _position && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new FormatException("invalid JSON at line " + line.ToString(CultureInfo.InvariantCulture)
            + ", column " + column.ToString(CultureInfo.InvariantCulture) + ": " + message);
    }
}
