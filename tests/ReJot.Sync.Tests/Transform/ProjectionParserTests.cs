using ReJot.Sync.Capture;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Tests.Transform;

/// <summary>Which transformation texts are plain projections of the changed row, and why the others are not.</summary>
public sealed class ProjectionParserTests
{
    // accounts(id bigint key, name text, balance numeric, "Mixed" text), default replica identity.
    private static readonly RelationInfo Accounts = new(16384, 1, new TableName("public", "accounts"), 'd',
    [
        new RelationColumn("id", 20, true),
        new RelationColumn("name", 25, false),
        new RelationColumn("balance", 1700, false),
        new RelationColumn("Mixed", 25, false),
    ]);

    public static TheoryData<string, string> Projections => new()
    {
        { "SELECT id, name, balance FROM accounts WHERE id = :id", "id,name,balance" },
        { "select ID, Name from ACCOUNTS where ID = :id;", "id,name" },
        { "SELECT id AS \"accountId\", name AS full_name FROM accounts WHERE id = :id", "accountId,full_name" },
        { "SELECT id AS ID FROM accounts WHERE :id = id", "id" },
        { "SELECT a.id, a.name nm FROM public.accounts AS a WHERE a.id = :id", "id,nm" },
        { "SELECT accounts.id FROM accounts WHERE accounts.id = :id", "id" },
        { "SELECT \"Mixed\", \"name\" AS \"Say \"\"hi\"\"\" FROM \"public\".\"accounts\" x WHERE x.\"id\" = $1", "Mixed,Say \"hi\"" },
        { "SELECT id -- the key\n, /* nested /* comment */ */ name FROM accounts WHERE id = :id ;;", "id,name" },
        { "SELECT id, id AS again FROM accounts WHERE id = :id", "id,again" },
    };

    public static TheoryData<string, string> NotProjections => new()
    {
        { "SELECT * FROM accounts WHERE id = :id", "'*'" },
        { "SELECT a.* FROM accounts a WHERE id = :id", "'*'" },
        { "SELECT id::text FROM accounts WHERE id = :id", "'::'" },
        { "SELECT id, upper(name) FROM accounts WHERE id = :id", "'('" },
        { "SELECT id, name || 'x' FROM accounts WHERE id = :id", "'||'" },
        { "SELECT DISTINCT id FROM accounts WHERE id = :id", "'DISTINCT'" },
        { "SELECT id FROM accounts WHERE id = :id ORDER BY id", "'ORDER'" },
        { "SELECT id FROM accounts WHERE id = :id LIMIT 1", "'LIMIT'" },
        { "SELECT id FROM accounts WHERE id = :id GROUP BY id", "'GROUP'" },
        { "SELECT id FROM accounts WHERE id = :id UNION SELECT 1", "'UNION'" },
        { "SELECT id FROM accounts WHERE id = :id OR id = 2", "'OR'" },
        { "SELECT id FROM accounts WHERE id = :id AND name = 'x'", "not a :parameter" },
        { "SELECT id FROM accounts WHERE id > :id", "not '='" },
        { "SELECT id FROM accounts WHERE (id = :id)", "'('" },
        { "SELECT id FROM accounts WHERE id = :id::bigint", "'::'" },
        { "SELECT id FROM accounts", "no WHERE" },
        { "SELECT :id AS id", "':id'" },
        { "SELECT id FROM accounts a JOIN other o ON o.id = a.id WHERE a.id = :id", "'JOIN'" },
        { "SELECT id FROM accounts, other WHERE id = :id", "','" },
        { "SELECT id FROM (SELECT id FROM accounts) s WHERE id = :id", "'('" },
        { "WITH x AS (SELECT 1) SELECT id FROM accounts WHERE id = :id", "does not start with SELECT" },
        { "VALUES (1)", "does not start with SELECT" },
        { "SELECT id FROM ONLY accounts WHERE id = :id", "'ONLY'" },
        { "SELECT user FROM accounts WHERE id = :id", "'user'" },
        { "SELECT current_date AS d FROM accounts WHERE id = :id", "'current_date'" },
        { "SELECT id, true FROM accounts WHERE id = :id", "'true'" },
        { "SELECT id, 1 FROM accounts WHERE id = :id", "'1'" },
        { "SELECT b.id FROM accounts a WHERE a.id = :id", "not qualified by the table" },
        { "SELECT accounts.id FROM accounts a WHERE a.id = :id", "not qualified by the table" },
        { "SELECT public.accounts.id FROM accounts WHERE id = :id", "more than two parts" },
        { "SELECT id FROM db.public.accounts WHERE id = :id", "more than two parts" },
        { "SELECT id AS " + new string('x', 64) + " FROM accounts WHERE id = :id", "longer than 63 bytes" },
        { "SELECT U&\"id\" FROM accounts WHERE id = :id", "U& quoting" },
        { "SELECT id FROM accounts WHERE id = 'unterminated", "lexical error" },
        { "SELECT id FROM accounts WHERE id = :id FOR UPDATE", "'FOR'" },
        { "SELECT id day FROM accounts WHERE id = :id", "'day'" },
    };

    public static TheoryData<string, string> NotBound => new()
    {
        { "SELECT id FROM accounts WHERE name = :name", "not a replica identity key column" },
        { "SELECT id FROM accounts WHERE id = :balance", "bound to another column" },
        { "SELECT id FROM accounts WHERE id = $2", "bound to another column" },
        { "SELECT id FROM accounts WHERE id = :id AND id = :id", "twice" },
        { "SELECT id, missing FROM accounts WHERE id = :id", "'missing' is not a column" },
        { "SELECT id, mixed FROM accounts WHERE id = :id", "'mixed' is not a column" },
        { "SELECT id, name AS id FROM accounts WHERE id = :id", "appears twice" },
    };

    [Theory]
    [MemberData(nameof(Projections))]
    public void A_plain_projection_of_the_key_row_is_recognised_with_its_output_names(string sql, string names)
    {
        var shape = ProjectionParser.Parse(sql, out var reason);
        Assert.True(shape is not null, reason);
        Assert.Equal(names, string.Join(",", shape.Items.Select(i => i.OutputName)));
        var bound = RowProjection.Bind(shape, Accounts, oid => oid, _ => null, out reason);
        Assert.True(bound is not null, reason);
    }

    [Theory]
    [MemberData(nameof(NotProjections))]
    public void Anything_but_a_plain_projection_runs_as_a_query_with_a_reason(string sql, string because)
    {
        var shape = ProjectionParser.Parse(sql, out var reason);
        Assert.Null(shape);
        Assert.Contains(because, reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotBound))]
    public void A_projection_that_does_not_select_the_changed_row_by_its_key_runs_as_a_query(string sql, string because)
    {
        var shape = ProjectionParser.Parse(sql, out var reason);
        Assert.True(shape is not null, reason);
        Assert.Null(RowProjection.Bind(shape, Accounts, oid => oid, _ => null, out reason));
        Assert.Contains(because, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replica_identity_full_nothing_or_no_key_run_as_a_query()
    {
        var shape = ProjectionParser.Parse("SELECT id FROM accounts WHERE id = :id", out _)!;
        Assert.Null(RowProjection.Bind(shape, Accounts with { ReplicaIdentity = 'f' }, oid => oid, _ => null, out var reason));
        Assert.Contains("FULL", reason, StringComparison.Ordinal);
        Assert.Null(RowProjection.Bind(shape, Accounts with { ReplicaIdentity = 'n' }, oid => oid, _ => null, out reason));
        Assert.Contains("NOTHING", reason, StringComparison.Ordinal);
        var noKey = Accounts with { Columns = Accounts.Columns.Select(c => c with { IsKey = false }).ToList() };
        Assert.Null(RowProjection.Bind(shape, noKey, oid => oid, _ => null, out reason));
        Assert.Contains("no replica identity key", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_composite_key_must_be_compared_completely()
    {
        var relation = Accounts with { Columns = [new("tenant", 23, true), new("id", 20, true), new("name", 25, false)] };
        var partial = ProjectionParser.Parse("SELECT id, name FROM accounts WHERE id = :id", out _)!;
        Assert.Null(RowProjection.Bind(partial, relation, oid => oid, _ => null, out var reason));
        Assert.Contains("every replica identity key column (tenant, id)", reason, StringComparison.Ordinal);
        var full = ProjectionParser.Parse("SELECT id, name FROM accounts WHERE :id = id AND tenant = :tenant", out _)!;
        Assert.NotNull(RowProjection.Bind(full, relation, oid => oid, _ => null, out reason));
    }

    [Fact]
    public void Columns_of_types_without_a_proven_json_form_run_as_a_query()
    {
        var relation = Accounts with { Columns = [new("id", 20, true), new("data", 17, false)] };
        var shape = ProjectionParser.Parse("SELECT id, data FROM accounts WHERE id = :id", out _)!;
        Assert.Null(RowProjection.Bind(shape, relation, oid => oid, _ => null, out var reason));
        Assert.Contains("'data' has a type (oid 17)", reason, StringComparison.Ordinal);

        var timestamps = Accounts with { Columns = [new("id", 20, true), new("at", 1184, false)] };
        shape = ProjectionParser.Parse("SELECT id, at FROM accounts WHERE id = :id", out _)!;
        var wal = new OutputSettings("Europe/Amsterdam", "ISO, MDY", "1");
        var query = new OutputSettings("UTC", "ISO, MDY", "3");
        Assert.Null(RowProjection.Bind(shape, timestamps, oid => oid, k => OutputSettings.Mismatch(k, wal, query), out reason));
        Assert.Contains("TimeZone differs (replication Europe/Amsterdam, queries UTC)", reason, StringComparison.Ordinal);
        Assert.NotNull(RowProjection.Bind(shape, timestamps, oid => oid, k => OutputSettings.Mismatch(k, wal with { TimeZone = "UTC" }, query), out reason));
        Assert.Null(RowProjection.Bind(shape, timestamps, oid => oid, k => OutputSettings.Mismatch(k, wal with { TimeZone = "UTC", DateStyle = "SQL, DMY" }, query), out reason));
        Assert.Contains("DateStyle is SQL, DMY", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_object_is_rendered_from_the_row_and_an_unchanged_toast_value_falls_back()
    {
        var shape = ProjectionParser.Parse("SELECT id AS \"accountId\", name, balance FROM accounts WHERE id = :id", out _)!;
        var projection = RowProjection.Bind(shape, Accounts, oid => oid, _ => null, out _)!;
        var json = new System.Text.StringBuilder();
        Assert.True(projection.TryWrite(new RowImage(["7", "a \"b\"\n", null, "x"], null), json));
        Assert.Equal("{\"accountId\":7,\"name\":\"a \\\"b\\\"\\n\",\"balance\":null}", json.ToString());
        Assert.False(projection.TryWrite(new RowImage(["7", null, "1", "x"], [false, true, false, false]), json));
        Assert.True(projection.TryWrite(new RowImage(["7", "n", "1", null], [false, false, false, true]), json));
    }
}
