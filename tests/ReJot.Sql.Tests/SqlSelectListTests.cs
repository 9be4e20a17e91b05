using ReJot.Sql;

namespace ReJot.Sql.Tests;

public sealed class SqlSelectListTests
{
    private static string[]? Names(string sql) => SqlSelectList.TryRead(sql)?.Columns.Select(c => c.Name).ToArray();

    [Theory]
    [InlineData("SELECT id, name, email FROM accounts WHERE id = :id", new[] { "id", "name", "email" })]
    [InlineData("SELECT a.id, a.name as \"name\", a.email as \"email\" FROM accounts a WHERE a.id = :id", new[] { "id", "name", "email" })]
    [InlineData("SELECT :id AS \"id\" ", new[] { "id" })]
    [InlineData("SELECT x AS \"firstName\", y AS \"LastName\"", new[] { "firstName", "LastName" })]
    [InlineData("SELECT ID, Name", new[] { "id", "name" })]
    [InlineData("SELECT s.t.col FROM s.t", new[] { "col" })]
    [InlineData("SELECT \"Weird\"\"Name\" FROM t", new[] { "Weird\"Name" })]
    [InlineData("SELECT a b, c d", new[] { "b", "d" })]
    [InlineData("SELECT DISTINCT a, b FROM t", new[] { "a", "b" })]
    [InlineData("SELECT DISTINCT ON (a, b) a, c FROM t", new[] { "a", "c" })]
    [InlineData("SELECT ALL a FROM t", new[] { "a" })]
    [InlineData("SELECT coalesce(a, b, c), count(*), pg_catalog.lower(x) FROM t", new[] { "coalesce", "count", "lower" })]
    [InlineData("SELECT coalesce(a, b) AS total, f(g(1, 2), (3, 4)) AS \"nested\" FROM t", new[] { "total", "nested" })]
    [InlineData("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, CASE WHEN b THEN 1 END AS kind FROM t", new[] { "case", "kind" })]
    [InlineData("SELECT CASE WHEN a THEN 1 END label FROM t", new[] { "label" })]
    [InlineData("SELECT x::int, y::text AS z, t.w::bigint FROM t", new[] { "x", "z", "w" })]
    [InlineData("SELECT x::numeric(10, 2), t.y::int[], f(z)::text::varchar(3), (a + b)::int FROM t", new[] { "x", "y", "f", "?column?" })]
    [InlineData("SELECT 1, 'a' || b, a + b FROM t", new[] { "?column?", "?column?", "?column?" })]
    [InlineData("SELECT array_agg(o.id ORDER BY o.created_at) AS \"orderIds\" FROM o", new[] { "orderIds" })]
    [InlineData("SELECT (SELECT max(x) FROM u) AS m, EXISTS (SELECT 1 FROM v) FROM t", new[] { "m", "exists" })]
    [InlineData("SELECT substring(a FROM 1 FOR 2) AS s, extract(year FROM d) AS y FROM t", new[] { "s", "y" })]
    [InlineData("SELECT a[1:2] AS slice, b[1] FROM t", new[] { "slice", "?column?" })]
    [InlineData("SELECT a IS NULL, b COLLATE \"C\" FROM t", new[] { "?column?", "?column?" })]
    [InlineData("SELECT current_date, now() FROM t", new[] { "current_date", "now" })]
    [InlineData("WITH x AS (SELECT a FROM t), y AS (SELECT b FROM x) SELECT a AS first, b FROM x, y", new[] { "first", "b" })]
    [InlineData("(SELECT a, b FROM t)", new[] { "a", "b" })]
    [InlineData("SELECT a FROM t UNION SELECT b FROM u", new[] { "a" })]
    [InlineData("SELECT a; SELECT b", new[] { "a" })]
    [InlineData("  -- leading comment\n /* c */ SELECT a -- trailing", new[] { "a" })]
    [InlineData("SELECT json_build_object('a', 1) -> 'a' AS v", new[] { "v" })]
    [InlineData("SELECT a FROM t ORDER BY b LIMIT 1", new[] { "a" })]
    [InlineData("SELECT FROM t", new string[0])]
    [InlineData("SELECT a AS from, b AS order FROM t", new[] { "from", "order" })]
    public void Output_column_names_are_read_as_postgresql_names_them(string sql, string[] expected)
    {
        Assert.Equal(expected, Names(sql));
    }

    [Theory]
    [InlineData("SELECT * FROM t")]
    [InlineData("SELECT t.*, a FROM t")]
    [InlineData("SELECT a, * FROM t")]
    [InlineData("INSERT INTO t VALUES (1)")]
    [InlineData("VALUES (1)")]
    [InlineData("SELECT 'unterminated")]
    [InlineData("SELECT a,, b FROM t")]
    [InlineData("SELECT a AS")]
    [InlineData("")]
    public void Unreadable_select_lists_give_null(string sql)
    {
        Assert.Null(SqlSelectList.TryRead(sql));
    }

    [Fact]
    public void Unquoted_alias_with_upper_case_is_flagged_and_folded()
    {
        const string sql = "SELECT a.first_name AS firstName, b AS \"lastName\", c AS plain FROM t";

        var columns = SqlSelectList.TryRead(sql)!.Columns;

        Assert.Equal("firstname", columns[0].Name);
        Assert.True(columns[0].HasUnquotedUpperCase);
        Assert.True(columns[0].IsAlias);
        Assert.False(columns[0].IsQuoted);
        Assert.Equal("firstName", sql.Substring(columns[0].NameStart, columns[0].NameLength));

        Assert.Equal("lastName", columns[1].Name);
        Assert.True(columns[1].IsQuoted);
        Assert.False(columns[1].HasUnquotedUpperCase);
        Assert.Equal("\"lastName\"", sql.Substring(columns[1].NameStart, columns[1].NameLength));

        Assert.False(columns[2].HasUnquotedUpperCase);
    }

    [Fact]
    public void Bare_column_with_upper_case_is_flagged_and_inferred()
    {
        const string sql = "SELECT t.FirstName FROM t";

        var column = Assert.Single(SqlSelectList.TryRead(sql)!.Columns);

        Assert.Equal("firstname", column.Name);
        Assert.True(column.IsInferred);
        Assert.False(column.IsAlias);
        Assert.True(column.HasUnquotedUpperCase);
        Assert.Equal("FirstName", sql.Substring(column.NameStart, column.NameLength));
    }

    [Fact]
    public void Item_span_covers_the_whole_expression()
    {
        const string sql = "SELECT coalesce(a, 0) + 1 AS total FROM t";

        var column = Assert.Single(SqlSelectList.TryRead(sql)!.Columns);

        Assert.Equal("coalesce(a, 0) + 1 AS total", sql.Substring(column.ItemStart, column.ItemLength));
    }

    [Theory]
    [InlineData("Abc", "abc")]
    [InlineData("ÄbC", "Äbc")]
    public void Folding_lowers_ascii_letters_only(string identifier, string folded)
    {
        Assert.Equal(folded, SqlSelectList.FoldIdentifier(identifier));
    }
}
