using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>
/// Maps each character of a string literal's value to the source characters that wrote it, so a diagnostic can
/// point at a placeholder inside the literal. Handles regular (with escapes), verbatim and raw (single- and
/// multi-line) literals.
/// </summary>
internal sealed class StringLiteralMap
{
    private readonly int[] _starts;
    private readonly int[] _ends;

    private StringLiteralMap(int[] starts, int[] ends)
    {
        _starts = starts;
        _ends = ends;
    }

    /// <summary>Number of value characters.</summary>
    public int Length => _starts.Length;

    /// <summary>The absolute source span of value characters [start, start + length).</summary>
    public Microsoft.CodeAnalysis.Text.TextSpan Map(int start, int length)
    {
        if (length <= 0)
        {
            var at = start < _starts.Length ? _starts[start] : _ends[_ends.Length - 1];
            return new Microsoft.CodeAnalysis.Text.TextSpan(at, 0);
        }

        return Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(_starts[start], _ends[start + length - 1]);
    }

    /// <summary>The map of a string literal token, or null for other tokens or when the value cannot be mapped exactly.</summary>
    public static StringLiteralMap? Create(SyntaxToken token)
    {
        var text = token.Text;
        var offset = token.SpanStart;
        var starts = new List<int>(text.Length);
        var ends = new List<int>(text.Length);
        var value = new StringBuilder(text.Length);

        void Add(char c, int sourceStart, int sourceEnd)
        {
            value.Append(c);
            starts.Add(offset + sourceStart);
            ends.Add(offset + sourceEnd);
        }

        switch (token.Kind())
        {
            case SyntaxKind.StringLiteralToken when text.StartsWith("@", System.StringComparison.Ordinal):
                for (var i = 2; i < text.Length - 1; i++)
                {
                    if (text[i] == '"' && i + 1 < text.Length - 1 && text[i + 1] == '"')
                    {
                        Add('"', i, i + 2);
                        i++;
                    }
                    else
                    {
                        Add(text[i], i, i + 1);
                    }
                }

                break;
            case SyntaxKind.StringLiteralToken:
                for (var i = 1; i < text.Length - 1;)
                {
                    if (text[i] != '\\')
                    {
                        Add(text[i], i, i + 1);
                        i++;
                        continue;
                    }

                    var start = i;
                    var escaped = Unescape(text, ref i);
                    if (escaped is null)
                    {
                        return null;
                    }

                    foreach (var c in escaped)
                    {
                        Add(c, start, i);
                    }
                }

                break;
            case SyntaxKind.SingleLineRawStringLiteralToken:
            {
                var quotes = CountQuotes(text, 0);
                for (var i = quotes; i < text.Length - quotes; i++)
                {
                    Add(text[i], i, i + 1);
                }

                break;
            }

            case SyntaxKind.MultiLineRawStringLiteralToken:
            {
                var quotes = CountQuotes(text, 0);
                var firstNewline = text.IndexOf('\n', quotes);
                var lastNewline = text.LastIndexOf('\n');
                if (firstNewline < 0 || lastNewline <= firstNewline)
                {
                    return null;
                }

                var indentation = text.Substring(lastNewline + 1, text.Length - quotes - lastNewline - 1);

                // The value ends before the line break that precedes the closing line.
                var contentEnd = lastNewline > 0 && text[lastNewline - 1] == '\r' ? lastNewline - 1 : lastNewline;
                var lineStart = firstNewline + 1;
                while (lineStart <= contentEnd)
                {
                    var lineBreak = text.IndexOf('\n', lineStart);
                    var lineEnd = lineBreak < 0 || lineBreak >= contentEnd ? contentEnd : lineBreak + 1;
                    var i = lineStart;
                    if (string.CompareOrdinal(text, lineStart, indentation, 0, indentation.Length) == 0)
                    {
                        i += indentation.Length;
                    }
                    else
                    {
                        // A whitespace-only line may be shorter than the indentation.
                        while (i < lineEnd && (text[i] == ' ' || text[i] == '\t'))
                        {
                            i++;
                        }
                    }

                    for (; i < lineEnd; i++)
                    {
                        Add(text[i], i, i + 1);
                    }

                    if (lineEnd == contentEnd)
                    {
                        break;
                    }

                    lineStart = lineEnd;
                }

                break;
            }

            default:
                return null;
        }

        // A safety net: only a map that reproduces the compiler's value exactly is trusted.
        return value.ToString() == token.ValueText ? new StringLiteralMap(starts.ToArray(), ends.ToArray()) : null;
    }

    private static int CountQuotes(string text, int from)
    {
        var count = 0;
        while (from + count < text.Length && text[from + count] == '"')
        {
            count++;
        }

        return count;
    }

    private static string? Unescape(string text, ref int i)
    {
        // text[i] is the backslash.
        var kind = i + 1 < text.Length ? text[i + 1] : '\0';
        i += 2;
        switch (kind)
        {
            case '\'': return "'";
            case '"': return "\"";
            case '\\': return "\\";
            case '0': return "\0";
            case 'a': return "\a";
            case 'b': return "\b";
            case 'e': return "\u001b";
            case 'f': return "\f";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case 'v': return "\v";
            case 'u':
                return Hex(text, ref i, 4, 4) is { } u ? ((char)u).ToString() : null;
            case 'U':
                return Hex(text, ref i, 8, 8) is { } big ? char.ConvertFromUtf32(big) : null;
            case 'x':
                return Hex(text, ref i, 1, 4) is { } x ? ((char)x).ToString() : null;
            default:
                return null;
        }
    }

    private static int? Hex(string text, ref int i, int min, int max)
    {
        var count = 0;
        while (count < max && i + count < text.Length - 1 && Uri.IsHexDigit(text[i + count]))
        {
            count++;
        }

        if (count < min)
        {
            return null;
        }

        var value = int.Parse(text.Substring(i, count), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        i += count;
        return value;
    }

    private static class Uri
    {
        public static bool IsHexDigit(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
