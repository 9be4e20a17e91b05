using System.Text.Json.Nodes;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

public sealed class CaptureTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PublicSchemaModel Schema(string name, string table, string sql, string outputSchema = """{"type":"object"}""", params TransformOperation[] operations)
        => new(new PublicSchemaKey("capture", name, 1), 0, "source", outputSchema, [],
            (operations.Length == 0 ? [TransformOperation.Insert, TransformOperation.Update] : operations)
                .Select(o => new TransformationModel(o, TableName.Parse(table), sql)).ToList());

    private static async Task<IReadOnlyList<StoredEvent>> WaitForEventsAsync(SyncEngine engine, PublicSchemaKey key, int count)
    {
        IReadOnlyList<StoredEvent> events = [];
        await Eventually.WaitAsync(async () => (events = await engine.EventStore.ReadEventsAsync(key, EventPosition.Start, 100, Ct)).Count >= count, $"{count} event(s) of {key}");
        return events;
    }

    [Fact]
    public async Task Common_types_bind_as_their_column_types_and_come_out_as_exact_json()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "types", """
            CREATE TABLE t (id int PRIMARY KEY, big bigint, amount numeric, label text, flag boolean, at timestamptz, day date,
                            uid uuid, doc json, docb jsonb, tags text[], raw bytea);
            """, "SELECT 1;");
        // Every column is a parameter, so each must bind as its own type for the WHERE clause to match.
        var schema = Schema("types", "t", """
            SELECT :id AS id, :big AS big, :amount AS amount, :label AS label, :flag AS flag, :at AS at, :day AS day, :uid AS uid,
                   :doc AS doc, :docb AS docb, :tags AS tags, :raw AS raw
            FROM t WHERE id = :id AND big = :big AND amount = :amount AND at = :at AND uid = :uid AND docb = :docb AND tags = :tags AND raw = :raw
            """);
        var engine = await h.StartAsync(h.Model([schema], []));
        await h.ExecuteAsync(h.Source, """
            INSERT INTO t VALUES (1, 9007199254740993, 123456789012345678901234567890.000000001, 'a "quoted" é', true,
              '2026-11-28 14:02:46.729808+00', '2026-02-28', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1, "a": [1, 2]}', '{"x": null}',
              ARRAY['x', 'y,z'], '\xdeadbeef');
            INSERT INTO t (id) VALUES (2);
            """);
        var events = await WaitForEventsAsync(engine, schema.Key, 1);
        var o = JsonNode.Parse(events[0].ObjectJson)!.AsObject();
        Assert.Equal(1, o["id"]!.GetValue<int>());
        Assert.Equal("9007199254740993", o["big"]!.ToJsonString());
        Assert.Equal("123456789012345678901234567890.000000001", o["amount"]!.ToJsonString());
        Assert.Equal("a \"quoted\" é", o["label"]!.GetValue<string>());
        Assert.True(o["flag"]!.GetValue<bool>());
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T14:02:46.729808+00:00", System.Globalization.CultureInfo.InvariantCulture), o["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("2026-02-28", o["day"]!.GetValue<string>());
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", o["uid"]!.GetValue<string>());
        Assert.Equal(1, o["doc"]!["b"]!.GetValue<int>());
        Assert.Null(o["docb"]!["x"]);
        Assert.Equal(["x", "y,z"], o["tags"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("\\xdeadbeef", o["raw"]!.GetValue<string>());
        // Row 2 has NULLs: NULL = NULL is not true, so the query returns no row and there is no event (no stall).
        await h.ExecuteAsync(h.Source, "INSERT INTO t (id, big, amount, at, uid, docb, tags, raw) VALUES (3, 1, 1, now(), gen_random_uuid(), '{}', '{}', '')");
        await WaitForEventsAsync(engine, schema.Key, 2);
    }

    [Fact]
    public async Task An_unchanged_toasted_value_is_read_from_the_table_when_the_wal_does_not_carry_it()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "toast",
            "CREATE TABLE docs (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL); ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;",
            "SELECT 1;");
        var schema = Schema("doc", "docs", "SELECT :id AS id, :title AS title, length(:body) AS body_length");
        var engine = await h.StartAsync(h.Model([schema], []));
        await h.ExecuteAsync(h.Source, "INSERT INTO docs VALUES (1, 'first', repeat('x', 100000))");
        await h.ExecuteAsync(h.Source, "UPDATE docs SET title = 'second' WHERE id = 1");
        var events = await WaitForEventsAsync(engine, schema.Key, 2);
        Assert.Equal("""{"id": 1, "title": "second", "body_length": 100000}""", events[1].ObjectJson);
    }

    [Fact]
    public async Task A_projection_of_a_table_under_row_level_security_is_queried_so_the_policies_still_apply()
    {
        // The WAL carries every row; only a query applies the policies for the engine's role. The role owns the table
        // (so it may publish it) and FORCE makes the policies apply to the owner too.
        await using var h = await SyncHarness.CreateAsync(postgres, "rls", "SELECT 1;", "SELECT 1;");
        var role = "rj_rls_" + Guid.NewGuid().ToString("N")[..8];
        var database = new Npgsql.NpgsqlConnectionStringBuilder(h.SourceConnectionString).Database;
        await h.ExecuteAsync(h.Source, $"CREATE ROLE {role} LOGIN REPLICATION; GRANT CREATE ON DATABASE \"{database}\" TO {role}; GRANT CREATE ON SCHEMA public TO {role};");
        var asRole = new Npgsql.NpgsqlConnectionStringBuilder(h.SourceConnectionString) { Username = role, Password = null }.ConnectionString;
        await using var roleDb = Npgsql.NpgsqlDataSource.Create(asRole);
        await h.ExecuteAsync(roleDb, """
            CREATE TABLE docs (id bigint PRIMARY KEY, visible boolean NOT NULL, title text);
            ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
            ALTER TABLE docs FORCE ROW LEVEL SECURITY;
            CREATE POLICY seen ON docs FOR SELECT USING (visible);
            CREATE POLICY writes ON docs FOR INSERT WITH CHECK (true);
            """);
        var schema = Schema("doc", "docs", "SELECT id, title FROM docs WHERE id = :id", operations: TransformOperation.Insert);
        var model = h.Model([schema], []);
        model = model with { ConnectionStrings = new Dictionary<string, string>(model.ConnectionStrings) { ["source"] = asRole } };
        var engine = await h.StartAsync(model);
        await h.ExecuteAsync(roleDb, "INSERT INTO docs VALUES (1, true, 'shown'), (2, false, 'hidden'), (3, true, 'shown too')");
        await h.ExecuteAsync(roleDb, "INSERT INTO docs VALUES (4, true, 'marker')");

        // Everything up to the marker is stored once the marker's event is; the hidden row has none.
        var events = await WaitForEventsAsync(engine, schema.Key, 3);
        Assert.Equal([1, 3, 4], events.Select(e => JsonNode.Parse(e.ObjectJson)!["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task The_slot_advances_while_only_unpublished_tables_change()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "idle",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric); CREATE TABLE noise (id serial PRIMARY KEY, payload text);",
            "SELECT 1;");
        h.Options.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
        await h.StartAsync(h.Model([Schemas.AccountSchema()], []));
        await h.ExecuteAsync(h.Source, "INSERT INTO noise (payload) SELECT repeat('n', 1000) FROM generate_series(1, 5000)");
        var written = await h.ScalarAsync<string>(h.Source, "SELECT pg_current_wal_lsn()::text");
        await Eventually.WaitAsync(
            async () => await h.ScalarAsync<bool>(h.Source, $"SELECT confirmed_flush_lsn >= '{written}'::pg_lsn FROM pg_replication_slots WHERE slot_name = '{h.SlotName}'"),
            "the slot's confirmed position past the unpublished writes");
    }

    [Fact]
    public async Task A_user_managed_publication_that_misses_a_table_is_reported_with_the_fix_and_a_managed_one_follows_the_schemas()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "publication",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric); CREATE TABLE other (id int PRIMARY KEY); CREATE PUBLICATION mine FOR TABLE other;",
            "SELECT 1;");
        var model = h.Model([Schemas.AccountSchema()], []);
        var userManaged = model with { Sources = [model.Sources[0] with { PublicationName = "mine" }] };
        var engine = await h.StartAsync(userManaged);
        Assert.Contains("ALTER PUBLICATION \"mine\" ADD TABLE \"public\".\"accounts\";", engine.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        await h.StopAsync(engine);

        // Managed: created FOR TABLE exactly the schemas' tables (not FOR ALL TABLES), then updated when they change.
        engine = await h.StartAsync(model);
        Assert.Null(engine.GetStatus().Sources.Single().Error);
        Assert.Equal(["public|accounts"], await h.RowsAsync(h.Source, $"SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = '{model.Sources[0].PublicationName}'"));
        await h.StopAsync(engine);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}' AND NOT active") == 1, "the slot released");
        engine = await h.StartAsync(h.Model([Schemas.AccountSchema(), Schema("other", "other", "SELECT :id AS id")], []));
        Assert.Null(engine.GetStatus().Sources.Single().Error);
        Assert.Equal(["public|accounts", "public|other"], await h.RowsAsync(h.Source, $"SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = '{model.Sources[0].PublicationName}' ORDER BY 2"));
    }
}
