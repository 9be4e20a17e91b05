using System.Globalization;
using System.Text;
using ReJot.Sql;

namespace ReJot.Sync.Apply;

/// <summary>
/// A consumer statement that can apply a run of events as one statement over <c>unnest</c> of one text array per
/// placeholder, with exactly the effect of running it once per event in order. Only two shapes qualify:
/// <c>INSERT INTO t [AS a] [(cols)] VALUES (one row) [ON CONFLICT ...]</c> and
/// <c>DELETE FROM t [[AS] a] WHERE col = $n [AND col = $m ...]</c>; see <see cref="Analyze"/>. A placeholder in
/// <c>ON CONFLICT ... DO UPDATE SET/WHERE</c> becomes <c>EXCLUDED.col</c> (the unnest is not visible there) when the
/// target table proves that <c>EXCLUDED.col</c> holds the very value the placeholder would; see <see cref="Build(IReadOnlyList{string}, SetBasedTarget?, out string)"/>.
/// </summary>
internal sealed class SetBasedSql
{
    /// <summary>The alias of the unnest in the rewritten statement; its columns are <c>rejot_p1..</c>, <c>rejot_ord</c>.</summary>
    internal const string Alias = "rejot_unnest";

    private readonly List<string> _parts;

    // Between parts: n > 0 is placeholder $n in the row, 0 the unnest, -k-1 the k-th placeholder of DO UPDATE.
    private readonly List<int> _parameterAt;
    private readonly IReadOnlyList<ExcludedUse> _excluded;
    private readonly IReadOnlyList<string>? _names;

    private SetBasedSql(bool isDelete, int parameterCount, List<string> parts, List<int> parameterAt, IReadOnlyList<int>? conflictKey,
        IReadOnlyList<ExcludedUse>? excluded = null, string? target = null, IReadOnlyList<string>? names = null)
    {
        IsDelete = isDelete;
        ParameterCount = parameterCount;
        _parts = parts;
        _parameterAt = parameterAt;
        ConflictKey = conflictKey;
        _excluded = excluded ?? [];
        Target = target;
        _names = names;
    }

    /// <summary>True for the DELETE shape.</summary>
    public bool IsDelete { get; }

    /// <summary>How many placeholders (and so arrays) the statement takes.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// For <c>ON CONFLICT (cols) DO UPDATE</c>: the 0-based parameters holding the conflict columns' values. One
    /// statement cannot update a row twice, so a run is split before an event whose key repeats one already in it.
    /// Null when no split is needed (no ON CONFLICT, DO NOTHING, DELETE).
    /// </summary>
    public IReadOnlyList<int>? ConflictKey { get; }

    /// <summary>
    /// The INSERT's target table as written (<c>schema.table</c>), when placeholders of the DO UPDATE clause must be
    /// checked against it (<see cref="SetBasedTarget"/>); null when the rewrite needs no catalog.
    /// </summary>
    public string? Target { get; }

    /// <summary>
    /// The set-based statement for a shape that needs no catalog (<see cref="Target"/> is null), each placeholder
    /// replaced by its unnest column cast to <paramref name="types"/>[n-1] (the type PostgreSQL infers for that
    /// parameter in the single-row statement).
    /// </summary>
    public string Build(IReadOnlyList<string> types)
        => Build(types, null, out var reason) ?? throw new InvalidOperationException("The statement needs its target table: " + reason);

    /// <summary>
    /// The set-based statement: each placeholder of the row replaced by its unnest column cast to
    /// <paramref name="types"/>[n-1] (the type PostgreSQL infers for that parameter in the single-row statement), each
    /// placeholder of DO UPDATE by <c>EXCLUDED.col</c> of a column whose VALUES item is that bare placeholder. Null,
    /// with the reason, when <paramref name="target"/> does not prove <c>EXCLUDED.col</c> equal to the placeholder:
    /// the column's type differs from the placeholder's (the value would be converted), the column has a type modifier
    /// (<c>numeric(12,3)</c>, <c>varchar(n)</c>, <c>char(n)</c>: the value is rounded or padded) and the placeholder is
    /// not simply assigned to a column of the same type and modifier, the column has a collation of its own (which
    /// comparisons and functions of EXCLUDED.col use) and the placeholder is not simply assigned to a column, the
    /// column is generated, the target is not a table, or a BEFORE INSERT row trigger (on the table or any partition)
    /// could change what EXCLUDED carries.
    /// </summary>
    public string? Build(IReadOnlyList<string> types, SetBasedTarget? target, out string reason)
    {
        var excluded = new string[_excluded.Count];
        if (_excluded.Count > 0)
        {
            if (target is null)
            {
                reason = "the target table could not be found";
                return null;
            }

            if (!ResolveExcluded(types, target, excluded, out reason))
            {
                return null;
            }
        }

        var builder = new StringBuilder();
        for (var i = 0; i < _parts.Count; i++)
        {
            builder.Append(_parts[i]);
            if (i < _parameterAt.Count)
            {
                var p = _parameterAt[i];
                if (p > 0)
                {
                    builder.Append('(').Append(Alias).Append(".rejot_p").Append(p.ToString(CultureInfo.InvariantCulture)).Append("::").Append(types[p - 1]).Append(')');
                }
                else if (p == 0)
                {
                    builder.Append(Unnest());
                }
                else
                {
                    builder.Append("(EXCLUDED.").Append(excluded[-p - 1]).Append(')');
                }
            }
        }

        reason = "";
        return builder.ToString();
    }

    private bool ResolveExcluded(IReadOnlyList<string> types, SetBasedTarget target, string[] excluded, out string reason)
    {
        if (target.Kind is not ("r" or "p"))
        {
            reason = $"the ON CONFLICT clause uses {Placeholder(_excluded[0].Parameter)} and the target {Target} is not a table (EXCLUDED is not proven to hold the placeholder's value)";
            return false;
        }

        if (target.BeforeInsertRowTriggers.Count > 0)
        {
            reason = $"the ON CONFLICT clause uses {Placeholder(_excluded[0].Parameter)} and a BEFORE INSERT row trigger ({string.Join(", ", target.BeforeInsertRowTriggers)}) can change the values EXCLUDED carries (write EXCLUDED.column if that is what you mean)";
            return false;
        }

        for (var k = 0; k < _excluded.Count; k++)
        {
            var use = _excluded[k];
            var type = types[use.Parameter - 1];
            var assigned = use.AssignedTo is { } to && target.Columns.TryGetValue(to, out var toColumn) ? toColumn : null;
            string? why = null;
            foreach (var (name, text) in use.Candidates)
            {
                if (!target.Columns.TryGetValue(name, out var column))
                {
                    why ??= $", but column {text} is not in {Target}";
                }
                else if (column.Generated)
                {
                    why ??= $", but column {text} is generated";
                }
                else if (column.Type != type)
                {
                    why ??= $", whose type {type} is not the type {column.Type} of column {text} (EXCLUDED.{text} carries the converted value)";
                }
                else if (column.TypeModifier >= 0
                    && !(assigned is not null && assigned.Type == column.Type && assigned.TypeModifier == column.TypeModifier
                        && column.Type.StartsWith("pg_catalog.", StringComparison.Ordinal)))
                {
                    why ??= $", but column {text} has a type modifier (the value is rounded, padded or trimmed on insert), so EXCLUDED.{text} can differ where {Placeholder(use.Parameter)} is not assigned whole to a column of the same type";
                }
                else if (!column.TypeCollation && assigned is null)
                {
                    why ??= $", but column {text} has a collation of its own, which EXCLUDED.{text} carries into comparisons and functions where {Placeholder(use.Parameter)} is not assigned whole to a column";
                }
                else
                {
                    excluded[k] = text;
                    why = null;
                    break;
                }
            }

            if (why is not null)
            {
                reason = $"the ON CONFLICT clause uses {Placeholder(use.Parameter)}{why}";
                return false;
            }
        }

        reason = "";
        return true;
    }

    private string Placeholder(int parameter) => Placeholder(_names, parameter);

    private static string Placeholder(IReadOnlyList<string>? names, int parameter)
        => names is not null && parameter <= names.Count ? ":" + names[parameter - 1] : "$" + parameter.ToString(CultureInfo.InvariantCulture);

    private string Unnest()
    {
        var builder = new StringBuilder("unnest(");
        for (var i = 1; i <= ParameterCount; i++)
        {
            builder.Append(i > 1 ? ", $" : "$").Append(i.ToString(CultureInfo.InvariantCulture)).Append("::text[]");
        }

        builder.Append(") WITH ORDINALITY AS ").Append(Alias).Append('(');
        for (var i = 1; i <= ParameterCount; i++)
        {
            builder.Append("rejot_p").Append(i.ToString(CultureInfo.InvariantCulture)).Append(", ");
        }

        return builder.Append("rejot_ord)").ToString();
    }

    /// <summary>Analyses consumer SQL as written (<c>:name</c> or <c>$n</c> placeholders).</summary>
    internal static SetBasedSql? AnalyzeConsumerSql(string sql, out string reason)
    {
        var positional = SqlPlaceholders.ToPositional(sql);
        return Analyze(positional.Sql, out reason, positional.ParameterNames);
    }

    /// <summary>
    /// Decides whether a consumer statement (already positional) can be applied set-based; returns the rewrite, or
    /// null with the reason it cannot. <paramref name="names"/> (the <c>:name</c> of each <c>$n</c>) only word reasons.
    /// </summary>
    public static SetBasedSql? Analyze(string positionalSql, out string reason, IReadOnlyList<string>? names = null)
    {
        var tokenization = SqlTokenizer.Tokenize(positionalSql);
        if (!tokenization.IsValid)
        {
            reason = "the SQL does not tokenize";
            return null;
        }

        var tokens = tokenization.Tokens.Where(t => !t.IsTrivia).ToList();
        while (tokens.Count > 0 && tokens[^1].Kind == SqlTokenKind.Semicolon)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        if (tokens.Any(t => t.Kind == SqlTokenKind.Semicolon))
        {
            reason = "it has more than one statement";
            return null;
        }

        if (tokens.Any(t => t.IsKeyword("RETURNING")))
        {
            reason = "it has RETURNING";
            return null;
        }

        if (tokens.Any(t => t.IsKeyword("SELECT") || t.IsKeyword("WITH") || t.IsKeyword("TABLE")))
        {
            // A sub-select would see the destination as of the one statement's start, not after each event.
            reason = "it has a WITH, SELECT or TABLE clause (a sub-query could read rows the same run writes)";
            return null;
        }

        var parameters = tokens.Where(t => t.Kind == SqlTokenKind.PositionalParameter).Select(t => SqlTokenizer.ParsePositionalIndex(t.Text)).ToList();
        if (parameters.Count == 0)
        {
            reason = "it has no placeholders";
            return null;
        }

        var count = parameters.Max();
        if (tokens.Count >= 2 && tokens[0].IsKeyword("INSERT") && tokens[1].IsKeyword("INTO"))
        {
            return AnalyzeInsert(positionalSql, tokens, count, names, out reason);
        }

        if (tokens.Count >= 2 && tokens[0].IsKeyword("DELETE") && tokens[1].IsKeyword("FROM"))
        {
            return AnalyzeDelete(positionalSql, tokens, count, out reason);
        }

        reason = "it is neither INSERT INTO ... VALUES (...) nor DELETE FROM ... WHERE col = :field";
        return null;
    }

    private static SetBasedSql? AnalyzeInsert(string sql, List<SqlToken> tokens, int count, IReadOnlyList<string>? names, out string reason)
    {
        var values = tokens.FindIndex(t => t.IsKeyword("VALUES"));
        if (values < 0)
        {
            reason = "it has no VALUES list";
            return null;
        }

        // Target, alias, column list: no placeholders; remember the column names.
        List<string>? columns = null;
        var columnTexts = new List<string>();
        for (var i = 2; i < values; i++)
        {
            var t = tokens[i];
            if (t.Kind is SqlTokenKind.PositionalParameter or SqlTokenKind.NamedParameter)
            {
                reason = "the target or column list has a placeholder";
                return null;
            }

            if (t.Kind == SqlTokenKind.OpenParen)
            {
                if (columns is not null)
                {
                    reason = "the column list is not a plain list of names";
                    return null;
                }

                columns = [];
                var expectName = true;
                for (i++; i < values && tokens[i].Kind != SqlTokenKind.CloseParen; i++)
                {
                    var c = tokens[i];
                    if (expectName && c.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier)
                    {
                        columns.Add(Fold(c));
                        columnTexts.Add(c.Text);
                        expectName = false;
                    }
                    else if (!expectName && c.Kind == SqlTokenKind.Comma)
                    {
                        expectName = true;
                    }
                    else
                    {
                        reason = "the column list is not a plain list of names";
                        return null;
                    }
                }
            }
        }

        if (values + 1 >= tokens.Count || tokens[values + 1].Kind != SqlTokenKind.OpenParen)
        {
            reason = "VALUES is not followed by a row";
            return null;
        }

        // The one row: split at top-level commas.
        var expressions = new List<(int From, int To)>();
        var depth = 0;
        var from = values + 2;
        var close = -1;
        for (var i = values + 1; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind is SqlTokenKind.OpenParen or SqlTokenKind.OpenBracket)
            {
                depth++;
            }
            else if (t.Kind is SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket)
            {
                depth--;
                if (depth == 0)
                {
                    expressions.Add((from, i));
                    close = i;
                    break;
                }
            }
            else if (t.Kind == SqlTokenKind.Comma && depth == 1)
            {
                expressions.Add((from, i));
                from = i + 1;
            }
            else if (t.IsKeyword("DEFAULT") && depth == 1)
            {
                reason = "the VALUES row uses DEFAULT";
                return null;
            }
        }

        if (close < 0 || expressions.Any(e => e.From >= e.To))
        {
            reason = "the VALUES row is not complete";
            return null;
        }

        var rest = close + 1;
        if (rest < tokens.Count && !tokens[rest].IsKeyword("ON"))
        {
            reason = tokens[rest].Kind == SqlTokenKind.Comma ? "VALUES has more than one row" : "something other than ON CONFLICT follows the VALUES row";
            return null;
        }

        IReadOnlyList<int>? conflictKey = null;
        var doUpdate = -1;
        if (rest < tokens.Count)
        {
            if (rest + 1 >= tokens.Count || !tokens[rest + 1].IsKeyword("CONFLICT"))
            {
                reason = "something other than ON CONFLICT follows the VALUES row";
                return null;
            }

            for (var i = rest + 2; i + 1 < tokens.Count; i++)
            {
                if (tokens[i].IsKeyword("DO") && tokens[i + 1].IsKeyword("UPDATE"))
                {
                    doUpdate = i;
                    break;
                }
            }

            var targetEnd = doUpdate >= 0 ? doUpdate : tokens.Count;
            if (tokens.Skip(rest).Take(targetEnd - rest).Any(t => t.Kind == SqlTokenKind.PositionalParameter))
            {
                reason = "the ON CONFLICT target has a placeholder";
                return null;
            }

            if (doUpdate >= 0)
            {
                conflictKey = FindConflictKey(tokens, rest + 2, columns, expressions, out reason);
                if (conflictKey is null)
                {
                    return null;
                }
            }
        }

        // Placeholders of DO UPDATE SET/WHERE: each must be the whole VALUES item of some column, so that EXCLUDED of
        // that column can stand for it (checked against the table's catalog when the statement is built).
        var excluded = new List<ExcludedUse>();
        var excludedAt = new Dictionary<int, int>();
        if (doUpdate >= 0)
        {
            depth = 0;
            for (var i = doUpdate + 2; i < tokens.Count; i++)
            {
                var t = tokens[i];
                if (t.Kind is SqlTokenKind.OpenParen or SqlTokenKind.OpenBracket)
                {
                    depth++;
                    continue;
                }

                if (t.Kind is SqlTokenKind.CloseParen or SqlTokenKind.CloseBracket)
                {
                    depth--;
                    continue;
                }

                if (t.Kind != SqlTokenKind.PositionalParameter)
                {
                    continue;
                }

                var parameter = SqlTokenizer.ParsePositionalIndex(t.Text);
                var candidates = new List<(string Name, string Text)>();
                for (var c = 0; c < expressions.Count; c++)
                {
                    var (start, end) = expressions[c];
                    if (end - start == 1 && tokens[start].Kind == SqlTokenKind.PositionalParameter && SqlTokenizer.ParsePositionalIndex(tokens[start].Text) == parameter)
                    {
                        candidates.Add((columns![c], columnTexts[c]));
                    }
                }

                if (candidates.Count == 0)
                {
                    reason = $"the ON CONFLICT clause uses {Placeholder(names, parameter)}, which is not by itself the value of a column in VALUES (write EXCLUDED.column)";
                    return null;
                }

                // SET col = $n as a whole item (not inside an expression, not in WHERE): the one place where a value
                // rounded or padded by a type modifier is equal to the placeholder's, after the same assignment.
                string? assignedTo = null;
                if (depth == 0 && i >= 3 && tokens[i - 1].Kind == SqlTokenKind.Operator && tokens[i - 1].Text == "="
                    && tokens[i - 2].Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier
                    && (tokens[i - 3].IsKeyword("SET") || tokens[i - 3].Kind == SqlTokenKind.Comma)
                    && (i + 1 == tokens.Count || tokens[i + 1].Kind == SqlTokenKind.Comma || tokens[i + 1].IsKeyword("WHERE"))
                    && !tokens.Skip(doUpdate + 2).Take(i - doUpdate - 2).Any(x => x.IsKeyword("WHERE")))
                {
                    assignedTo = Fold(tokens[i - 2]);
                }

                excludedAt[i] = excluded.Count;
                excluded.Add(new ExcludedUse(parameter, candidates, assignedTo));
            }
        }

        string? targetName = null;
        if (excluded.Count > 0)
        {
            var at = 2;
            if (!IsName(tokens, ref at))
            {
                reason = "the INSERT target is not a plain table name";
                return null;
            }

            targetName = string.Join('.', tokens.Skip(2).Take(at - 2).Where(t => t.Kind != SqlTokenKind.Dot).Select(t => t.Text));
            for (var i = at; i + 1 < values; i++)
            {
                if (tokens[i].IsKeyword("OVERRIDING") && tokens[i + 1].IsKeyword("USER"))
                {
                    reason = "the ON CONFLICT clause has a placeholder and OVERRIDING USER VALUE replaces given values (EXCLUDED would not carry them)";
                    return null;
                }
            }
        }

        // Rewrite: INSERT INTO <target> SELECT <row> FROM unnest(...) ORDER BY ord [ON CONFLICT ...].
        var parts = new List<string>();
        var parameterAt = new List<int>();
        var text = new StringBuilder();
        text.Append(sql, 0, tokens[values].Start).Append("SELECT ");
        var copied = tokens[values + 1].End;
        for (var i = values + 2; i < close; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.PositionalParameter)
            {
                text.Append(sql, copied, tokens[i].Start - copied);
                parts.Add(text.ToString());
                text.Clear();
                parameterAt.Add(SqlTokenizer.ParsePositionalIndex(tokens[i].Text));
                copied = tokens[i].End;
            }
        }

        text.Append(sql, copied, tokens[close].Start - copied).Append(" FROM ");
        parts.Add(text.ToString());
        text.Clear();
        parameterAt.Add(0);
        text.Append(" ORDER BY ").Append(Alias).Append(".rejot_ord");
        if (rest < tokens.Count)
        {
            text.Append(' ');
            copied = tokens[rest].Start;
            foreach (var (i, k) in excludedAt.OrderBy(e => e.Key))
            {
                text.Append(sql, copied, tokens[i].Start - copied);
                parts.Add(text.ToString());
                text.Clear();
                parameterAt.Add(-k - 1);
                copied = tokens[i].End;
            }

            text.Append(sql, copied, tokens[^1].End - copied);
        }

        parts.Add(text.ToString());
        reason = "";
        return new SetBasedSql(false, count, parts, parameterAt, conflictKey, excluded, targetName, names);
    }

    private static IReadOnlyList<int>? FindConflictKey(List<SqlToken> tokens, int at, List<string>? columns, List<(int From, int To)> expressions, out string reason)
    {
        if (at >= tokens.Count || tokens[at].Kind != SqlTokenKind.OpenParen)
        {
            reason = "ON CONFLICT DO UPDATE names no column list (ON CONSTRAINT is not analysed)";
            return null;
        }

        if (columns is null)
        {
            reason = "ON CONFLICT DO UPDATE without a column list in the INSERT (the key's values cannot be located)";
            return null;
        }

        if (columns.Count != expressions.Count)
        {
            reason = "the column list and the VALUES row differ in length";
            return null;
        }

        var key = new List<int>();
        var expectName = true;
        for (var i = at + 1; i < tokens.Count && tokens[i].Kind != SqlTokenKind.CloseParen; i++)
        {
            var t = tokens[i];
            if (expectName && t.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier
                && i + 1 < tokens.Count && tokens[i + 1].Kind is SqlTokenKind.Comma or SqlTokenKind.CloseParen)
            {
                var column = columns.IndexOf(Fold(t));
                var (from, to) = column >= 0 ? expressions[column] : (0, 0);
                if (column < 0 || to - from != 1 || tokens[from].Kind != SqlTokenKind.PositionalParameter)
                {
                    reason = $"the conflict column {t.Text} is not given as a plain placeholder";
                    return null;
                }

                key.Add(SqlTokenizer.ParsePositionalIndex(tokens[from].Text) - 1);
                expectName = false;
            }
            else if (!expectName && t.Kind == SqlTokenKind.Comma)
            {
                expectName = true;
            }
            else
            {
                reason = "the ON CONFLICT target is not a plain list of column names";
                return null;
            }
        }

        reason = "";
        return key;
    }

    private static SetBasedSql? AnalyzeDelete(string sql, List<SqlToken> tokens, int count, out string reason)
    {
        var where = tokens.FindIndex(t => t.IsKeyword("WHERE"));
        if (where < 0)
        {
            reason = "the DELETE has no WHERE";
            return null;
        }

        // DELETE FROM name[.name] [[AS] alias] WHERE
        var i = 2;
        if (!IsName(tokens, ref i))
        {
            reason = "the DELETE target is not a plain table name";
            return null;
        }

        if (i < where && tokens[i].IsKeyword("AS"))
        {
            i++;
        }

        if (i < where && tokens[i].Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier && !tokens[i].IsKeyword("USING") && !tokens[i].IsKeyword("ONLY"))
        {
            i++;
        }

        if (i != where)
        {
            reason = "the DELETE has something other than a table and alias before WHERE (USING, ONLY, ...)";
            return null;
        }

        // col = $n [AND col = $n ...]
        var parts = new List<string>();
        var parameterAt = new List<int>();
        var text = new StringBuilder();
        text.Append(sql, 0, tokens[where].Start).Append("USING ");
        parts.Add(text.ToString());
        text.Clear();
        parameterAt.Add(0);
        text.Append(' ').Append(sql, tokens[where].Start, tokens[where].Length);
        var copied = tokens[where].End;
        i = where + 1;
        while (true)
        {
            if (!IsName(tokens, ref i) || i + 1 >= tokens.Count || tokens[i].Kind != SqlTokenKind.Operator || tokens[i].Text != "="
                || tokens[i + 1].Kind != SqlTokenKind.PositionalParameter)
            {
                reason = "the WHERE is not column = :field joined by AND";
                return null;
            }

            var parameter = tokens[i + 1];
            text.Append(sql, copied, parameter.Start - copied);
            parts.Add(text.ToString());
            text.Clear();
            parameterAt.Add(SqlTokenizer.ParsePositionalIndex(parameter.Text));
            copied = parameter.End;
            i += 2;
            if (i == tokens.Count)
            {
                break;
            }

            if (!tokens[i].IsKeyword("AND"))
            {
                reason = "the WHERE is not column = :field joined by AND";
                return null;
            }

            i++;
        }

        parts.Add(text.ToString());
        reason = "";
        return new SetBasedSql(true, count, parts, parameterAt, null);
    }

    private static bool IsName(List<SqlToken> tokens, ref int i)
    {
        if (i >= tokens.Count || tokens[i].Kind is not (SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier))
        {
            return false;
        }

        i++;
        while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot && tokens[i + 1].Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier)
        {
            i += 2;
        }

        return true;
    }

    private static string Fold(SqlToken token) => token.Kind == SqlTokenKind.QuotedIdentifier
        ? token.Text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal)
        : token.Text.ToLowerInvariant();

    /// <summary>A placeholder of DO UPDATE: its parameter, the columns whose VALUES item it is, the column it is assigned to as a whole item of SET.</summary>
    private sealed record ExcludedUse(int Parameter, IReadOnlyList<(string Name, string Text)> Candidates, string? AssignedTo);
}
