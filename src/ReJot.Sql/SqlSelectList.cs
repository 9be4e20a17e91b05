using System;
using System.Collections.Generic;

namespace ReJot.Sql;

/// <summary>One output column of a SELECT list.</summary>
internal sealed class SelectColumn
{
    internal SelectColumn(string name, bool isQuoted, bool isAlias, bool isInferred, bool hasUnquotedUpperCase, int nameStart, int nameLength, int itemStart, int itemLength)
    {
        Name = name;
        IsQuoted = isQuoted;
        IsAlias = isAlias;
        IsInferred = isInferred;
        HasUnquotedUpperCase = hasUnquotedUpperCase;
        NameStart = nameStart;
        NameLength = nameLength;
        ItemStart = itemStart;
        ItemLength = itemLength;
    }

    /// <summary>
    /// The column name PostgreSQL reports: a quoted name verbatim, an unquoted one folded to lower case, and for an
    /// expression without alias the name PostgreSQL derives (<c>t.col</c> gives <c>col</c>, <c>f(x)</c> gives
    /// <c>f</c>, <c>CASE</c> gives <c>case</c>, anything else <c>?column?</c>).
    /// </summary>
    public string Name { get; }

    /// <summary>True when the name came from a quoted identifier.</summary>
    public bool IsQuoted { get; }

    /// <summary>True when the name is an alias (<c>expr AS name</c> or <c>expr name</c>).</summary>
    public bool IsAlias { get; }

    /// <summary>True when the item has no alias and the name is derived from its expression.</summary>
    public bool IsInferred { get; }

    /// <summary>True when the name was written unquoted with upper-case letters (PostgreSQL folds them away).</summary>
    public bool HasUnquotedUpperCase { get; }

    /// <summary>The source text the name was taken from (alias, column or function name; the item when <c>?column?</c>).</summary>
    public int NameStart { get; }

    /// <summary>Length of the name's source text.</summary>
    public int NameLength { get; }

    /// <summary>Offset of the whole select-list item.</summary>
    public int ItemStart { get; }

    /// <summary>Length of the whole select-list item.</summary>
    public int ItemLength { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The output columns of a top-level SELECT.</summary>
internal sealed class SelectListResult
{
    internal SelectListResult(IReadOnlyList<SelectColumn> columns) => Columns = columns;

    /// <summary>Output columns in order.</summary>
    public IReadOnlyList<SelectColumn> Columns { get; }
}

/// <summary>Reads the output column names of a top-level SELECT without a database.</summary>
internal static class SqlSelectList
{
    // Keywords that end a select list at parenthesis depth 0.
    private static readonly HashSet<string> s_terminators = new(StringComparer.OrdinalIgnoreCase)
    {
        "FROM", "INTO", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET", "FETCH", "FOR",
        "UNION", "INTERSECT", "EXCEPT", "RETURNING",
    };

    // Keywords that cannot be a bare (AS-less) alias, or cannot precede one.
    private static readonly HashSet<string> s_nonAliasKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "NOT", "IS", "IN", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "COLLATE", "AT", "TIME", "ZONE",
        "CASE", "WHEN", "THEN", "ELSE", "END", "NULL", "TRUE", "FALSE", "DISTINCT", "ALL", "ANY", "SOME",
        "ARRAY", "AS", "ISNULL", "NOTNULL", "OVERLAPS", "ESCAPE", "UNKNOWN", "SYMMETRIC", "ASYMMETRIC",
        "INTERVAL", "TIMESTAMP", "DATE", "FILTER", "OVER", "WITHIN", "USING", "OPERATOR", "EXISTS", "SELECT",
        "WITH", "VARYING", "PRECISION", "WITHOUT", "LOCAL", "DEFAULT", "CURRENT_DATE", "CURRENT_TIME",
        "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_USER", "SESSION_USER", "USER",
    };

    // Keywords PostgreSQL reports under their own name when they are the whole expression (SELECT current_date).
    private static readonly HashSet<string> s_selfNamedKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_USER",
        "SESSION_USER", "USER", "CURRENT_ROLE", "CURRENT_CATALOG", "CURRENT_SCHEMA",
    };

    /// <summary>
    /// The output columns of the first top-level SELECT in <paramref name="sql"/> (after an optional WITH clause);
    /// null when the text has lexical errors, is not a SELECT, or its list has <c>*</c> (unknowable without a database).
    /// </summary>
    public static SelectListResult? TryRead(string sql) => TryRead(SqlTokenizer.Tokenize(sql));

    /// <summary>Same as <see cref="TryRead(string)"/> over an existing tokenization.</summary>
    public static SelectListResult? TryRead(SqlTokenization tokenization)
    {
        if (!tokenization.IsValid)
        {
            return null;
        }

        var tokens = new List<SqlToken>();
        foreach (var token in tokenization.Tokens)
        {
            if (!token.IsTrivia)
            {
                tokens.Add(token);
            }
        }

        // Skip redundant outer parentheses: (SELECT ...).
        var first = 0;
        while (first < tokens.Count && tokens[first].Kind == SqlTokenKind.OpenParen)
        {
            first++;
        }

        if (first >= tokens.Count || !(tokens[first].IsKeyword("SELECT") || tokens[first].IsKeyword("WITH")))
        {
            return null;
        }

        var select = FindTopLevelSelect(tokens, first, first);
        if (select < 0)
        {
            return null;
        }

        var position = select + 1;
        if (position < tokens.Count && tokens[position].IsKeyword("ALL"))
        {
            position++;
        }
        else if (position < tokens.Count && tokens[position].IsKeyword("DISTINCT"))
        {
            position++;
            if (position < tokens.Count && tokens[position].IsKeyword("ON"))
            {
                position++;
                if (position >= tokens.Count || tokens[position].Kind != SqlTokenKind.OpenParen)
                {
                    return null;
                }

                position = SkipParenthesized(tokens, position);
                if (position < 0)
                {
                    return null;
                }
            }
        }

        var columns = new List<SelectColumn>();
        var itemStart = position;
        var depth = 0;
        for (; position <= tokens.Count; position++)
        {
            var atEnd = position == tokens.Count;
            var token = atEnd ? null : tokens[position];
            if (token is not null)
            {
                if (token.Kind is SqlTokenKind.OpenParen or SqlTokenKind.OpenBracket)
                {
                    depth++;
                    continue;
                }

                if (token.Kind is SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket)
                {
                    depth--;
                    if (depth >= 0)
                    {
                        continue;
                    }

                    // The ')' closing the redundant outer parenthesis ends the list.
                }
                else if (depth > 0)
                {
                    continue;
                }
                else if (token.Kind != SqlTokenKind.Comma && token.Kind != SqlTokenKind.Semicolon
                    && !(token.Kind == SqlTokenKind.Identifier && s_terminators.Contains(token.Text)
                        && !(position > itemStart && tokens[position - 1].IsKeyword("AS"))))
                {
                    continue;
                }
            }

            if (position == itemStart)
            {
                // An empty item ("SELECT FROM t", "a,,b") has no readable name.
                return columns.Count == 0 && (atEnd || token!.Kind != SqlTokenKind.Comma) ? new SelectListResult(columns) : null;
            }

            var column = ReadItem(tokenization.Sql, tokens, itemStart, position);
            if (column is null)
            {
                return null;
            }

            columns.Add(column);
            if (atEnd || token!.Kind != SqlTokenKind.Comma)
            {
                break;
            }

            itemStart = position + 1;
        }

        return new SelectListResult(columns);
    }

    private static int FindTopLevelSelect(List<SqlToken> tokens, int from, int outerDepth)
    {
        var depth = outerDepth;
        for (var i = from; i < tokens.Count; i++)
        {
            var kind = tokens[i].Kind;
            if (kind == SqlTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == SqlTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == outerDepth && tokens[i].IsKeyword("SELECT"))
            {
                return i;
            }
            else if (kind == SqlTokenKind.Semicolon && depth == outerDepth)
            {
                return -1;
            }
        }

        return -1;
    }

    private static int SkipParenthesized(List<SqlToken> tokens, int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.OpenParen)
            {
                depth++;
            }
            else if (tokens[i].Kind == SqlTokenKind.CloseParen && --depth == 0)
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static SelectColumn? ReadItem(string sql, List<SqlToken> tokens, int start, int end)
    {
        var itemStart = tokens[start].Start;
        var itemLength = tokens[end - 1].End - itemStart;
        var last = tokens[end - 1];
        if (last.IsKeyword("AS"))
        {
            return null;
        }

        // "*" and "t.*" depend on the table definition.
        if (last.Kind == SqlTokenKind.Operator && last.Text == "*" && (end - start == 1 || tokens[end - 2].Kind == SqlTokenKind.Dot))
        {
            return null;
        }

        // expr AS alias / expr alias
        if (end - start >= 2 && IsName(last))
        {
            var previous = tokens[end - 2];
            var explicitAs = previous.IsKeyword("AS");
            if ((explicitAs && end - start >= 3) || (!explicitAs && IsBareAlias(last, previous)))
            {
                return FromName(last, isAlias: true, isInferred: false, itemStart, itemLength);
            }

            if (explicitAs)
            {
                return null;
            }
        }

        // PostgreSQL names "x::int", "t.x::numeric(10, 2)::text" and "f(y)::int[]" after what is cast.
        var exprEnd = end;
        var depth = 0;
        for (var i = start; i < end; i++)
        {
            var kind = tokens[i].Kind;
            if (kind is SqlTokenKind.OpenParen or SqlTokenKind.OpenBracket)
            {
                depth++;
            }
            else if (kind is SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket)
            {
                depth--;
            }
            else if (kind == SqlTokenKind.Cast && depth == 0 && i > start)
            {
                exprEnd = i;
                break;
            }
        }

        var count = exprEnd - start;
        var head = tokens[start];

        // Column reference: col, t.col, s.t.col, "Col"
        if (IsColumnReference(tokens, start, exprEnd))
        {
            var name = tokens[exprEnd - 1];
            if (count == 1 && name.Kind == SqlTokenKind.Identifier && s_nonAliasKeywords.Contains(name.Text) && !s_selfNamedKeywords.Contains(name.Text))
            {
                return Unnamed(itemStart, itemLength);
            }

            return FromName(name, isAlias: false, isInferred: true, itemStart, itemLength);
        }

        // Function call: f(...), s.f(...)
        var nameEnd = start;
        while (nameEnd + 2 < exprEnd && IsName(tokens[nameEnd]) && tokens[nameEnd + 1].Kind == SqlTokenKind.Dot)
        {
            nameEnd += 2;
        }

        if (nameEnd + 1 < exprEnd && IsName(tokens[nameEnd]) && tokens[nameEnd + 1].Kind == SqlTokenKind.OpenParen
            && SkipParenthesized(tokens, nameEnd + 1) == exprEnd && !s_nonAliasKeywords.Contains(tokens[nameEnd].Text))
        {
            return FromName(tokens[nameEnd], isAlias: false, isInferred: true, itemStart, itemLength);
        }

        if (head.IsKeyword("CASE") && tokens[exprEnd - 1].IsKeyword("END"))
        {
            return new SelectColumn("case", false, false, true, false, head.Start, head.Length, itemStart, itemLength);
        }

        if (head.IsKeyword("ARRAY") && count >= 2)
        {
            return new SelectColumn("array", false, false, true, false, head.Start, head.Length, itemStart, itemLength);
        }

        if (head.IsKeyword("EXISTS") && count >= 2)
        {
            return new SelectColumn("exists", false, false, true, false, head.Start, head.Length, itemStart, itemLength);
        }

        return Unnamed(itemStart, itemLength);
    }

    private static SelectColumn Unnamed(int itemStart, int itemLength) =>
        new("?column?", false, false, true, false, itemStart, itemLength, itemStart, itemLength);

    private static bool IsColumnReference(List<SqlToken> tokens, int start, int end)
    {
        if ((end - start) % 2 == 0)
        {
            return false;
        }

        for (var i = start; i < end; i++)
        {
            var expected = (i - start) % 2 == 0 ? IsName(tokens[i]) : tokens[i].Kind == SqlTokenKind.Dot;
            if (!expected)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsName(SqlToken token) => token.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier;

    private static bool IsBareAlias(SqlToken alias, SqlToken previous)
    {
        if (alias.Kind == SqlTokenKind.Identifier && s_nonAliasKeywords.Contains(alias.Text))
        {
            return false;
        }

        return previous.Kind switch
        {
            SqlTokenKind.Identifier => !s_nonAliasKeywords.Contains(previous.Text) || previous.IsKeyword("END")
                || previous.IsKeyword("NULL") || previous.IsKeyword("TRUE") || previous.IsKeyword("FALSE")
                || s_selfNamedKeywords.Contains(previous.Text),
            SqlTokenKind.QuotedIdentifier or SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket or SqlTokenKind.Number
                or SqlTokenKind.String or SqlTokenKind.DollarString or SqlTokenKind.PositionalParameter
                or SqlTokenKind.NamedParameter => true,
            _ => false,
        };
    }

    private static SelectColumn FromName(SqlToken token, bool isAlias, bool isInferred, int itemStart, int itemLength)
    {
        if (token.Kind == SqlTokenKind.QuotedIdentifier)
        {
            return new SelectColumn(UnquoteIdentifier(token.Text), true, isAlias, isInferred, false, token.Start, token.Length, itemStart, itemLength);
        }

        var hasUpper = false;
        foreach (var c in token.Text)
        {
            if (c >= 'A' && c <= 'Z')
            {
                hasUpper = true;
                break;
            }
        }

        return new SelectColumn(FoldIdentifier(token.Text), false, isAlias, isInferred, hasUpper, token.Start, token.Length, itemStart, itemLength);
    }

    /// <summary>Folds an unquoted identifier as PostgreSQL does: ASCII letters to lower case, nothing else.</summary>
    public static string FoldIdentifier(string identifier)
    {
        var chars = identifier.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] >= 'A' && chars[i] <= 'Z')
            {
                chars[i] = (char)(chars[i] + ('a' - 'A'));
            }
        }

        return new string(chars);
    }

    /// <summary>The name inside a quoted identifier (<c>"a""b"</c> gives <c>a"b</c>; a <c>U&amp;</c> prefix is dropped, escapes kept).</summary>
    public static string UnquoteIdentifier(string quoted)
    {
        var open = quoted.IndexOf('"');
        var inner = quoted.Substring(open + 1, quoted.Length - open - 2);
        return inner.Replace("\"\"", "\"");
    }
}
