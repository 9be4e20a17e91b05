namespace ReJot.Sql;

/// <summary>The kind of a PostgreSQL lexical token.</summary>
internal enum SqlTokenKind
{
    /// <summary>Spaces, tabs and line breaks.</summary>
    Whitespace,

    /// <summary>A <c>--</c> comment up to the end of the line.</summary>
    LineComment,

    /// <summary>A <c>/* */</c> comment (nested comments included).</summary>
    BlockComment,

    /// <summary>An unquoted identifier or keyword.</summary>
    Identifier,

    /// <summary>A <c>"quoted"</c> (or <c>U&amp;"quoted"</c>) identifier.</summary>
    QuotedIdentifier,

    /// <summary>A string constant: <c>'..'</c>, <c>E'..'</c>, <c>U&amp;'..'</c>, <c>B'..'</c>, <c>X'..'</c>, <c>N'..'</c>.</summary>
    String,

    /// <summary>A dollar-quoted string constant: <c>$$..$$</c> or <c>$tag$..$tag$</c>.</summary>
    DollarString,

    /// <summary>A numeric constant.</summary>
    Number,

    /// <summary>A positional parameter <c>$n</c>.</summary>
    PositionalParameter,

    /// <summary>A ReJot named placeholder <c>:name</c>.</summary>
    NamedParameter,

    /// <summary>An operator such as <c>=</c>, <c>&lt;&gt;</c>, <c>||</c> or <c>-&gt;&gt;</c>.</summary>
    Operator,

    /// <summary>The <c>::</c> type cast.</summary>
    Cast,

    /// <summary>The <c>:=</c> named-argument token.</summary>
    ColonEquals,

    /// <summary>A single <c>:</c> (array slice bound separator).</summary>
    Colon,

    /// <summary><c>(</c></summary>
    OpenParen,

    /// <summary><c>)</c></summary>
    CloseParen,

    /// <summary><c>[</c></summary>
    OpenBracket,

    /// <summary><c>]</c></summary>
    CloseBracket,

    /// <summary><c>,</c></summary>
    Comma,

    /// <summary><c>;</c></summary>
    Semicolon,

    /// <summary><c>.</c></summary>
    Dot,

    /// <summary>A character PostgreSQL does not accept here, or the rest of an unterminated construct.</summary>
    Unknown,
}

/// <summary>One token of a SQL text: its kind and where it is.</summary>
internal sealed class SqlToken
{
    /// <summary>Creates a token.</summary>
    public SqlToken(SqlTokenKind kind, int start, int length, string text)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Text = text;
    }

    /// <summary>What the token is.</summary>
    public SqlTokenKind Kind { get; }

    /// <summary>Offset of the first character in the SQL text.</summary>
    public int Start { get; }

    /// <summary>Number of characters.</summary>
    public int Length { get; }

    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>The token's source text.</summary>
    public string Text { get; }

    /// <summary>Whitespace and comments: tokens that separate but carry no meaning.</summary>
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.LineComment or SqlTokenKind.BlockComment;

    /// <summary>True for an unquoted identifier equal to <paramref name="keyword"/>, ignoring case.</summary>
    public bool IsKeyword(string keyword) =>
        Kind == SqlTokenKind.Identifier && string.Equals(Text, keyword, System.StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() => Kind + "@" + Start + ":" + Text;
}
