using ReJot.Sync.Apply;

namespace ReJot.Sync.Tests.Apply;

/// <summary>Which consumer statements are applied set-based, and why the others are not.</summary>
public sealed class SetBasedSqlTests
{
    [Theory]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name)")]
    [InlineData("insert into public.t as x (id, name) values (:id, upper(:name) || '!');")]
    [InlineData("INSERT INTO t VALUES (:id, :name, now(), coalesce(:n, 0)::int)")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT DO NOTHING")]
    [InlineData("INSERT INTO t (id, n) VALUES (:id, 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 1")]
    [InlineData("INSERT INTO \"T\" (\"Id\", name) VALUES (:id, :name) ON CONFLICT (\"Id\") DO UPDATE SET name = EXCLUDED.name WHERE \"T\".name IS DISTINCT FROM EXCLUDED.name")]
    [InlineData("INSERT INTO t (a, b, c) VALUES ($2, $1, ARRAY[$3, 'x']) ON CONFLICT (b, a) DO UPDATE SET c = EXCLUDED.c")]
    [InlineData("DELETE FROM t WHERE id = :id")]
    [InlineData("DELETE FROM s.t AS x WHERE x.a = :a AND x.b = :b;")]
    [InlineData("delete from t x where id = $1")]
    public void Set_based_shapes_are_recognised(string sql)
    {
        var shape = SetBasedSql.AnalyzeConsumerSql(sql, out var reason);
        Assert.True(shape is not null, reason);
        Assert.InRange(shape!.ParameterCount, 1, 8);
    }

    [Theory]
    [InlineData("WITH c AS (INSERT INTO t (id) VALUES (:id) RETURNING 1) INSERT INTO u (id) VALUES (:id)", "RETURNING")]
    [InlineData("WITH c AS (SELECT 1) INSERT INTO t (id) VALUES (:id)", "WITH, SELECT or TABLE")]
    [InlineData("INSERT INTO t (id) VALUES (:id) RETURNING id", "RETURNING")]
    [InlineData("INSERT INTO t (id) VALUES (:id); DELETE FROM u WHERE id = :id", "more than one statement")]
    [InlineData("INSERT INTO t (id, n) VALUES (:id, (SELECT count(*) FROM t))", "WITH, SELECT or TABLE")]
    [InlineData("INSERT INTO t (id, n) SELECT :id, 1", "WITH, SELECT or TABLE")]
    [InlineData("INSERT INTO t (id) VALUES (:id), (:id + 1)", "more than one row")]
    [InlineData("INSERT INTO t (id, n) VALUES (:id, DEFAULT)", "DEFAULT")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name", "ON CONFLICT clause has a placeholder")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET name = EXCLUDED.name", "ON CONSTRAINT")]
    [InlineData("INSERT INTO t VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", "without a column list")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id::bigint, :name) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", "not given as a plain placeholder")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (lower(name)) DO UPDATE SET name = EXCLUDED.name", "not a plain list")]
    [InlineData("UPDATE t SET name = :name WHERE id = :id", "neither")]
    [InlineData("DELETE FROM t WHERE id = :id OR name = :name", "joined by AND")]
    [InlineData("DELETE FROM t WHERE id > :id", "joined by AND")]
    [InlineData("DELETE FROM t USING u WHERE t.id = u.id AND u.k = :k", "before WHERE")]
    [InlineData("DELETE FROM t", "no placeholders")]
    [InlineData("INSERT INTO t (id) VALUES (1)", "no placeholders")]
    public void Other_shapes_fall_back_with_a_reason(string sql, string reason)
    {
        Assert.Null(SetBasedSql.AnalyzeConsumerSql(sql, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rewrite_selects_from_an_ordered_unnest_with_each_placeholder_cast_to_its_inferred_type()
    {
        var shape = SetBasedSql.AnalyzeConsumerSql("INSERT INTO t (id, n, name) VALUES (:id, 1, upper(:name)) ON CONFLICT (id) DO UPDATE SET n = t.n + 1", out _)!;
        Assert.Equal([0], shape.ConflictKey);
        Assert.Equal(
            "INSERT INTO t (id, n, name) SELECT (rejot_unnest.rejot_p1::bigint), 1, upper((rejot_unnest.rejot_p2::text)) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS rejot_unnest(rejot_p1, rejot_p2, rejot_ord)"
            + " ORDER BY rejot_unnest.rejot_ord ON CONFLICT (id) DO UPDATE SET n = t.n + 1",
            shape.Build(["bigint", "text"]));

        var delete = SetBasedSql.AnalyzeConsumerSql("DELETE FROM t WHERE a = :a AND b = :b", out _)!;
        Assert.True(delete.IsDelete);
        Assert.Null(delete.ConflictKey);
        Assert.Equal(
            "DELETE FROM t USING unnest($1::text[], $2::text[]) WITH ORDINALITY AS rejot_unnest(rejot_p1, rejot_p2, rejot_ord) WHERE a = (rejot_unnest.rejot_p1::integer) AND b = (rejot_unnest.rejot_p2::text)",
            delete.Build(["integer", "text"]));
    }
}
