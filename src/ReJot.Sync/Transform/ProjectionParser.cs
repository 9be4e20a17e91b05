using System.Text;
using ReJot.Sql;

namespace ReJot.Sync.Transform;

/// <summary>A column reference of a projection: an optional qualifier and the column name, both as PostgreSQL reads them.</summary>
internal sealed record ProjectionColumn(string? Qualifier, string Column);

/// <summary>One select-list item of a projection: the column it reads and the output name <c>row_to_json</c> gives it.</summary>
internal sealed record ProjectionItem(ProjectionColumn Source, string OutputName);

/// <summary>One <c>column = parameter</c> condition of a projection's WHERE.</summary>
internal sealed record ProjectionCondition(ProjectionColumn Column, string? ParameterName, int ParameterIndex);

/// <summary>
/// The shape of a transformation that is a plain projection of one table's row:
/// <c>SELECT col [AS name], … FROM table [[AS] alias] WHERE keycol = :param [AND …]</c>.
/// </summary>
/// <param name="TableText">The table name as written (quotes kept), for <c>to_regclass</c>: it resolves exactly as the query would.</param>
/// <param name="TableParts">The table name's parts as PostgreSQL reads them (schema, name or just name).</param>
/// <param name="Alias">The table alias, if any.</param>
/// <param name="Items">The select list.</param>
/// <param name="Conditions">The conjuncts of the WHERE clause.</param>
internal sealed record ProjectionShape(string TableText, IReadOnlyList<string> TableParts, string? Alias, IReadOnlyList<ProjectionItem> Items, IReadOnlyList<ProjectionCondition> Conditions);

/// <summary>
/// Decides, from the tokens alone, whether a transformation's SQL is a plain projection of one row (see
/// <see cref="ProjectionShape"/>); anything else (expressions, casts, functions, joins, DISTINCT, ORDER BY, LIMIT,
/// subqueries, CTEs, set operations, other conditions, keywords that could mean something else) is rejected with
/// a reason, and the transformation runs as a query.
/// </summary>
internal static class ProjectionParser
{
    /// <summary>PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes.</summary>
    internal const int MaxIdentifierBytes = 63;

    // Reserved, type/function-name and column-name keywords (PostgreSQL 15-17 kwlist.h): unquoted, they are not a
    // plain column or table reference (user, current_date, true, … are values; others are syntax).
    private static readonly HashSet<string> s_keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
        "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
        "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
        "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "system_user",
        "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
        "window", "with",
        "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full", "ilike",
        "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps", "right", "similar",
        "tablesample", "verbose",
        "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal", "exists", "extract",
        "float", "greatest", "grouping", "inout", "int", "integer", "interval", "json", "json_array", "json_arrayagg",
        "json_exists", "json_object", "json_objectagg", "json_query", "json_scalar", "json_serialize", "json_table",
        "json_value", "least", "merge_action", "national", "nchar", "none", "normalize", "nullif", "numeric", "out",
        "overlay", "position", "precision", "real", "row", "setof", "smallint", "substring", "time", "timestamp",
        "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest",
        "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
    };

    // Unreserved keywords that may only follow AS as an output name (not BARE_LABEL in kwlist.h).
    private static readonly HashSet<string> s_asOnlyLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        "day", "filter", "hour", "minute", "month", "over", "second", "varying", "within", "without", "year",
    };

    /// <summary>Parses <paramref name="sql"/>; null with <paramref name="reason"/> when it is not a plain projection.</summary>
    public static ProjectionShape? Parse(string sql, out string reason)
    {
        var tokenization = SqlTokenizer.Tokenize(sql);
        if (!tokenization.IsValid)
        {
            reason = "the SQL has a lexical error";
            return null;
        }

        var tokens = tokenization.Tokens.Where(t => !t.IsTrivia).ToList();
        while (tokens.Count > 0 && tokens[^1].Kind == SqlTokenKind.Semicolon)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        var parser = new Parser(tokens);
        try
        {
            var shape = parser.Parse();
            reason = string.Empty;
            return shape;
        }
        catch (NotProjectionException e)
        {
            reason = e.Message;
            return null;
        }
    }

    /// <summary>An identifier as PostgreSQL reads it: quoted verbatim (<c>""</c> → <c>"</c>), unquoted folded to lower case (ASCII only, as in UTF-8 databases).</summary>
    internal static string Normalize(SqlToken token)
    {
        if (token.Kind == SqlTokenKind.QuotedIdentifier)
        {
            return token.Text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        var text = token.Text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
        }

        return builder.ToString();
    }

    private sealed class NotProjectionException(string message) : Exception(message);

    private sealed class Parser(List<SqlToken> tokens)
    {
        private int _pos;

        private SqlToken? Peek => _pos < tokens.Count ? tokens[_pos] : null;

        public ProjectionShape Parse()
        {
            Expect("SELECT", "it does not start with SELECT (WITH, VALUES, … run as a query)");
            var items = new List<ProjectionItem>();
            while (true)
            {
                var column = ColumnReference("select list");
                string outputName;
                if (Peek is { } next && next.IsKeyword("AS"))
                {
                    _pos++;
                    var label = Next("an output name after AS");
                    if (label.Kind is not (SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier) || IsUnicodeQuoted(label))
                    {
                        throw new NotProjectionException($"'{label.Text}' after AS is not a plain name");
                    }

                    outputName = Normalize(label);
                }
                else if (Peek is { } bare && (bare.Kind == SqlTokenKind.QuotedIdentifier
                    || (bare.Kind == SqlTokenKind.Identifier && !s_keywords.Contains(bare.Text) && !s_asOnlyLabels.Contains(bare.Text))))
                {
                    if (IsUnicodeQuoted(bare))
                    {
                        throw new NotProjectionException($"the output name {bare.Text} uses U& quoting");
                    }

                    _pos++;
                    outputName = Normalize(bare);
                }
                else
                {
                    outputName = column.Column;
                }

                if (Encoding.UTF8.GetByteCount(outputName) > MaxIdentifierBytes)
                {
                    throw new NotProjectionException($"the output name '{outputName}' is longer than {MaxIdentifierBytes} bytes (PostgreSQL truncates it)");
                }

                items.Add(new ProjectionItem(column, outputName));
                if (Peek is { Kind: SqlTokenKind.Comma })
                {
                    _pos++;
                    continue;
                }

                break;
            }

            Expect("FROM", Peek is null ? "it has no FROM" : $"'{Peek.Text}' in the select list is not a plain column reference");
            var tableStart = _pos;
            var tableParts = new List<string> { Name("table name") };
            if (Peek is { Kind: SqlTokenKind.Dot })
            {
                _pos++;
                tableParts.Add(Name("table name"));
            }

            if (Peek is { Kind: SqlTokenKind.Dot })
            {
                throw new NotProjectionException("the table name has more than two parts");
            }

            var tableText = string.Concat(tokens.Skip(tableStart).Take(_pos - tableStart).Select(t => t.Text));
            string? alias = null;
            if (Peek is { } asToken && asToken.IsKeyword("AS"))
            {
                _pos++;
                alias = Name("table alias");
            }
            else if (Peek is { } aliasToken && !aliasToken.IsKeyword("WHERE"))
            {
                alias = Name("table alias");
            }

            Expect("WHERE", Peek is null ? "it has no WHERE (a key condition is required)" : $"'{Peek.Text}' after the table is not WHERE (joins, several tables and other clauses run as a query)");
            var conditions = new List<ProjectionCondition>();
            while (true)
            {
                conditions.Add(Condition());
                if (Peek is { } and && and.IsKeyword("AND"))
                {
                    _pos++;
                    continue;
                }

                break;
            }

            if (Peek is { } rest)
            {
                throw new NotProjectionException($"'{rest.Text}' after the WHERE conditions (only 'column = :parameter' joined by AND)");
            }

            var shape = new ProjectionShape(tableText, tableParts, alias, items, conditions);
            CheckQualifiers(shape);
            return shape;
        }

        private static void CheckQualifiers(ProjectionShape shape)
        {
            // With an alias only the alias qualifies columns; without, the table's own name does.
            var qualifier = shape.Alias ?? shape.TableParts[^1];
            foreach (var column in shape.Items.Select(i => i.Source).Concat(shape.Conditions.Select(c => c.Column)))
            {
                if (column.Qualifier is { } q && !string.Equals(q, qualifier, StringComparison.Ordinal))
                {
                    throw new NotProjectionException($"'{q}.{column.Column}' is not qualified by the table ('{qualifier}')");
                }
            }
        }

        private ProjectionCondition Condition()
        {
            if (Peek is { Kind: SqlTokenKind.NamedParameter or SqlTokenKind.PositionalParameter })
            {
                var (name, index) = Parameter(tokens[_pos++]);
                ExpectEquals();
                return new ProjectionCondition(ColumnReference("WHERE"), name, index);
            }

            var column = ColumnReference("WHERE");
            ExpectEquals();
            if (Peek is not { Kind: SqlTokenKind.NamedParameter or SqlTokenKind.PositionalParameter })
            {
                throw new NotProjectionException($"'{Peek?.Text ?? "the end"}' in the WHERE is not a :parameter (only 'column = :parameter' conditions)");
            }

            var (n, i) = Parameter(tokens[_pos++]);
            return new ProjectionCondition(column, n, i);
        }

        private static (string? Name, int Index) Parameter(SqlToken token)
            => token.Kind == SqlTokenKind.NamedParameter ? (token.Text[1..], 0) : (null, SqlTokenizer.ParsePositionalIndex(token.Text));

        private void ExpectEquals()
        {
            if (Peek is not { Kind: SqlTokenKind.Operator, Text: "=" })
            {
                throw new NotProjectionException($"'{Peek?.Text ?? "the end"}' in the WHERE is not '=' (only 'column = :parameter' conditions)");
            }

            _pos++;
        }

        private ProjectionColumn ColumnReference(string where)
        {
            var first = Name($"a column in the {where}");
            if (Peek is not { Kind: SqlTokenKind.Dot })
            {
                return new ProjectionColumn(null, first);
            }

            _pos++;
            if (Peek is { Kind: SqlTokenKind.Operator, Text: "*" })
            {
                throw new NotProjectionException("'*' is not expanded (list the columns)");
            }

            var second = Name($"a column in the {where}");
            if (Peek is { Kind: SqlTokenKind.Dot })
            {
                throw new NotProjectionException($"a column reference in the {where} has more than two parts");
            }

            return new ProjectionColumn(first, second);
        }

        private string Name(string what)
        {
            var token = Next(what);
            if (token.Kind == SqlTokenKind.Operator && token.Text == "*")
            {
                throw new NotProjectionException("'*' is not expanded (list the columns)");
            }

            if (token.Kind == SqlTokenKind.QuotedIdentifier)
            {
                if (IsUnicodeQuoted(token))
                {
                    throw new NotProjectionException($"{what} {token.Text} uses U& quoting");
                }

                return Normalize(token);
            }

            if (token.Kind == SqlTokenKind.Identifier && !s_keywords.Contains(token.Text))
            {
                return Normalize(token);
            }

            throw new NotProjectionException($"'{token.Text}' is not a plain name ({what}; expressions, functions, casts and keywords run as a query)");
        }

        private SqlToken Next(string what)
            => _pos < tokens.Count ? tokens[_pos++] : throw new NotProjectionException($"the SQL ends where {what} is expected");

        private void Expect(string keyword, string otherwise)
        {
            if (Peek is { } token && token.IsKeyword(keyword))
            {
                _pos++;
                return;
            }

            throw new NotProjectionException(otherwise);
        }

        private static bool IsUnicodeQuoted(SqlToken token) => token.Kind == SqlTokenKind.QuotedIdentifier && token.Text[0] != '"';
    }
}
