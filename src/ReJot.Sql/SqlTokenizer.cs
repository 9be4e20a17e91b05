using System.Collections.Generic;
using System.Globalization;

namespace ReJot.Sql;

/// <summary>The tokens of a SQL text and its lexical errors.</summary>
internal sealed class SqlTokenization
{
    /// <summary>Creates a tokenization.</summary>
    public SqlTokenization(string sql, IReadOnlyList<SqlToken> tokens, IReadOnlyList<SqlError> errors)
    {
        Sql = sql;
        Tokens = tokens;
        Errors = errors;
    }

    /// <summary>The SQL text that was tokenized.</summary>
    public string Sql { get; }

    /// <summary>Every token in order, trivia (whitespace, comments) included; together they cover the whole text.</summary>
    public IReadOnlyList<SqlToken> Tokens { get; }

    /// <summary>Lexical errors (unterminated constructs), in text order.</summary>
    public IReadOnlyList<SqlError> Errors { get; }

    /// <summary>True when the text has no lexical errors.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// A PostgreSQL lexer, close to <c>scan.l</c>, that knows exactly where placeholders are: never inside string
/// constants, quoted identifiers, comments or dollar quotes, never the <c>::</c> of a cast or a slice bound.
/// </summary>
/// <remarks>
/// Plain <c>'..'</c> strings follow <c>standard_conforming_strings = on</c> (the default since PostgreSQL 9.1):
/// a backslash is an ordinary character there, and only <c>E'..'</c> strings treat it as an escape.
/// Named placeholders (<c>:name</c>) are a ReJot extension, not PostgreSQL syntax. Inside square brackets a
/// <c>:</c> that follows an operand is an array slice separator (<c>a[1:n]</c> reads column <c>n</c>), while
/// <c>a[:n]</c> reads placeholder <c>n</c>.
/// </remarks>
internal static class SqlTokenizer
{
    /// <summary>Splits <paramref name="sql"/> into tokens and reports unterminated constructs.</summary>
    public static SqlTokenization Tokenize(string sql)
    {
        if (sql is null)
        {
            throw new System.ArgumentNullException(nameof(sql));
        }

        var lexer = new Lexer(sql);
        lexer.Run();
        return new SqlTokenization(sql, lexer.Tokens, lexer.Errors);
    }

    /// <summary>A character PostgreSQL accepts at the start of an unquoted identifier.</summary>
    internal static bool IsIdentifierStart(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= '\u0080';

    /// <summary>A character PostgreSQL accepts inside an unquoted identifier (after the first).</summary>
    internal static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static bool IsOperatorChar(char c) => c switch
    {
        '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!' or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?' => true,
        _ => false,
    };

    private static bool IsWhitespace(char c) => c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';

    private sealed class Lexer
    {
        private readonly string _sql;
        private int _pos;
        private int _bracketDepth;
        private SqlToken? _lastSignificant;

        public Lexer(string sql) => _sql = sql;

        public List<SqlToken> Tokens { get; } = new();

        public List<SqlError> Errors { get; } = new();

        private char At(int index) => index < _sql.Length ? _sql[index] : '\0';

        public void Run()
        {
            while (_pos < _sql.Length)
            {
                var start = _pos;
                var kind = Next();
                var token = new SqlToken(kind, start, _pos - start, _sql.Substring(start, _pos - start));
                Tokens.Add(token);
                if (token.IsTrivia)
                {
                    continue;
                }

                if (kind == SqlTokenKind.OpenBracket)
                {
                    _bracketDepth++;
                }
                else if (kind == SqlTokenKind.CloseBracket && _bracketDepth > 0)
                {
                    _bracketDepth--;
                }

                _lastSignificant = token;
            }
        }

        private SqlTokenKind Next()
        {
            var c = _sql[_pos];
            var next = At(_pos + 1);

            if (IsWhitespace(c))
            {
                while (_pos < _sql.Length && IsWhitespace(_sql[_pos]))
                {
                    _pos++;
                }

                return SqlTokenKind.Whitespace;
            }

            if (c == '-' && next == '-')
            {
                while (_pos < _sql.Length && _sql[_pos] != '\n' && _sql[_pos] != '\r')
                {
                    _pos++;
                }

                return SqlTokenKind.LineComment;
            }

            if (c == '/' && next == '*')
            {
                return BlockComment();
            }

            if (c == '\'')
            {
                return QuotedString(_pos, _pos, backslashEscapes: false);
            }

            if (c == '"')
            {
                return QuotedIdentifier(_pos, _pos);
            }

            if (IsIdentifierStart(c))
            {
                // String and identifier prefixes: E'..', B'..', X'..', N'..', U&'..', U&"..".
                if ((c == 'e' || c == 'E') && next == '\'')
                {
                    return QuotedString(_pos, _pos + 1, backslashEscapes: true);
                }

                if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && next == '\'')
                {
                    return QuotedString(_pos, _pos + 1, backslashEscapes: false);
                }

                if ((c == 'u' || c == 'U') && next == '&' && At(_pos + 2) == '\'')
                {
                    return QuotedString(_pos, _pos + 2, backslashEscapes: false);
                }

                if ((c == 'u' || c == 'U') && next == '&' && At(_pos + 2) == '"')
                {
                    return QuotedIdentifier(_pos, _pos + 2);
                }

                _pos++;
                while (_pos < _sql.Length && IsIdentifierPart(_sql[_pos]))
                {
                    _pos++;
                }

                return SqlTokenKind.Identifier;
            }

            if (c == '$')
            {
                if (IsDigit(next))
                {
                    _pos++;
                    while (_pos < _sql.Length && IsDigit(_sql[_pos]))
                    {
                        _pos++;
                    }

                    return SqlTokenKind.PositionalParameter;
                }

                return DollarQuote();
            }

            if (IsDigit(c) || (c == '.' && IsDigit(next)))
            {
                return Number();
            }

            if (c == ':')
            {
                if (next == ':')
                {
                    _pos += 2;
                    return SqlTokenKind.Cast;
                }

                if (next == '=')
                {
                    _pos += 2;
                    return SqlTokenKind.ColonEquals;
                }

                if (IsIdentifierStart(next) && !IsSliceSeparator())
                {
                    _pos += 2;
                    while (_pos < _sql.Length && IsPlaceholderPart(_sql[_pos]))
                    {
                        _pos++;
                    }

                    return SqlTokenKind.NamedParameter;
                }

                _pos++;
                return SqlTokenKind.Colon;
            }

            if (IsOperatorChar(c))
            {
                return Operator();
            }

            _pos++;
            return c switch
            {
                '(' => SqlTokenKind.OpenParen,
                ')' => SqlTokenKind.CloseParen,
                '[' => SqlTokenKind.OpenBracket,
                ']' => SqlTokenKind.CloseBracket,
                ',' => SqlTokenKind.Comma,
                ';' => SqlTokenKind.Semicolon,
                '.' => SqlTokenKind.Dot,
                _ => SqlTokenKind.Unknown,
            };
        }

        // Placeholder names are contract field names: letters, digits and underscores (no '$', unlike identifiers).
        private static bool IsPlaceholderPart(char c) => IsIdentifierStart(c) || IsDigit(c);

        private bool IsSliceSeparator()
        {
            if (_bracketDepth == 0 || _lastSignificant is null)
            {
                return false;
            }

            return _lastSignificant.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier or SqlTokenKind.Number
                or SqlTokenKind.String or SqlTokenKind.DollarString or SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket
                or SqlTokenKind.PositionalParameter or SqlTokenKind.NamedParameter;
        }

        private SqlTokenKind BlockComment()
        {
            var start = _pos;
            var depth = 0;
            while (_pos < _sql.Length)
            {
                if (_sql[_pos] == '/' && At(_pos + 1) == '*')
                {
                    depth++;
                    _pos += 2;
                }
                else if (_sql[_pos] == '*' && At(_pos + 1) == '/')
                {
                    depth--;
                    _pos += 2;
                    if (depth == 0)
                    {
                        return SqlTokenKind.BlockComment;
                    }
                }
                else
                {
                    _pos++;
                }
            }

            Errors.Add(new SqlError(
                SqlErrorKind.UnterminatedBlockComment,
                start,
                _sql.Length - start,
                "Unterminated /* comment: close it with */ (comments nest, so every /* needs its own */)."));
            return SqlTokenKind.BlockComment;
        }

        private SqlTokenKind QuotedString(int start, int quote, bool backslashEscapes)
        {
            _pos = quote + 1;
            while (_pos < _sql.Length)
            {
                var c = _sql[_pos];
                if (backslashEscapes && c == '\\')
                {
                    _pos += 2;
                    continue;
                }

                if (c == '\'')
                {
                    if (At(_pos + 1) == '\'')
                    {
                        _pos += 2;
                        continue;
                    }

                    _pos++;
                    return SqlTokenKind.String;
                }

                _pos++;
            }

            _pos = _sql.Length;
            var escapeHint = backslashEscapes ? " (in E'' strings \\' is an escaped quote too)" : string.Empty;
            Errors.Add(new SqlError(
                SqlErrorKind.UnterminatedString,
                start,
                _sql.Length - start,
                "Unterminated string constant: close it with ' and write a quote inside it as ''" + escapeHint + "."));
            return SqlTokenKind.String;
        }

        private SqlTokenKind QuotedIdentifier(int start, int quote)
        {
            _pos = quote + 1;
            while (_pos < _sql.Length)
            {
                if (_sql[_pos] == '"')
                {
                    if (At(_pos + 1) == '"')
                    {
                        _pos += 2;
                        continue;
                    }

                    _pos++;
                    if (_pos - quote == 2)
                    {
                        Errors.Add(new SqlError(
                            SqlErrorKind.EmptyQuotedIdentifier,
                            start,
                            _pos - start,
                            "Zero-length quoted identifier \"\": PostgreSQL rejects it; write a name between the quotes."));
                    }

                    return SqlTokenKind.QuotedIdentifier;
                }

                _pos++;
            }

            Errors.Add(new SqlError(
                SqlErrorKind.UnterminatedQuotedIdentifier,
                start,
                _sql.Length - start,
                "Unterminated quoted identifier: close it with \" and write a quote inside it as \"\"."));
            return SqlTokenKind.QuotedIdentifier;
        }

        private SqlTokenKind DollarQuote()
        {
            var start = _pos;
            var end = _pos + 1;
            if (end < _sql.Length && IsIdentifierStart(_sql[end]))
            {
                end++;
                while (end < _sql.Length && (IsIdentifierStart(_sql[end]) || IsDigit(_sql[end])))
                {
                    end++;
                }
            }

            if (At(end) != '$')
            {
                // A lone '$' is not PostgreSQL syntax.
                _pos++;
                return SqlTokenKind.Unknown;
            }

            var delimiter = _sql.Substring(start, end - start + 1);
            var close = _sql.IndexOf(delimiter, end + 1, System.StringComparison.Ordinal);
            if (close < 0)
            {
                _pos = _sql.Length;
                Errors.Add(new SqlError(
                    SqlErrorKind.UnterminatedDollarQuote,
                    start,
                    _sql.Length - start,
                    "Unterminated dollar-quoted string: close it with " + delimiter + "."));
                return SqlTokenKind.DollarString;
            }

            _pos = close + delimiter.Length;
            return SqlTokenKind.DollarString;
        }

        private SqlTokenKind Number()
        {
            if (_sql[_pos] == '0' && (At(_pos + 1) is 'x' or 'X' or 'o' or 'O' or 'b' or 'B') && IsHexOrUnderscore(At(_pos + 2)))
            {
                _pos += 2;
                while (_pos < _sql.Length && IsHexOrUnderscore(_sql[_pos]))
                {
                    _pos++;
                }

                return SqlTokenKind.Number;
            }

            SkipDigits();
            // "1..2" never occurs in PostgreSQL, but a '.' followed by '.' is not a fraction.
            if (At(_pos) == '.' && At(_pos + 1) != '.')
            {
                _pos++;
                SkipDigits();
            }

            if ((At(_pos) == 'e' || At(_pos) == 'E')
                && (IsDigit(At(_pos + 1)) || ((At(_pos + 1) == '+' || At(_pos + 1) == '-') && IsDigit(At(_pos + 2)))))
            {
                _pos += 2;
                SkipDigits();
            }

            return SqlTokenKind.Number;
        }

        private static bool IsHexOrUnderscore(char c) =>
            IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '_';

        private void SkipDigits()
        {
            while (_pos < _sql.Length && (IsDigit(_sql[_pos]) || (_sql[_pos] == '_' && IsDigit(At(_pos + 1)))))
            {
                _pos++;
            }
        }

        private SqlTokenKind Operator()
        {
            var start = _pos;
            var end = _pos;
            while (end < _sql.Length && IsOperatorChar(_sql[end]))
            {
                // A comment start ends the operator (scan.l does the same).
                if (end > start && ((_sql[end] == '-' && At(end + 1) == '-') || (_sql[end] == '/' && At(end + 1) == '*')))
                {
                    break;
                }

                end++;
            }

            // scan.l: a multi-character operator may end in + or - only if it contains one of ~ ! @ # % ^ & | ` ?
            // (so "=-1" is "=" then "-1").
            if (end - start > 1 && (_sql[end - 1] == '+' || _sql[end - 1] == '-'))
            {
                var special = false;
                for (var i = start; i < end; i++)
                {
                    if ("~!@#%^&|`?".IndexOf(_sql[i]) >= 0)
                    {
                        special = true;
                        break;
                    }
                }

                if (!special)
                {
                    while (end - start > 1 && (_sql[end - 1] == '+' || _sql[end - 1] == '-'))
                    {
                        end--;
                    }
                }
            }

            _pos = end;
            return SqlTokenKind.Operator;
        }
    }

    /// <summary>The value of a positional parameter token (<c>$12</c> gives 12; too large gives <see cref="int.MaxValue"/>).</summary>
    internal static int ParsePositionalIndex(string text) =>
        int.TryParse(text.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : int.MaxValue;
}
