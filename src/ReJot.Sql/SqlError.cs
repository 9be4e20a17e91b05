namespace ReJot.Sql;

/// <summary>What is wrong with a SQL text at the lexical level.</summary>
internal enum SqlErrorKind
{
    /// <summary>A <c>'..'</c> string constant without its closing quote.</summary>
    UnterminatedString,

    /// <summary>A <c>"..."</c> identifier without its closing quote.</summary>
    UnterminatedQuotedIdentifier,

    /// <summary>A <c>/*</c> comment without its matching <c>*/</c>.</summary>
    UnterminatedBlockComment,

    /// <summary>A <c>$tag$</c> string without its closing <c>$tag$</c>.</summary>
    UnterminatedDollarQuote,

    /// <summary>A <c>""</c> identifier: PostgreSQL rejects zero-length delimited identifiers.</summary>
    EmptyQuotedIdentifier,
}

/// <summary>A lexical error with its exact position in the SQL text.</summary>
internal sealed class SqlError
{
    /// <summary>Creates an error.</summary>
    public SqlError(SqlErrorKind kind, int start, int length, string message)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Message = message;
    }

    /// <summary>What is wrong.</summary>
    public SqlErrorKind Kind { get; }

    /// <summary>Offset where the offending construct starts.</summary>
    public int Start { get; }

    /// <summary>Length of the offending construct (to the end of the text when it is unterminated).</summary>
    public int Length { get; }

    /// <summary>A sentence describing the error and how to fix it.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>A 1-based line and column in a SQL text.</summary>
internal readonly struct SqlLinePosition
{
    /// <summary>Creates a position.</summary>
    public SqlLinePosition(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line.</summary>
    public int Line { get; }

    /// <summary>1-based column.</summary>
    public int Column { get; }

    /// <summary>The line and column of <paramref name="offset"/> in <paramref name="text"/> (\n, \r\n and \r end lines).</summary>
    public static SqlLinePosition FromOffset(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        var end = offset < text.Length ? offset : text.Length;
        for (var i = 0; i < end; i++)
        {
            var c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SqlLinePosition(line, offset - lineStart + 1);
    }

    /// <inheritdoc />
    public override string ToString() => Line + ":" + Column;
}
