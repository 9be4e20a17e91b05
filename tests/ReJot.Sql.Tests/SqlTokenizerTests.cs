using ReJot.Sql;

namespace ReJot.Sql.Tests;

public sealed class SqlTokenizerTests
{
    private static SqlToken[] Significant(string sql) =>
        SqlTokenizer.Tokenize(sql).Tokens.Where(t => !t.IsTrivia).ToArray();

    private static string[] Placeholders(string sql) =>
        SqlTokenizer.Tokenize(sql).Tokens
            .Where(t => t.Kind is SqlTokenKind.NamedParameter or SqlTokenKind.PositionalParameter)
            .Select(t => t.Text)
            .ToArray();

    [Fact]
    public void Tokens_cover_the_whole_text_without_gaps()
    {
        const string sql = "SELECT a.id, E'x\\'y' AS \"Q\"\"q\", $tag$ :no $tag$ -- c\n/* a /* b */ c */ FROM t WHERE x = :id::int";
        var tokens = SqlTokenizer.Tokenize(sql).Tokens;
        var position = 0;
        foreach (var token in tokens)
        {
            Assert.Equal(position, token.Start);
            Assert.Equal(sql.Substring(token.Start, token.Length), token.Text);
            position = token.End;
        }

        Assert.Equal(sql.Length, position);
    }

    [Theory]
    [InlineData("SELECT ':id'")]
    [InlineData("SELECT 'it''s :id'")]
    [InlineData("SELECT E'it\\'s :id'")]
    [InlineData("SELECT e'\\\\', ':id'")]
    [InlineData("SELECT U&'d\\0061t :id'")]
    [InlineData("SELECT B'1010', X'1F', N':id'")]
    [InlineData("SELECT \":id\"")]
    [InlineData("SELECT \"a\"\":id\"")]
    [InlineData("SELECT U&\":id\"")]
    [InlineData("SELECT 1 -- :id")]
    [InlineData("SELECT 1 /* :id */")]
    [InlineData("SELECT 1 /* outer /* :inner */ :still_comment */")]
    [InlineData("SELECT $$ :id $$")]
    [InlineData("SELECT $fn$ it's :id $$ nested $fn$")]
    [InlineData("SELECT x::text, y::int[]")]
    [InlineData("SELECT f(a := 1)")]
    [InlineData("SELECT a[1:2], a[i:j], a[f(x):n]")]
    public void Nothing_inside_literals_comments_or_casts_is_a_placeholder(string sql)
    {
        var tokenization = SqlTokenizer.Tokenize(sql);

        Assert.Empty(tokenization.Errors);
        Assert.Empty(Placeholders(sql));
    }

    [Fact]
    public void Named_placeholders_with_a_common_prefix_are_distinct_tokens()
    {
        Assert.Equal(new[] { ":id", ":idx", ":id_2" }, Placeholders("WHERE a = :id AND b = :idx AND c = :id_2"));
    }

    [Fact]
    public void A_cast_right_after_a_placeholder_is_not_part_of_it()
    {
        var tokens = Significant("SELECT :id::bigint");

        Assert.Equal(
            new[] { SqlTokenKind.Identifier, SqlTokenKind.NamedParameter, SqlTokenKind.Cast, SqlTokenKind.Identifier },
            tokens.Select(t => t.Kind));
        Assert.Equal(":id", tokens[1].Text);
    }

    [Fact]
    public void Placeholders_are_found_after_literals_that_contain_quotes_and_backslashes()
    {
        Assert.Equal(new[] { ":a", ":b", ":c" }, Placeholders("SELECT 'x''y', :a, E'\\'', :b, $q$'$q$, :c"));
    }

    [Fact]
    public void Positional_parameters_are_tokens_and_dollar_inside_identifiers_is_not()
    {
        var tokens = Significant("SELECT a$1, $12, $1");

        Assert.Equal("a$1", tokens[1].Text);
        Assert.Equal(SqlTokenKind.Identifier, tokens[1].Kind);
        Assert.Equal(SqlTokenKind.PositionalParameter, tokens[3].Kind);
        Assert.Equal("$12", tokens[3].Text);
    }

    [Fact]
    public void Array_slice_with_a_leading_colon_reads_a_placeholder_as_upper_bound()
    {
        Assert.Equal(new[] { ":hi" }, Placeholders("SELECT a[:hi]"));
    }

    [Fact]
    public void Colon_equals_is_a_single_token()
    {
        var tokens = Significant("SELECT f(x := :v)");

        Assert.Contains(tokens, t => t.Kind == SqlTokenKind.ColonEquals);
        Assert.Equal(new[] { ":v" }, Placeholders("SELECT f(x := :v)"));
    }

    [Theory]
    [InlineData("a=-1", new[] { "=", "-" })]
    [InlineData("a->>'k'", new[] { "->>" })]
    [InlineData("a @- b", new[] { "@-" })]
    [InlineData("a <> b", new[] { "<>" })]
    [InlineData("a+--c\n1", new[] { "+" })]
    [InlineData("a*/*c*/1", new[] { "*" })]
    public void Operators_follow_the_postgresql_lexer_rules(string sql, string[] operators)
    {
        Assert.Equal(operators, Significant(sql).Where(t => t.Kind == SqlTokenKind.Operator).Select(t => t.Text));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.5", "1.5")]
    [InlineData(".5e-3", ".5e-3")]
    [InlineData("1e10", "1e10")]
    [InlineData("0x1F", "0x1F")]
    [InlineData("1_000", "1_000")]
    public void Numbers_are_single_tokens(string sql, string number)
    {
        var token = Assert.Single(Significant(sql));
        Assert.Equal(SqlTokenKind.Number, token.Kind);
        Assert.Equal(number, token.Text);
    }

    [Theory]
    [InlineData("SELECT 'abc", "UnterminatedString", 7)]
    [InlineData("SELECT 'it''s", "UnterminatedString", 7)]
    [InlineData("SELECT E'abc\\'", "UnterminatedString", 7)]
    [InlineData("SELECT \"abc", "UnterminatedQuotedIdentifier", 7)]
    [InlineData("SELECT 1 /* a /* b */", "UnterminatedBlockComment", 9)]
    [InlineData("SELECT $$abc", "UnterminatedDollarQuote", 7)]
    [InlineData("SELECT $a$ abc $b$", "UnterminatedDollarQuote", 7)]
    [InlineData("SELECT \"\"", "EmptyQuotedIdentifier", 7)]
    public void Unterminated_constructs_are_reported_at_their_start(string sql, string kindName, int start)
    {
        var kind = Enum.Parse<SqlErrorKind>(kindName);
        var error = Assert.Single(SqlTokenizer.Tokenize(sql).Errors);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(start, error.Start);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        if (kind != SqlErrorKind.EmptyQuotedIdentifier)
        {
            Assert.Equal(sql.Length, error.Start + error.Length);
        }
    }

    [Fact]
    public void Dollar_quote_tag_must_match_exactly()
    {
        var tokens = Significant("SELECT $a$ x $b$ y $a$, :p");

        Assert.Equal(SqlTokenKind.DollarString, tokens[1].Kind);
        Assert.Equal("$a$ x $b$ y $a$", tokens[1].Text);
        Assert.Equal(":p", tokens[3].Text);
    }

    [Fact]
    public void Line_comment_ends_at_carriage_return_too()
    {
        Assert.Equal(new[] { ":b" }, Placeholders("SELECT 1 -- :a\r:b"));
    }

    [Theory]
    [InlineData("abc", 0, 1, 1)]
    [InlineData("ab\ncd", 3, 2, 1)]
    [InlineData("ab\r\ncd", 5, 2, 2)]
    [InlineData("ab\rcd", 4, 2, 2)]
    public void Line_positions_are_one_based(string text, int offset, int line, int column)
    {
        var position = SqlLinePosition.FromOffset(text, offset);

        Assert.Equal(line, position.Line);
        Assert.Equal(column, position.Column);
    }

    [Fact]
    public void Keywords_compare_case_insensitively_and_quoted_identifiers_are_not_keywords()
    {
        var tokens = Significant("select \"SELECT\"");

        Assert.True(tokens[0].IsKeyword("SELECT"));
        Assert.False(tokens[1].IsKeyword("SELECT"));
    }
}
