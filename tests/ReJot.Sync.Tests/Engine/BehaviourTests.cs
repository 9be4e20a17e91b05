using ReJot.Sync.EventStore;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

public sealed class BehaviourTests(PostgresFixture postgres)
{
    private const string SourceDdl = """
        CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE emails (id bigint PRIMARY KEY, account_id bigint NOT NULL, email text NOT NULL);
        """;

    private const string DestinationDdl = """
        CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE applied (seq bigserial PRIMARY KEY, consumer text NOT NULL, op text NOT NULL, id bigint NOT NULL, name text);
        CREATE TABLE counts (id bigint PRIMARY KEY, n integer NOT NULL);
        """;

    private const string Upsert = "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance";
    private const string Delete = "DELETE FROM order_accounts WHERE id = :id";

    private static string Log(string consumer) => $"INSERT INTO applied (consumer, op, id, name) VALUES ('{consumer}', 'upsert', :id, :name)";

    private static string LogDelete(string consumer) => $"INSERT INTO applied (consumer, op, id) VALUES ('{consumer}', 'delete', :id)";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_multi_row_multi_table_transaction_keeps_wal_order_and_a_row_deleted_before_its_transform_does_not_stall()
    {
        // Transformations that query read current state: the first insert of 1 already sees 'uno'; account 3 was
        // gone by the time its insert was transformed, so that insert yields nothing while its delete is published.
        // (The cast makes the account transformation a query rather than a projection of the WAL row.)
        await AssertOrderAsync(
            "order",
            "SELECT id, name, balance::numeric AS balance FROM accounts WHERE id = :id",
            ["upsert|1|uno", "upsert|2|two", "upsert|1|uno", "upsert|2|two", "delete|3|null", "upsert|4|four"]);
    }

    [Fact]
    public async Task A_projection_publishes_each_row_as_of_its_change_in_wal_order_next_to_a_query_of_another_table()
    {
        // The account transformation is a projection: each event is the row as decoded (1 is 'one' then 'uno',
        // 3 is published before its delete). The emails transformation still queries the current account row.
        await AssertOrderAsync(
            "order_projection",
            "SELECT id, name, balance FROM accounts WHERE id = :id",
            ["upsert|1|one", "upsert|2|two", "upsert|1|uno", "upsert|2|two", "upsert|3|three", "delete|3|null", "upsert|4|four"]);
    }

    private async Task AssertOrderAsync(string name, string accountSql, string[] expected)
    {
        await using var h = await SyncHarness.CreateAsync(postgres, name, SourceDdl, DestinationDdl);
        // The account contract is also re-published when one of its emails changes (a second table).
        var schema = Schemas.AccountSchema(accountSql,
        [
            new(TransformOperation.Insert, TableName.Parse("public.emails"), "SELECT a.id, a.name, a.balance FROM accounts a WHERE a.id = :account_id"),
        ]);
        await h.StartAsync(h.Model([schema], [Schemas.Consumer("log", Log("log"), LogDelete("log"))]));

        await h.ExecuteAsync(h.Source, """
            BEGIN;
            INSERT INTO accounts VALUES (1, 'one', 1), (2, 'two', 2);
            UPDATE accounts SET name = 'uno' WHERE id = 1;
            INSERT INTO emails VALUES (10, 2, 'two@example.com');
            INSERT INTO accounts VALUES (3, 'three', 3);
            DELETE FROM accounts WHERE id = 3;
            COMMIT;
            INSERT INTO accounts VALUES (4, 'four', 4);
            """);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE id = 4") == 1, "the transaction after the one with a vanished row");
        Assert.Equal(expected, await h.RowsAsync(h.Destination, "SELECT op, id, name FROM applied ORDER BY seq"));
    }

    [Fact]
    public async Task Several_consumers_of_one_public_schema_and_two_public_schemas_from_one_table_each_get_every_event()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "fanout", SourceDdl, DestinationDdl);
        var names = new PublicSchemaModel(new PublicSchemaKey("accounts-service", "account-name", 2), 1, "source",
            """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id","name"]}""", ["id"],
            [new(TransformOperation.Insert, TableName.Parse("accounts"), "SELECT id, upper(name) AS name FROM accounts WHERE id = $1")]);
        var engine = await h.StartAsync(h.Model(
            [Schemas.AccountSchema(), names],
            [
                Schemas.Consumer("a", Log("a"), LogDelete("a")),
                Schemas.Consumer("b", Log("b"), null),
                Schemas.Consumer("upper", Log("upper"), null, names.Key),
            ]));

        // Separate transactions (a multi-statement command is one transaction, and 1 would be gone before its insert is transformed).
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'ada', NULL)");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'bob', NULL)");
        // Transformations read current rows: let the inserts be transformed before the row goes away.
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied") == 6, "the inserts");
        await h.ExecuteAsync(h.Source, "DELETE FROM accounts WHERE id = 1");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied") == 7, "all consumers");
        Assert.Equal(["upsert|1|ada", "upsert|2|bob", "delete|1|null"], await h.RowsAsync(h.Destination, "SELECT op, id, name FROM applied WHERE consumer = 'a' ORDER BY seq"));
        Assert.Equal(["upsert|1|ada", "upsert|2|bob"], await h.RowsAsync(h.Destination, "SELECT op, id, name FROM applied WHERE consumer = 'b' ORDER BY seq"));
        Assert.Equal(["upsert|1|ADA", "upsert|2|BOB"], await h.RowsAsync(h.Destination, "SELECT op, id, name FROM applied WHERE consumer = 'upper' ORDER BY seq"));
        Assert.Equal(3, (await h.RowsAsync(h.Destination, "SELECT * FROM rejot_data_store.consumer_cursors")).Count);
        await Eventually.WaitAsync(() => engine.GetStatus().Consumers.All(c => c.CursorLsn > 0), "every cursor reported");
    }

    [Fact]
    public async Task A_failing_consumer_is_reported_faulted_retries_and_catches_up_without_skipping_while_others_continue()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "faulted", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(h.Model(
            [Schemas.AccountSchema()],
            [
                Schemas.Consumer("broken", "INSERT INTO not_yet (id, name) VALUES (:id, :name)", null),
                Schemas.Consumer("healthy", Upsert, Delete),
            ]));

        for (var i = 1; i <= 5; i++)
        {
            await h.ExecuteAsync(h.Source, $"INSERT INTO accounts VALUES ({i}, 'n{i}', {i})");
        }

        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 5, "the healthy consumer");
        await Eventually.WaitAsync(() => engine.GetStatus().Consumers.Single(c => c.Name == "broken") is { Faulted: true, Attempts: >= 2 }, "the broken consumer faulted and retrying");
        var broken = engine.GetStatus().Consumers.Single(c => c.Name == "broken");
        Assert.Contains("not_yet", broken.Error, StringComparison.Ordinal);
        Assert.NotNull(broken.FaultedAt);
        Assert.Equal(0, broken.CursorLsn);

        await h.ExecuteAsync(h.Destination, "CREATE TABLE not_yet (id bigint PRIMARY KEY, name text)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM not_yet") == 5, "the fixed consumer caught up");
        await Eventually.WaitAsync(() => !engine.GetStatus().Consumers.Single(c => c.Name == "broken").Faulted, "the fault cleared");
        Assert.Equal(["1", "2", "3", "4", "5"], await h.RowsAsync(h.Destination, "SELECT id FROM not_yet ORDER BY id"));
    }

    [Fact]
    public async Task Restarting_the_engine_mid_stream_loses_nothing_and_applies_nothing_twice()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "restart", SourceDdl, DestinationDdl);
        h.Options.ApplyBatchSize = 7;
        h.Options.ReadPageSize = 5;
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("counter", "INSERT INTO counts (id, n) VALUES (:id, 1) ON CONFLICT (id) DO UPDATE SET n = counts.n + 1", null)]);
        var engine = await h.StartAsync(model);

        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= 400; i++)
            {
                await h.ExecuteAsync(h.Source, $"INSERT INTO accounts VALUES ({i}, 'n{i}', NULL)");
            }
        }, Ct);

        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM counts") >= 50, "some progress before the stop");
        await h.StopAsync(engine);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}' AND NOT active") == 1, "the slot released");
        engine = await h.StartAsync(model);
        await writer;

        var describe = Eventually.Describe;
        Eventually.Describe = () => $"{describe?.Invoke()} events={h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.events").Result} counts={h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM counts").Result} missing={string.Join(",", h.RowsAsync(h.Source, "SELECT a.id FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM rejot_events.events e WHERE (e.object->>'id')::bigint = a.id) ORDER BY 1").Result)}";
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM counts") == 400, "all 400 rows", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM counts WHERE n <> 1"));
        await using var store = new PostgresEventStore(h.Source);
        var all = new List<StoredEvent>();
        var after = EventPosition.Start;
        while (true)
        {
            var page = await store.ReadEventsAsync(Schemas.Account, after, 1000, Ct);
            if (page.Count == 0)
            {
                break;
            }

            all.AddRange(page);
            after = page[^1].Position;
        }

        Assert.Equal(400, all.Count);
        Assert.Equal(400, all.Select(e => e.CommitLsn).Distinct().Count());
    }

    [Fact]
    public async Task A_store_commit_failing_while_the_next_group_is_written_loses_nothing_and_stores_nothing_twice()
    {
        // A backlog is stored in groups, each committing while the next one is transformed and written. A deferred
        // constraint trigger fails exactly one group at COMMIT (the sequence is not rolled back, so it fires once).
        await using var h = await SyncHarness.CreateAsync(postgres, "groupfail", SourceDdl, DestinationDdl);
        var model = h.Model([Schemas.AccountSchema()], []);
        var engine = await h.StartAsync(model);
        await h.StopAsync(engine);
        await h.ExecuteAsync(h.Source, """
            CREATE SEQUENCE rejot_fail;
            CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('rejot_fail') = 1500 THEN RAISE EXCEPTION 'injected commit failure'; END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER fail_once AFTER INSERT ON rejot_events.events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_once();
            INSERT INTO accounts SELECT g, 'n', 0 FROM generate_series(1, 10) g;
            """);
        const int Updates = 3000;
        await h.ExecuteAsync(h.Source, $$"""
            DO $$ BEGIN
                FOR i IN 1..{{Updates}} LOOP
                    UPDATE accounts SET balance = balance + 1 WHERE id = 1 + i % 10;
                    COMMIT;
                END LOOP;
            END $$;
            """);

        engine = await h.StartAsync(model);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.events") >= Updates + 10, "every transaction stored", TimeSpan.FromSeconds(90));
        await h.StopAsync(engine);

        // The failure happened (rows of the failed group were inserted again after it).
        Assert.True(await h.ScalarAsync<long>(h.Source, "SELECT last_value FROM rejot_fail") > Updates + 10);
        Assert.Equal(Updates + 10, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.events"));
        Assert.Equal(Updates + 1, await h.ScalarAsync<long>(h.Source, "SELECT count(DISTINCT commit_lsn) FROM rejot_events.events"));
        // Per account, the balances seen are exactly 0 (the insert), 1, 2, ... in commit order: no gap, no repeat.
        var gaps = await h.RowsAsync(h.Source, """
            SELECT id, b, expected FROM (
                SELECT (object->>'id')::bigint AS id, (object->>'balance')::numeric AS b,
                       row_number() OVER (PARTITION BY object->>'id' ORDER BY commit_lsn, idx) - 1 AS expected
                FROM rejot_events.events) e
            WHERE b <> expected
            """);
        Assert.Empty(gaps);
        Assert.Equal(
            await h.ScalarAsync<long>(h.Source, "SELECT commit_lsn FROM rejot_events.events ORDER BY commit_lsn DESC LIMIT 1"),
            await h.ScalarAsync<long>(h.Source, "SELECT commit_lsn FROM rejot_events.source_positions"));
    }

    [Fact]
    public async Task Truncate_is_reported_loudly_and_the_source_keeps_going()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "truncate", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 1, "the first row");

        await h.ExecuteAsync(h.Source, "TRUNCATE accounts; INSERT INTO accounts VALUES (2, 'b', NULL);");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 2, "the row after the truncate");
        var warning = Assert.Single(engine.GetStatus().Sources.Single().Warnings);
        Assert.Contains("TRUNCATE of public.accounts", warning, StringComparison.Ordinal);
        Assert.Contains("accounts-service->account@1", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_without_usable_replica_identity_stops_the_source_with_the_fix_and_recovers_once_fixed()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "identity", "CREATE TABLE accounts (id bigint NOT NULL, name text NOT NULL, balance numeric);", DestinationDdl);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        var source = engine.GetStatus().Sources.Single();
        Assert.False(source.Running);
        Assert.Contains("ALTER TABLE public.accounts REPLICA IDENTITY FULL;", source.Error, StringComparison.Ordinal);
        // The table was not added to a publication, so the application's updates still work.
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL); UPDATE accounts SET name = 'b';");

        await h.ExecuteAsync(h.Source, "ALTER TABLE accounts REPLICA IDENTITY FULL");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Running, "the source recovered");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'c', NULL); UPDATE accounts SET name = 'd' WHERE id = 2; DELETE FROM accounts WHERE id = 2;");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (3, 'e', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts WHERE id = 3") == 1, "rows after the fix");
        Assert.Equal(["3|e"], await h.RowsAsync(h.Destination, "SELECT id, name FROM order_accounts ORDER BY id"));
    }

    [Fact]
    public async Task An_object_that_breaks_the_contract_stops_the_source_before_anything_reaches_consumers()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "invalid", SourceDdl, DestinationDdl);
        var schema = Schemas.AccountSchema("SELECT id, name, balance, 'extra' AS surprise FROM accounts WHERE id = :id");
        var engine = await h.StartAsync(h.Model([schema], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is not null, "the source error");
        Assert.Contains("does not match the contract", engine.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        Assert.Empty(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
        Assert.Equal(0, (await engine.EventStore.GetSourcePositionAsync("source", Ct))?.CommitLsn ?? 0);
        Assert.Equal(0, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts"));
    }

    [Fact]
    public async Task A_slot_that_disappears_while_the_event_store_has_a_position_is_a_loud_error_not_a_silent_new_slot()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "slotlost", SourceDdl, DestinationDdl);
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]);
        var engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 1, "the first row");
        await h.StopAsync(engine);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}' AND NOT active") == 1, "the slot released");
        await h.ExecuteAsync(h.Source, $"SELECT pg_drop_replication_slot('{h.SlotName}')");

        engine = await h.StartAsync(model);
        var error = engine.GetStatus().Sources.Single().Error;
        Assert.Contains("but the event store has a position for it", error, StringComparison.Ordinal);
        Assert.Equal(0, await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}'"));
    }
}
