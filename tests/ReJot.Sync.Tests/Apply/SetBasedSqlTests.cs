using ReJot.Sync.Apply;

namespace ReJot.Sync.Tests.Apply;

/// <summary>Which consumer statements are applied set-based, and why the others are not.</summary>
public sealed class SetBasedSqlTests
{
    // The upserts of the ShopJot example (examples/ShopJot.Accounts/OrdersIntoAccounts.cs, examples/ShopJot.Orders/Schemas.cs).
    internal const string ShopJotOrdersIntoAccounts = """
        INSERT INTO account_orders (order_id, account_id, total) VALUES (:id, :accountId, :total)
        ON CONFLICT (order_id) DO UPDATE SET account_id = :accountId, total = :total
        """;

    internal const string ShopJotAccountsIntoOrders = "INSERT INTO known_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";

    [Theory]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name)")]
    [InlineData("insert into public.t as x (id, name) values (:id, upper(:name) || '!');")]
    [InlineData("INSERT INTO t VALUES (:id, :name, now(), coalesce(:n, 0)::int)")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT DO NOTHING")]
    [InlineData("INSERT INTO t (id, n) VALUES (:id, 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 1")]
    [InlineData("INSERT INTO \"T\" (\"Id\", name) VALUES (:id, :name) ON CONFLICT (\"Id\") DO UPDATE SET name = EXCLUDED.name WHERE \"T\".name IS DISTINCT FROM EXCLUDED.name")]
    [InlineData("INSERT INTO t (a, b, c) VALUES ($2, $1, ARRAY[$3, 'x']) ON CONFLICT (b, a) DO UPDATE SET c = EXCLUDED.c")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name")]
    [InlineData("INSERT INTO t (id, name, n) VALUES (:id, :name, :n) ON CONFLICT (id) DO UPDATE SET name = upper(:name) || :n WHERE t.n IS DISTINCT FROM :n")]
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
    [InlineData("INSERT INTO t (id, name) VALUES (:id, upper(:name)) ON CONFLICT (id) DO UPDATE SET name = :name", "uses :name, which is not by itself the value of a column")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name::text) ON CONFLICT (id) DO UPDATE SET name = :name", "uses :name, which is not by itself")]
    [InlineData("INSERT INTO t (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET name = $2", "uses $2, which is not by itself")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (id) WHERE name <> :name DO UPDATE SET name = EXCLUDED.name", "ON CONFLICT target has a placeholder")]
    [InlineData("INSERT INTO t (id, name) VALUES (:id, :name) ON CONFLICT (id) WHERE name <> :name DO NOTHING", "ON CONFLICT target has a placeholder")]
    [InlineData("INSERT INTO t (id, name) OVERRIDING USER VALUE VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name", "OVERRIDING USER VALUE")]
    [InlineData("INSERT INTO t VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name", "without a column list")]
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

    private static SetBasedTarget Table(string kind = "r", string[]? triggers = null, params (string Name, string Type, int Modifier, bool Generated)[] columns)
        => new(kind, columns.ToDictionary(c => c.Name, c => new SetBasedTargetColumn(c.Type, c.Modifier, c.Generated)), triggers ?? []);

    private static readonly SetBasedTarget Accounts = Table(columns: [("id", "pg_catalog.int8", -1, false), ("name", "pg_catalog.text", -1, false)]);

    [Fact]
    public void A_placeholder_of_do_update_becomes_excluded_of_the_column_it_is_the_value_of()
    {
        var shape = SetBasedSql.AnalyzeConsumerSql(
            "INSERT INTO known_accounts (id, \"Name\") VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET \"Name\" = :name || '!' WHERE known_accounts.\"Name\" <> :name",
            out var reason)!;
        Assert.True(shape is not null, reason);
        Assert.Equal("known_accounts", shape.Target);
        Assert.Equal([0], shape.ConflictKey);
        var table = Table(columns: [("id", "pg_catalog.int8", -1, false), ("Name", "pg_catalog.text", -1, false)]);
        Assert.Equal(
            "INSERT INTO known_accounts (id, \"Name\") SELECT (rejot_unnest.rejot_p1::pg_catalog.int8), (rejot_unnest.rejot_p2::pg_catalog.text) FROM unnest($1::text[], $2::text[])"
            + " WITH ORDINALITY AS rejot_unnest(rejot_p1, rejot_p2, rejot_ord) ORDER BY rejot_unnest.rejot_ord"
            + " ON CONFLICT (id) DO UPDATE SET \"Name\" = (EXCLUDED.\"Name\") || '!' WHERE known_accounts.\"Name\" <> (EXCLUDED.\"Name\")",
            shape.Build(["pg_catalog.int8", "pg_catalog.text"], table, out reason));
        Assert.Equal("", reason);

        // Without the catalog the rewrite is refused, not guessed.
        Assert.Null(shape.Build(["pg_catalog.int8", "pg_catalog.text"], null, out reason));
        Assert.Contains("target table could not be found", reason, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => shape.Build(["pg_catalog.int8", "pg_catalog.text"]));
    }

    [Fact]
    public void The_shop_jot_statements_are_rewritten_with_excluded()
    {
        var orders = SetBasedSql.AnalyzeConsumerSql(ShopJotOrdersIntoAccounts, out var reason)!;
        Assert.True(orders is not null, reason);
        var table = Table(columns: [("order_id", "pg_catalog.int8", -1, false), ("account_id", "pg_catalog.int8", -1, false), ("total", "pg_catalog.\"numeric\"", -1, false)]);
        var sql = orders.Build(["pg_catalog.int8", "pg_catalog.int8", "pg_catalog.\"numeric\""], table, out reason);
        Assert.True(sql is not null, reason);
        Assert.EndsWith("ON CONFLICT (order_id) DO UPDATE SET account_id = (EXCLUDED.account_id), total = (EXCLUDED.total)", sql, StringComparison.Ordinal);

        var accounts = SetBasedSql.AnalyzeConsumerSql(ShopJotAccountsIntoOrders, out reason)!;
        Assert.True(accounts is not null, reason);
        Assert.EndsWith("DO UPDATE SET name = (EXCLUDED.name)", accounts.Build(["pg_catalog.int8", "pg_catalog.text"], Accounts, out reason), StringComparison.Ordinal);
    }

    [Fact]
    public void The_shop_jot_statements_and_tables_tested_here_are_the_examples_own()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ReJot.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        string Read(string path) => File.ReadAllText(Path.Combine(root.FullName, path));
        var accounts = Read("examples/ShopJot.Accounts/OrdersIntoAccounts.cs");
        foreach (var line in ShopJotOrdersIntoAccounts.Split('\n'))
        {
            Assert.Contains(line.Trim(), accounts, StringComparison.Ordinal);
        }

        Assert.Contains($"\"{ShopJotAccountsIntoOrders}\"", Read("examples/ShopJot.Orders/Schemas.cs"), StringComparison.Ordinal);
        Assert.Contains(SetBasedApplyTests.ShopJotKnownAccounts, Read("examples/ShopJot.Orders/OrdersService.cs"), StringComparison.Ordinal);
        Assert.Contains(SetBasedApplyTests.ShopJotAccountOrders, Read("examples/ShopJot.Accounts/AccountsService.cs"), StringComparison.Ordinal);
    }

    [Theory]
    // The placeholder's inferred type differs from the column's: EXCLUDED carries the converted value.
    [InlineData("SET name = :name", "pg_catalog.varchar", -1, "r", null, "whose type pg_catalog.text is not the type pg_catalog.varchar of column name (EXCLUDED.name carries the converted value)")]
    // A type modifier rounds/pads the inserted value: only a whole assignment to a column of the same type and modifier is equal.
    [InlineData("SET name = :name || 'x'", "pg_catalog.text", 7, "r", null, "has a type modifier")]
    [InlineData("SET name = EXCLUDED.name WHERE known_accounts.name <> :name", "pg_catalog.text", 7, "r", null, "has a type modifier")]
    [InlineData("SET note = :name", "pg_catalog.text", 7, "r", null, "has a type modifier")]
    [InlineData("SET name = :name", "pg_catalog.text", -1, "v", null, "is not a table")]
    [InlineData("SET name = :name", "pg_catalog.text", -1, "r", "audit on known_accounts", "BEFORE INSERT row trigger (audit on known_accounts)")]
    [InlineData("SET name = :name", "generated", -1, "r", null, "column name is generated")]
    // A collation of its own goes with EXCLUDED.name into comparisons and functions.
    [InlineData("SET note = upper(:name)", "collated", -1, "r", null, "column name has a collation of its own")]
    [InlineData("SET name = :name WHERE :name < 'b'", "collated", -1, "r", null, "column name has a collation of its own")]
    public void The_catalog_refuses_excluded_where_it_could_differ(string set, string columnType, int modifier, string kind, string? trigger, string reason)
    {
        var shape = SetBasedSql.AnalyzeConsumerSql($"INSERT INTO known_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE {set}", out var why)!;
        Assert.True(shape is not null, why);
        var generated = columnType == "generated";
        var name = columnType is "generated" or "collated" ? "pg_catalog.text" : columnType;
        var table = new SetBasedTarget(kind,
            new Dictionary<string, SetBasedTargetColumn>
            {
                ["id"] = new("pg_catalog.int8", -1, false),
                ["name"] = new(name, modifier, generated, columnType != "collated"),
                ["note"] = new("pg_catalog.text", -1, false),
            },
            trigger is null ? [] : [trigger]);
        Assert.Null(shape.Build(["pg_catalog.int8", "pg_catalog.text"], table, out why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.Contains(":name", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SET name = :name")]
    [InlineData("SET id = EXCLUDED.id, name = :name WHERE known_accounts.id > 0")]
    public void A_column_with_a_type_modifier_or_collation_is_rewritten_where_the_placeholder_is_assigned_whole_to_a_column_of_the_same_type(string set)
    {
        var shape = SetBasedSql.AnalyzeConsumerSql($"INSERT INTO known_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE {set}", out var why)!;
        var table = new SetBasedTarget("r", new Dictionary<string, SetBasedTargetColumn>
        {
            ["id"] = new("pg_catalog.int8", -1, false),
            ["name"] = new("pg_catalog.bpchar", 7, false, TypeCollation: false),
        }, []);
        Assert.Contains("name = (EXCLUDED.name)", shape.Build(["pg_catalog.int8", "pg_catalog.bpchar"], table, out why), StringComparison.Ordinal);
        Assert.Equal("", why);
    }

    [Fact]
    public void A_placeholder_given_to_several_columns_uses_one_whose_type_matches()
    {
        var shape = SetBasedSql.AnalyzeConsumerSql("INSERT INTO t (id, a, b) VALUES (:id, :v, :v) ON CONFLICT (id) DO UPDATE SET n = :v + 1", out var why)!;
        var table = Table(columns: [("id", "pg_catalog.int8", -1, false), ("a", "pg_catalog.int4", -1, false), ("b", "pg_catalog.int8", -1, false), ("n", "pg_catalog.int8", -1, false)]);
        Assert.EndsWith("SET n = (EXCLUDED.b) + 1", shape.Build(["pg_catalog.int8", "pg_catalog.int8"], table, out why), StringComparison.Ordinal);
    }
}
