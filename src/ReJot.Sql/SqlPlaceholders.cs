using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ReJot.Sql;

/// <summary>Which placeholder syntax a SQL text uses.</summary>
internal enum PlaceholderStyle
{
    /// <summary>No placeholders.</summary>
    None,

    /// <summary>Only <c>:name</c> placeholders.</summary>
    Named,

    /// <summary>Only <c>$n</c> placeholders.</summary>
    Positional,

    /// <summary>Both kinds: not allowed.</summary>
    Mixed,
}

/// <summary>One placeholder occurrence in a SQL text.</summary>
internal sealed class SqlPlaceholder
{
    /// <summary>Creates a placeholder.</summary>
    public SqlPlaceholder(string? name, int index, int start, int length)
    {
        Name = name;
        Index = index;
        Start = start;
        Length = length;
    }

    /// <summary>The name of a <c>:name</c> placeholder (without the colon); null for <c>$n</c>.</summary>
    public string? Name { get; }

    /// <summary>The number of a <c>$n</c> placeholder; 0 for <c>:name</c>.</summary>
    public int Index { get; }

    /// <summary>True for <c>:name</c>.</summary>
    public bool IsNamed => Name is not null;

    /// <summary>Offset of the <c>:</c> or <c>$</c>.</summary>
    public int Start { get; }

    /// <summary>Length including the <c>:</c> or <c>$</c>.</summary>
    public int Length { get; }

    /// <summary>Offset of the name (after the colon) or of the digits (after the dollar).</summary>
    public int NameStart => Start + 1;

    /// <inheritdoc />
    public override string ToString() => IsNamed ? ":" + Name : "$" + Index.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The placeholders of a SQL text, their style, and what is wrong with them.</summary>
internal sealed class PlaceholderAnalysis
{
    internal PlaceholderAnalysis(SqlTokenization tokenization, IReadOnlyList<SqlPlaceholder> placeholders)
    {
        Tokenization = tokenization;
        Placeholders = placeholders;

        var named = new List<string>();
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        var indexes = new SortedSet<int>();
        foreach (var placeholder in placeholders)
        {
            if (placeholder.Name is { } name)
            {
                if (seenNames.Add(name))
                {
                    named.Add(name);
                }
            }
            else
            {
                indexes.Add(placeholder.Index);
            }
        }

        NamedParameters = named;
        PositionalIndexes = new List<int>(indexes);
        Style = named.Count > 0 && indexes.Count > 0 ? PlaceholderStyle.Mixed
            : named.Count > 0 ? PlaceholderStyle.Named
            : indexes.Count > 0 ? PlaceholderStyle.Positional
            : PlaceholderStyle.None;

        // Positional placeholders must be exactly {1..n} (repeats allowed): the n distinct ones are 1..n.
        var distinct = indexes.Count;
        foreach (var placeholder in placeholders)
        {
            if (!placeholder.IsNamed && (placeholder.Index < 1 || placeholder.Index > distinct))
            {
                FirstOutOfSequence = placeholder;
                break;
            }
        }

        if (FirstOutOfSequence is not null)
        {
            var missing = new List<int>();
            for (var i = 1; i <= distinct; i++)
            {
                if (!indexes.Contains(i))
                {
                    missing.Add(i);
                }
            }

            MissingIndexes = missing;
        }
        else
        {
            MissingIndexes = Array.Empty<int>();
        }
    }

    /// <summary>The tokens the analysis was made from.</summary>
    public SqlTokenization Tokenization { get; }

    /// <summary>Lexical errors (unterminated constructs); placeholders after one are not found.</summary>
    public IReadOnlyList<SqlError> Errors => Tokenization.Errors;

    /// <summary>The placeholder style.</summary>
    public PlaceholderStyle Style { get; }

    /// <summary>Every placeholder occurrence in text order.</summary>
    public IReadOnlyList<SqlPlaceholder> Placeholders { get; }

    /// <summary>Distinct <c>:name</c> names in order of first appearance.</summary>
    public IReadOnlyList<string> NamedParameters { get; }

    /// <summary>Distinct <c>$n</c> numbers, ascending.</summary>
    public IReadOnlyList<int> PositionalIndexes { get; }

    /// <summary>
    /// The first <c>$n</c> occurrence that breaks the rule "the distinct numbers are exactly 1..n" (null when they are).
    /// </summary>
    public SqlPlaceholder? FirstOutOfSequence { get; }

    /// <summary>Numbers in 1..n (n = count of distinct numbers) that do not occur, when the sequence is broken.</summary>
    public IReadOnlyList<int> MissingIndexes { get; }

    /// <summary>True when the positional placeholders (if any) are exactly $1..$n.</summary>
    public bool IsPositionalSequential => FirstOutOfSequence is null;

    /// <summary>The first placeholder of the style that appears second, where the text mixes styles; else null.</summary>
    public SqlPlaceholder? FirstMixed
    {
        get
        {
            if (Style != PlaceholderStyle.Mixed)
            {
                return null;
            }

            var firstIsNamed = Placeholders[0].IsNamed;
            foreach (var placeholder in Placeholders)
            {
                if (placeholder.IsNamed != firstIsNamed)
                {
                    return placeholder;
                }
            }

            return null;
        }
    }

    /// <summary>A sentence explaining why the positional placeholders are not sequential; null when they are.</summary>
    public string? DescribeSequenceProblem()
    {
        if (FirstOutOfSequence is null)
        {
            return null;
        }

        var found = new StringBuilder();
        foreach (var index in PositionalIndexes)
        {
            found.Append(found.Length == 0 ? "$" : ", $").Append(index.ToString(CultureInfo.InvariantCulture));
        }

        var missing = new StringBuilder();
        foreach (var index in MissingIndexes)
        {
            missing.Append(missing.Length == 0 ? "$" : ", $").Append(index.ToString(CultureInfo.InvariantCulture));
        }

        var why = missing.Length > 0 ? missing + " missing" : FirstOutOfSequence + " out of range";
        return "Positional placeholders must be numbered $1..$" + PositionalIndexes.Count.ToString(CultureInfo.InvariantCulture)
            + " without gaps (found " + found + "; " + why + ").";
    }
}

/// <summary>A SQL text rewritten to PostgreSQL's positional parameters.</summary>
internal sealed class PositionalSql
{
    internal PositionalSql(string sql, IReadOnlyList<string>? parameterNames, int parameterCount)
    {
        Sql = sql;
        ParameterNames = parameterNames;
        ParameterCount = parameterCount;
    }

    /// <summary>The SQL with <c>$n</c> parameters only.</summary>
    public string Sql { get; }

    /// <summary>
    /// For named SQL, the name bound to <c>$i</c> at index i-1 (order of first appearance); empty when the SQL has
    /// no placeholders; null when the SQL was already positional (bind values by position).
    /// </summary>
    public IReadOnlyList<string>? ParameterNames { get; }

    /// <summary>How many parameter values the SQL takes.</summary>
    public int ParameterCount { get; }
}

/// <summary>Thrown when SQL cannot be converted to positional parameters; the message says where and why.</summary>
internal sealed class SqlPlaceholderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SqlPlaceholderException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>Offset in the SQL text of the offending construct.</summary>
    public int Position { get; }
}

/// <summary>Finds <c>:name</c> and <c>$n</c> placeholders exactly (token-based) and converts named SQL to positional.</summary>
internal static class SqlPlaceholders
{
    /// <summary>Finds every placeholder in <paramref name="sql"/> and classifies their style.</summary>
    public static PlaceholderAnalysis Analyze(string sql) => Analyze(SqlTokenizer.Tokenize(sql));

    /// <summary>Finds every placeholder in an existing tokenization.</summary>
    public static PlaceholderAnalysis Analyze(SqlTokenization tokenization)
    {
        var placeholders = new List<SqlPlaceholder>();
        foreach (var token in tokenization.Tokens)
        {
            if (token.Kind == SqlTokenKind.NamedParameter)
            {
                placeholders.Add(new SqlPlaceholder(token.Text.Substring(1), 0, token.Start, token.Length));
            }
            else if (token.Kind == SqlTokenKind.PositionalParameter)
            {
                placeholders.Add(new SqlPlaceholder(null, SqlTokenizer.ParsePositionalIndex(token.Text), token.Start, token.Length));
            }
        }

        return new PlaceholderAnalysis(tokenization, placeholders);
    }

    /// <summary>
    /// Rewrites <c>:name</c> placeholders to <c>$n</c>, numbering distinct names by first appearance and replacing
    /// every occurrence at its token position (so <c>:id</c> and <c>:idx</c> never clash). Positional SQL passes
    /// through unchanged.
    /// </summary>
    /// <exception cref="SqlPlaceholderException">The SQL has a lexical error, mixes styles, or its <c>$n</c> are not 1..n.</exception>
    public static PositionalSql ToPositional(string sql)
    {
        var analysis = Analyze(sql);
        if (analysis.Errors.Count > 0)
        {
            var error = analysis.Errors[0];
            throw new SqlPlaceholderException(error.Message + " (at " + SqlLinePosition.FromOffset(sql, error.Start) + ")", error.Start);
        }

        switch (analysis.Style)
        {
            case PlaceholderStyle.None:
                return new PositionalSql(sql, Array.Empty<string>(), 0);
            case PlaceholderStyle.Mixed:
                var mixed = analysis.FirstMixed!;
                throw new SqlPlaceholderException(
                    "Named (:name) and positional ($n) placeholders are mixed; use one style. " + mixed + " at "
                    + SqlLinePosition.FromOffset(sql, mixed.Start) + ".",
                    mixed.Start);
            case PlaceholderStyle.Positional:
                if (analysis.FirstOutOfSequence is { } outOfSequence)
                {
                    throw new SqlPlaceholderException(analysis.DescribeSequenceProblem()!, outOfSequence.Start);
                }

                return new PositionalSql(sql, null, analysis.PositionalIndexes.Count);
        }

        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < analysis.NamedParameters.Count; i++)
        {
            numbers.Add(analysis.NamedParameters[i], i + 1);
        }

        var builder = new StringBuilder(sql.Length);
        var copied = 0;
        foreach (var placeholder in analysis.Placeholders)
        {
            builder.Append(sql, copied, placeholder.Start - copied);

            // "a:id" would become the identifier "a$1" and "$:id" the dollar quote "$$1": keep them apart.
            if (placeholder.Start > 0 && (SqlTokenizer.IsIdentifierPart(sql[placeholder.Start - 1]) || sql[placeholder.Start - 1] == '$'))
            {
                builder.Append(' ');
            }

            builder.Append('$').Append(numbers[placeholder.Name!].ToString(CultureInfo.InvariantCulture));
            copied = placeholder.Start + placeholder.Length;
        }

        builder.Append(sql, copied, sql.Length - copied);
        return new PositionalSql(builder.ToString(), analysis.NamedParameters, analysis.NamedParameters.Count);
    }
}
