using ReJot.Sql;

namespace ReJot.Sql.Tests;

public sealed class SqlPlaceholdersTests
{
    [Fact]
    public void Named_placeholders_are_found_with_positions_and_distinct_names_in_order()
    {
        const string sql = "INSERT INTO users (id, name, email) VALUES (:id, :name, :email) ON CONFLICT (id) DO UPDATE SET name = :name";

        var analysis = SqlPlaceholders.Analyze(sql);

        Assert.Equal(PlaceholderStyle.Named, analysis.Style);
        Assert.Equal(new[] { "id", "name", "email" }, analysis.NamedParameters);
        Assert.Equal(4, analysis.Placeholders.Count);
        foreach (var placeholder in analysis.Placeholders)
        {
            Assert.Equal(":" + placeholder.Name, sql.Substring(placeholder.Start, placeholder.Length));
        }
    }

    [Fact]
    public void Sql_without_placeholders_has_style_none()
    {
        var analysis = SqlPlaceholders.Analyze("SELECT 1, ':x', \"$1\" -- $2");

        Assert.Equal(PlaceholderStyle.None, analysis.Style);
        Assert.Empty(analysis.Placeholders);
        Assert.True(analysis.IsPositionalSequential);
    }

    [Fact]
    public void Mixed_placeholders_are_detected_and_the_first_of_the_second_style_is_located()
    {
        const string sql = "INSERT INTO users (id, name, email) VALUES ($1, :name, :email)";

        var analysis = SqlPlaceholders.Analyze(sql);

        Assert.Equal(PlaceholderStyle.Mixed, analysis.Style);
        Assert.Equal(":name", analysis.FirstMixed!.ToString());
        Assert.Equal(sql.IndexOf(":name", StringComparison.Ordinal), analysis.FirstMixed.Start);
    }

    [Fact]
    public void Placeholders_in_every_clause_subqueries_and_function_calls_are_found()
    {
        const string sql = """
            SELECT a, $1 as param1, myfunc($2, $3) FROM b
            WHERE c IN (SELECT d FROM e WHERE f = $4)
            GROUP BY d HAVING e > $5 ORDER BY f = $6 LIMIT $7 OFFSET $8
            """;

        var analysis = SqlPlaceholders.Analyze(sql);

        Assert.Equal(PlaceholderStyle.Positional, analysis.Style);
        Assert.Equal(Enumerable.Range(1, 8), analysis.PositionalIndexes);
        Assert.True(analysis.IsPositionalSequential);
    }

    [Theory]
    [InlineData("SELECT $1, $2, $1", true)]
    [InlineData("SELECT $2, $1", true)]
    [InlineData("SELECT $1, $3", false)]
    [InlineData("SELECT $2", false)]
    [InlineData("SELECT $0", false)]
    [InlineData("SELECT $1, $99999999999999", false)]
    public void Positional_placeholders_must_be_exactly_one_to_n(string sql, bool sequential)
    {
        var analysis = SqlPlaceholders.Analyze(sql);

        Assert.Equal(sequential, analysis.IsPositionalSequential);
        Assert.Equal(sequential, analysis.DescribeSequenceProblem() is null);
    }

    [Fact]
    public void Sequence_problem_names_the_gap_and_locates_the_first_out_of_range_placeholder()
    {
        const string sql = "SELECT $1, $3, $3";

        var analysis = SqlPlaceholders.Analyze(sql);

        Assert.Equal(new[] { 2 }, analysis.MissingIndexes);
        Assert.Equal(11, analysis.FirstOutOfSequence!.Start);
        Assert.Equal("Positional placeholders must be numbered $1..$2 without gaps (found $1, $3; $2 missing).", analysis.DescribeSequenceProblem());
    }

    [Fact]
    public void Lexical_errors_are_reported_by_the_analysis()
    {
        var analysis = SqlPlaceholders.Analyze("SELECT :a, 'oops");

        Assert.Equal(SqlErrorKind.UnterminatedString, Assert.Single(analysis.Errors).Kind);
        Assert.Equal(new[] { "a" }, analysis.NamedParameters);
    }

    [Fact]
    public void To_positional_numbers_names_by_first_appearance()
    {
        const string sql = "INSERT INTO users (email, id, name) VALUES (:email, :id, :name)";

        var result = SqlPlaceholders.ToPositional(sql);

        Assert.Equal("INSERT INTO users (email, id, name) VALUES ($1, $2, $3)", result.Sql);
        Assert.Equal(new[] { "email", "id", "name" }, result.ParameterNames);
        Assert.Equal(3, result.ParameterCount);
    }

    [Fact]
    public void To_positional_replaces_every_occurrence_of_a_repeated_name()
    {
        const string sql = """
            INSERT INTO users (id, name, email)
            VALUES (:id, :name, :email)
            ON CONFLICT (id) DO UPDATE
            SET name = :name, email = :email
            WHERE id = :id
            """;

        var result = SqlPlaceholders.ToPositional(sql);

        Assert.Contains("VALUES ($1, $2, $3)", result.Sql, StringComparison.Ordinal);
        Assert.Contains("SET name = $2, email = $3", result.Sql, StringComparison.Ordinal);
        Assert.Contains("WHERE id = $1", result.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain(":", result.Sql, StringComparison.Ordinal);
        Assert.Equal(new[] { "id", "name", "email" }, result.ParameterNames);
    }

    [Fact]
    public void To_positional_does_not_confuse_names_that_share_a_prefix()
    {
        var result = SqlPlaceholders.ToPositional("SELECT :idx, :id, :idx, :id_old");

        Assert.Equal("SELECT $1, $2, $1, $3", result.Sql);
        Assert.Equal(new[] { "idx", "id", "id_old" }, result.ParameterNames);
    }

    [Fact]
    public void To_positional_leaves_literals_comments_and_casts_untouched()
    {
        const string sql = "SELECT ':id', \":id\", $$:id$$, :id::text /* :id */ -- :id";

        var result = SqlPlaceholders.ToPositional(sql);

        Assert.Equal("SELECT ':id', \":id\", $$:id$$, $1::text /* :id */ -- :id", result.Sql);
        Assert.Equal(new[] { "id" }, result.ParameterNames);
    }

    [Fact]
    public void To_positional_handles_joins_and_where_clauses()
    {
        const string sql = """
            SELECT u.id, u.name, u.email, p.title
            FROM users u
            JOIN posts p ON p.user_id = u.id
            WHERE u.email = :email AND u.status = :status
            ORDER BY p.created_at DESC
            """;

        var result = SqlPlaceholders.ToPositional(sql);

        Assert.Contains("u.email = $1", result.Sql, StringComparison.Ordinal);
        Assert.Contains("u.status = $2", result.Sql, StringComparison.Ordinal);
        Assert.Equal(new[] { "email", "status" }, result.ParameterNames);
    }

    [Fact]
    public void To_positional_passes_positional_sql_through_unchanged()
    {
        const string sql = "INSERT INTO users (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = $2";

        var result = SqlPlaceholders.ToPositional(sql);

        Assert.Same(sql, result.Sql);
        Assert.Null(result.ParameterNames);
        Assert.Equal(3, result.ParameterCount);
    }

    [Fact]
    public void To_positional_of_sql_without_placeholders_needs_no_parameters()
    {
        var result = SqlPlaceholders.ToPositional("DELETE FROM t");

        Assert.Equal("DELETE FROM t", result.Sql);
        Assert.Empty(result.ParameterNames!);
        Assert.Equal(0, result.ParameterCount);
    }

    [Fact]
    public void To_positional_rejects_mixed_placeholders_with_the_position()
    {
        var exception = Assert.Throws<SqlPlaceholderException>(() => SqlPlaceholders.ToPositional("SELECT $1,\n :name"));

        Assert.Equal(12, exception.Position);
        Assert.Contains("mixed", exception.Message, StringComparison.Ordinal);
        Assert.Contains("2:2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void To_positional_rejects_non_sequential_positional_placeholders()
    {
        var exception = Assert.Throws<SqlPlaceholderException>(() => SqlPlaceholders.ToPositional("SELECT $1, $3"));

        Assert.Equal(11, exception.Position);
        Assert.Contains("$2 missing", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void To_positional_rejects_unterminated_literals_with_line_and_column()
    {
        var exception = Assert.Throws<SqlPlaceholderException>(() => SqlPlaceholders.ToPositional("SELECT :a,\n  'oops"));

        Assert.Equal(13, exception.Position);
        Assert.Contains("Unterminated string", exception.Message, StringComparison.Ordinal);
        Assert.Contains("2:3", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void To_positional_output_has_the_same_placeholders_as_positional_analysis()
    {
        const string sql = "UPDATE t SET a = :a, b = :b WHERE k = :k AND a <> :a";

        var converted = SqlPlaceholders.ToPositional(sql);
        var analysis = SqlPlaceholders.Analyze(converted.Sql);

        Assert.Equal(PlaceholderStyle.Positional, analysis.Style);
        Assert.True(analysis.IsPositionalSequential);
        Assert.Equal(converted.ParameterCount, analysis.PositionalIndexes.Count);
    }

    [Theory]
    [InlineData("SELECT a:id", "SELECT a $1")]
    [InlineData("SELECT $:id", "SELECT $ $1")]
    [InlineData("SELECT (:id)", "SELECT ($1)")]
    public void To_positional_never_glues_a_parameter_to_the_token_before_it(string sql, string expected)
    {
        Assert.Equal(expected, SqlPlaceholders.ToPositional(sql).Sql);
    }
}
