using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.Apply;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Apply;

/// <summary>
/// The same events applied set-based and one by one leave identical destinations; a failing event inside a
/// set-based run is reported at its exact position with nothing of the batch committed.
/// </summary>
public sealed class SetBasedApplyTests(PostgresFixture postgres)
{
    private const string DestinationDdl = """
        CREATE TABLE items (
            id bigint PRIMARY KEY, name text, amount numeric(12, 3) CHECK (amount IS NULL OR amount >= 0), at timestamptz,
            doc jsonb, tags text[], flag boolean, code char(3), applied integer NOT NULL DEFAULT 1);
        CREATE TABLE journal (seq bigserial PRIMARY KEY, op text NOT NULL, id bigint, name text, amount numeric);
        CREATE TABLE statements (tbl text NOT NULL, n integer NOT NULL);
        CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO statements VALUES (TG_TABLE_NAME, 1); RETURN NULL; END $$;
        CREATE TRIGGER items_statements AFTER INSERT OR DELETE ON items FOR EACH STATEMENT EXECUTE FUNCTION count_statement();
        CREATE TRIGGER journal_statements AFTER INSERT ON journal FOR EACH STATEMENT EXECUTE FUNCTION count_statement();
        """;

    // Counts every application (a set-based rewrite that merged or dropped events would change "applied").
    private const string Upsert = """
        INSERT INTO items (id, name, amount, at, doc, tags, flag, code) VALUES (:id, :name, :amount, :at, :doc, :tags, :flag, :code)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, at = EXCLUDED.at, doc = EXCLUDED.doc,
            tags = EXCLUDED.tags, flag = EXCLUDED.flag, code = EXCLUDED.code, applied = items.applied + 1
        """;

    private const string Delete = "DELETE FROM items WHERE id = :id";

    private static readonly PublicSchemaKey Source = new("accounts-service", "item", 1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1000, 2000)]
    [InlineData(5, 7)]
    public async Task Set_based_and_per_event_apply_leave_identical_destinations(int pageSize, int batchSize)
    {
        var log = new SourceTransactions(0x1000L);
        var events = log.Events;
        void Txn(params (EventOperation Op, string Json)[] changes) => log.Add(changes);

        static (EventOperation, string) Up(long id, string? name, string amount = "null", string at = "null", string doc = "null", string tags = "null", string flag = "null", string code = "null")
            => (EventOperation.Update, $$"""{"id":{{id}},"name":{{(name is null ? "null" : "\"" + name + "\"")}},"amount":{{amount}},"at":{{at}},"doc":{{doc}},"tags":{{tags}},"flag":{{flag}},"code":{{code}}}""");
        static (EventOperation, string) Del(long id) => (EventOperation.Delete, $$"""{"id":{{id}}}""");

        // Inserts, the same key updated several times in one transaction, deletes and re-inserts, NULLs, numerics
        // (rounded by the column's scale), timestamps with offsets, jsonb, arrays, escapes, a fixed-width char.
        Txn(Up(1, "one", "1.2345", "\"2026-01-01T10:00:00+02:00\"", """{"a":[1,2,{"b":null}]}""", "\"{x,y}\"", "true", "\"ab\""),
            Up(2, "two", "2"), Up(3, null), Up(1, "uno", "1e3"), Up(1, "eins", "0.0005", doc: " 42 "), Del(2), Up(2, "zwei"), Up(4, "quote \\\" and \\\\ and é"));
        Txn(Up(4, "encore é"), Del(1), Del(1), Up(1, "again", flag: "false"), Del(3), Del(99));
        for (var i = 0; i < 30; i++)
        {
            Txn(Up(10 + (i % 4), $"né{i}", $"{i}.5", $"\"2026-02-{1 + (i % 28):00}T00:00:00Z\""), Up(20 + i, $"m{i}"), Del(20 + i - 1));
        }

        var big = Enumerable.Range(0, 1200).Select(i => Up(100 + (i % 700), $"bulk{i}", $"{i}")).ToArray();
        Txn(big);
        Txn(Up(5, "five", code: "\"ab\"", tags: "\"{1,NULL,\\\"q\\\"}\"", doc: "[]"));

        var setBased = await ApplyAsync("diff_set", events, true, pageSize, batchSize);
        var perEvent = await ApplyAsync("diff_each", events, false, pageSize, batchSize);
        await using (setBased)
        await using (perEvent)
        {
            const string Items = "SELECT id, name, amount, at, doc, tags, flag, code, applied FROM items ORDER BY id";
            const string Journal = "SELECT seq, op, id, name, amount FROM journal ORDER BY seq";
            var expected = await RowsAsync(perEvent, Items);
            Assert.Equal(expected, await RowsAsync(setBased, Items));
            Assert.Equal(await RowsAsync(perEvent, Journal), await RowsAsync(setBased, Journal));
            Assert.StartsWith("1|again|null|", expected[0], StringComparison.Ordinal);
            Assert.Contains("2|zwei|", expected[1], StringComparison.Ordinal);
            Assert.EndsWith("|{1,null,q}|null|ab |1", expected.Single(r => r.StartsWith("5|", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.EndsWith("|8", expected.Single(r => r.StartsWith("10|", StringComparison.Ordinal)), StringComparison.Ordinal);

            // One statement per event one by one; far fewer set-based.
            Assert.Equal(events.Count, await ScalarAsync(perEvent, "SELECT count(*) FROM statements WHERE tbl = 'items'"));
            Assert.True(await ScalarAsync(setBased, "SELECT count(*) FROM statements WHERE tbl = 'items'") < events.Count / 3);
            Assert.Equal(events.Count, await ScalarAsync(perEvent, "SELECT count(*) FROM statements WHERE tbl = 'journal'"));
            Assert.True(await ScalarAsync(setBased, "SELECT count(*) FROM statements WHERE tbl = 'journal'") < events.Count / 3);
        }
    }

    [Fact]
    public async Task A_failing_event_inside_a_set_based_run_faults_at_its_exact_position_and_nothing_of_the_batch_is_committed()
    {
        var events = new List<StoredEvent>();
        for (var i = 0; i < 300; i++)
        {
            // Event 7 of the third transaction breaks the CHECK constraint.
            var lsn = 0x2000L + (i / 100 * 0x10);
            var amount = i == 207 ? -1 : i;
            events.Add(new StoredEvent(Source, 0, lsn, i % 100, EventOperation.Insert, $$"""{"id":{{i % 150}},"name":"n{{i}}","amount":{{amount}}}"""));
        }

        var database = await CreateDestinationAsync("fault_set");
        var consumer = Consumer(database);
        var status = new ConsumerStatus(consumer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pump = new ConsumerPump(consumer, new ListSource(events), database.DataSource, new ReJotSyncOptions(), status, new SyncMetrics(), NullLogger.Instance, TimeProvider.System);
        var run = pump.RunAsync(stop.Token);
        await using (database)
        {
            await Eventually.WaitAsync(() => status.Snapshot() is { Faulted: true, Attempts: >= 2 }, "the consumer faulted twice");
            var snapshot = status.Snapshot();
            Assert.Equal(events[207].Position.ToString(), snapshot.FaultedAt);
            Assert.Contains("items_amount_check", snapshot.Error, StringComparison.Ordinal);
            Assert.Equal(0, snapshot.CursorLsn);
            Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM items"));
            Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM rejot_data_store.consumer_cursors"));

            // Fixed at the destination: it catches up through the same events, set-based or not.
            await ScalarAsync(database, "ALTER TABLE items DROP CONSTRAINT items_amount_check");
            await Eventually.WaitAsync(() => status.Snapshot() is { Faulted: false, CursorLsn: 0x2020 }, "the consumer caught up");
            Assert.Equal(150, await ScalarAsync(database, "SELECT count(*) FROM items"));
            Assert.Equal(300, await ScalarAsync(database, "SELECT sum(applied) FROM items"));
            stop.Cancel();
            await run;
        }
    }

    [Fact]
    public async Task Two_spellings_of_one_conflict_key_in_a_run_are_applied_one_by_one_without_a_fault()
    {
        // "1" and "01" are one bigint: the run is not split at the repeat, the statement fails (a row affected
        // twice), and the events are applied again one by one.
        List<StoredEvent> events =
        [
            new(Source, 0, 0x3000, 0, EventOperation.Insert, """{"id":"1","name":"a"}"""),
            new(Source, 0, 0x3000, 1, EventOperation.Insert, """{"id":"01","name":"b"}"""),
            new(Source, 0, 0x3010, 0, EventOperation.Insert, """{"id":2,"name":"c"}"""),
            new(Source, 0, 0x3010, 1, EventOperation.Insert, """{"id":3,"name":"d"}"""),
        ];
        await using var database = await ApplyAsync("spellings", events, true, 1000, 2000);
        Assert.Equal(["1|b|2", "2|c|1", "3|d|1"], await RowsAsync(database, "SELECT id, name, applied FROM items ORDER BY id"));
    }

    [Theory]
    [InlineData(100_000, true)] // one destination transaction: nothing is committed before the fault
    [InlineData(2500, true)] // a commit every three source transactions: those before the fault's stay committed
    [InlineData(2500, false)] // one by one: 500 statements per round trip, the same pipeline
    public async Task A_fault_in_a_later_batch_keeps_only_whole_committed_transactions_and_the_catch_up_equals_per_event_application(int applyBatchSize, bool setBased)
    {
        // 12 source transactions of 900 events over 250 keys (the same keys updated again and again, deletes,
        // re-inserts). At 2000 events per round trip a destination transaction spans several batches, each built
        // while the one before it executes; the event that breaks the constraints is in a later batch.
        const int PerTransaction = 900;
        const int Bad = (7 * PerTransaction) + 333;
        var events = new List<StoredEvent>();
        for (var i = 0; i < 12 * PerTransaction; i++)
        {
            var lsn = 0x5000L + (i / PerTransaction * 0x10);
            var id = i * 7 % 250;
            events.Add(i % 97 == 96
                ? new StoredEvent(Source, 0, lsn, i % PerTransaction, EventOperation.Delete, $$"""{"id":{{id}}}""")
                : new StoredEvent(Source, 0, lsn, i % PerTransaction, EventOperation.Update, $$"""{"id":{{id}},"name":"n{{i}}","amount":{{(i == Bad ? -1 : i)}}}"""));
        }

        await using var database = await CreateDestinationAsync($"pipeline_fault_{applyBatchSize}_{(setBased ? "set" : "each")}");
        await ScalarAsync(database, "ALTER TABLE journal ADD CONSTRAINT journal_amount_check CHECK (amount IS NULL OR amount >= 0)");
        var options = new ReJotSyncOptions { SetBasedApply = setBased, ApplyBatchSize = applyBatchSize, RetryInitialDelay = TimeSpan.FromMilliseconds(50), RetryMaxDelay = TimeSpan.FromMilliseconds(500) };
        var source = new ListSource(events);
        var pumps = new[] { Consumer(database), Journal(database) }.Select(c => (Status: new ConsumerStatus(c), Consumer: c)).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runs = pumps.Select(p => new ConsumerPump(p.Consumer, source, database.DataSource, options, p.Status, new SyncMetrics(), NullLogger.Instance, TimeProvider.System).RunAsync(stop.Token)).ToList();
        Eventually.Describe = () => string.Join("; ", pumps.Select(p => System.Text.Json.JsonSerializer.Serialize(p.Status.Snapshot())));

        await Eventually.WaitAsync(() => pumps.All(p => p.Status.Snapshot() is { Faulted: true, Attempts: >= 2 }), "both consumers faulted twice");
        foreach (var (status, _) in pumps)
        {
            Assert.Equal(events[Bad].Position.ToString(), status.Snapshot().FaultedAt);
        }

        Assert.Contains("items_amount_check", pumps[0].Status.Snapshot().Error, StringComparison.Ordinal);
        Assert.Contains("journal_amount_check", pumps[1].Status.Snapshot().Error, StringComparison.Ordinal);

        // Committed: whole source transactions up to the last commit before the failing one, and the cursors say so.
        var perCommit = (applyBatchSize + PerTransaction - 1) / PerTransaction;
        var committedTransactions = applyBatchSize >= events.Count ? 0 : Bad / PerTransaction / perCommit * perCommit;
        Assert.True(applyBatchSize >= events.Count || committedTransactions > 0);
        var committed = events.Take(committedTransactions * PerTransaction).ToList();
        var expectedCursor = committed.Count == 0 ? 0 : committed[^1].CommitLsn;
        Assert.Equal(committed.Count == 0 ? 0 : 2, await ScalarAsync(database, $"SELECT count(*) FROM rejot_data_store.consumer_cursors WHERE commit_lsn = {expectedCursor}"));
        Assert.Equal(committed.Count == 0 ? 0 : 2, await ScalarAsync(database, "SELECT count(*) FROM rejot_data_store.consumer_cursors"));
        await AssertAppliedOneByOneAsync(database, committed);

        // Fixed at the destination: both catch up, and the result is exactly every event applied once, in order.
        await ScalarAsync(database, "ALTER TABLE items DROP CONSTRAINT items_amount_check; ALTER TABLE journal DROP CONSTRAINT journal_amount_check");
        await Eventually.WaitAsync(() => pumps.All(p => p.Status.Snapshot() is { Faulted: false } s && s.CursorLsn == events[^1].CommitLsn), "both consumers caught up");
        stop.Cancel();
        await Task.WhenAll(runs);
        Assert.Equal(2, await ScalarAsync(database, $"SELECT count(*) FROM rejot_data_store.consumer_cursors WHERE commit_lsn = {events[^1].CommitLsn}"));
        await AssertAppliedOneByOneAsync(database, events);
    }

    [Fact]
    public async Task An_unreadable_event_in_a_later_batch_faults_at_its_exact_position_and_nothing_is_committed()
    {
        // Positional SQL binds the first three fields; one event of the third batch has two.
        var events = new List<StoredEvent>();
        for (var i = 0; i < 6000; i++)
        {
            var json = i == 4321 ? $$"""{"id":{{i}},"name":"n{{i}}"}""" : $$"""{"id":{{i}},"name":"n{{i}}","amount":{{i}}}""";
            events.Add(new StoredEvent(Source, 0, 0x6000 + (i / 1000 * 0x10), i % 1000, EventOperation.Insert, json));
        }

        await using var database = await CreateDestinationAsync("pipeline_unreadable");
        var consumer = new ConsumerSchemaModel("orders-service", "journal", Source, database.Slug, "INSERT INTO journal (op, id, name, amount) VALUES ('upsert', $1, $2, $3)", null);
        var status = new ConsumerStatus(consumer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new ReJotSyncOptions { ApplyBatchSize = 100_000 };
        var run = new ConsumerPump(consumer, new ListSource(events), database.DataSource, options, status, new SyncMetrics(), NullLogger.Instance, TimeProvider.System).RunAsync(stop.Token);
        await Eventually.WaitAsync(() => status.Snapshot() is { Faulted: true }, "the consumer faulted");
        stop.Cancel();
        await run;
        Assert.Equal(events[4321].Position.ToString(), status.Snapshot().FaultedAt);
        Assert.Contains("has only 2 field(s)", status.Snapshot().Error, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM journal"));
        Assert.Equal(0, await ScalarAsync(database, "SELECT count(*) FROM rejot_data_store.consumer_cursors"));
    }

    /// <summary>Items and journal hold exactly what applying <paramref name="events"/> one by one, in order, leaves.</summary>
    private static async Task AssertAppliedOneByOneAsync(Destination database, IReadOnlyList<StoredEvent> events)
    {
        var items = new SortedDictionary<long, (string Name, long Amount, int Applied)>();
        var journal = new List<string>();
        foreach (var e in events)
        {
            using var json = System.Text.Json.JsonDocument.Parse(e.ObjectJson);
            var id = json.RootElement.GetProperty("id").GetInt64();
            if (e.Operation == EventOperation.Delete)
            {
                items.Remove(id);
                journal.Add($"delete|{id}|null|null");
                continue;
            }

            var name = json.RootElement.GetProperty("name").GetString()!;
            var amount = json.RootElement.GetProperty("amount").GetInt64();
            items[id] = (name, amount, items.TryGetValue(id, out var old) ? old.Applied + 1 : 1);
            journal.Add($"upsert|{id}|{name}|{amount}");
        }

        Assert.Equal(items.Select(i => $"{i.Key}|{i.Value.Name}|{i.Value.Amount}|{i.Value.Applied}").ToList(), await RowsAsync(database, "SELECT id, name, amount::bigint, applied FROM items ORDER BY id"));
        Assert.Equal(journal, await RowsAsync(database, "SELECT op, id, name, amount::bigint FROM journal ORDER BY seq"));
    }

    private static ConsumerSchemaModel Journal(Destination database)
        => new("orders-service", "journal", Source, database.Slug,
            "INSERT INTO journal (op, id, name, amount) VALUES ('upsert', :id, :name, :amount)", "INSERT INTO journal (op, id) VALUES ('delete', :id)");

    // The ShopJot example's destination tables (examples/ShopJot.Orders/OrdersService.cs, ShopJot.Accounts/AccountsService.cs).
    internal const string ShopJotKnownAccounts = "known_accounts (id bigint PRIMARY KEY, name text NOT NULL)";
    internal const string ShopJotAccountOrders = "account_orders (order_id bigint PRIMARY KEY, account_id bigint NOT NULL, total numeric NOT NULL)";

    private const string ExcludedDdl = $$"""
        CREATE TABLE statements (tbl text NOT NULL, n integer NOT NULL);
        CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO statements VALUES (TG_TABLE_NAME, 1); RETURN NULL; END $$;
        CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
        CREATE TABLE {{ShopJotKnownAccounts}};
        CREATE TABLE {{ShopJotAccountOrders}};
        -- Type modifiers (rounded, padded, trimmed on insert), NULLs, an update that reads the old row and a WHERE.
        CREATE TABLE wide (
            id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12, 3), at timestamptz, code char(3), label varchar(5),
            note text, applied integer NOT NULL DEFAULT 1, history text NOT NULL DEFAULT '');
        -- Where EXCLUDED would differ: a BEFORE INSERT trigger changes the row; a rounded value used in an expression.
        CREATE TABLE shouted (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TRIGGER shouted_shout BEFORE INSERT ON shouted FOR EACH ROW EXECUTE FUNCTION shout();
        CREATE TABLE scaled (id bigint PRIMARY KEY, amount numeric(12, 3), twice numeric);
        -- A collation of its own: upper() of EXCLUDED.name would use it, upper(:name) uses the default (C in tests).
        CREATE TABLE collated (id bigint PRIMARY KEY, name text COLLATE "C.utf8" NOT NULL, shout text);
        """;

    private static readonly string[] ExcludedTables = ["known_accounts", "account_orders", "wide", "shouted", "scaled", "collated"];

    [Theory]
    [InlineData(1000, 2000)]
    [InlineData(7, 5)]
    public async Task Placeholders_in_do_update_apply_set_based_as_excluded_with_the_same_result_as_one_by_one(int pageSize, int batchSize)
    {
        var log = new SourceTransactions(0x5000L);
        var events = log.Events;
        void Txn(params (EventOperation Op, string Json)[] changes) => log.Add(changes);

        static string Text(string? value) => value is null ? "null" : System.Text.Json.JsonSerializer.Serialize(value);
        static (EventOperation, string) Up(long id, string name, string total = "1", string amount = "null", string? at = null, string? code = null, string? label = null, string? note = null)
            => (EventOperation.Update, $$"""{"id":{{id}},"name":{{Text(name)}},"accountId":{{id % 3}},"total":{{total}},"amount":{{amount}},"at":{{Text(at)}},"code":{{Text(code)}},"label":{{Text(label)}},"note":{{Text(note)}}}""");
        static (EventOperation, string) Del(long id) => (EventOperation.Delete, $$"""{"id":{{id}}}""");

        // Inserts; the same key updated again and again in one transaction (the run splits there); deletes and
        // re-inserts; NULLs; numerics that keep their scale (1.10) or are rounded by the column (0.0005, 1e3);
        // timestamps with offsets and infinity; quotes, backslashes and non-ASCII; char(3) padding; varchar(5)
        // trimming trailing spaces.
        Txn(Up(1, "one", "1.10", "1.2345", "2026-01-01T10:00:00+02:00", "ab", "lbl", "it's \"quoted\" \\ here"),
            Up(2, "two", "2"), Up(3, "three", "-0"), Up(1, "uno", "1e3", "0.0005", "infinity", "a", "ab    "), Up(1, "eins", "0.0005", "1e3", "2026-06-30 23:59:59.999999-11:30"),
            Del(2), Up(2, "zwei", "99999999999999999999.000000001"), Up(4, "quote ' and é and ☃", note: "x"));
        Txn(Up(4, "encore é"), Del(1), Del(1), Up(1, "again", amount: "123456789.1235", code: "xyz", label: "abcde"), Del(3), Del(99));
        for (var i = 0; i < 40; i++)
        {
            Txn(Up(10 + (i % 4), $"né{i}", $"{i}.50", $"{i}.0005", $"2026-02-{1 + (i % 28):00}T00:00:00Z", i % 2 == 0 ? null : "c", $"l{i}  ", i % 3 == 0 ? null : $"note {i}"),
                Up(20 + i, $"m{i}"), Del(20 + i - 1));
        }

        Txn(Enumerable.Range(0, 900).Select(i => Up(100 + (i % 300), $"bulk{i}", $"{i}.{i}", $"0.{i:0000}", note: i % 5 == 0 ? null : "n")).ToArray());

        ConsumerSchemaModel[] Consumers(Destination database) =>
        [
            new("orders-service", "accounts-into-orders", Source, database.Slug, SetBasedSqlTests.ShopJotAccountsIntoOrders, "DELETE FROM known_accounts WHERE id = :id"),
            new("accounts-service", "orders-into-accounts", Source, database.Slug, SetBasedSqlTests.ShopJotOrdersIntoAccounts, "DELETE FROM account_orders WHERE order_id = :id"),
            new("orders-service", "wide", Source, database.Slug, """
                INSERT INTO wide (id, name, amount, at, code, label, note) VALUES (:id, :name, :amount, :at, :code, :label, :note)
                ON CONFLICT (id) DO UPDATE SET name = :name || '/' || wide.name, amount = :amount, at = :at, code = :code, label = :label,
                    note = coalesce(:note, wide.note), applied = wide.applied + 1, history = wide.history || ',' || coalesce(:at::text, '-') || coalesce(:note, '-')
                WHERE wide.name <> 'frozen' OR :note IS NOT NULL
                """, "DELETE FROM wide WHERE id = :id"),
            new("orders-service", "shouted", Source, database.Slug,
                "INSERT INTO shouted (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name", "DELETE FROM shouted WHERE id = :id"),
            new("orders-service", "scaled", Source, database.Slug,
                "INSERT INTO scaled (id, amount) VALUES (:id, :amount) ON CONFLICT (id) DO UPDATE SET amount = :amount, twice = :amount * 2", "DELETE FROM scaled WHERE id = :id"),
            new("orders-service", "collated", Source, database.Slug,
                "INSERT INTO collated (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name, shout = upper(:name)", "DELETE FROM collated WHERE id = :id"),
        ];

        var logs = new ListLogger();
        var setBased = await ApplyAsync("excl_set", events, true, pageSize, batchSize, ExcludedDdl + Counting(), Consumers, logs);
        var perEvent = await ApplyAsync("excl_each", events, false, pageSize, batchSize, ExcludedDdl + Counting(), Consumers);
        await using (setBased)
        await using (perEvent)
        {
            foreach (var table in ExcludedTables)
            {
                var key = table == "account_orders" ? "order_id" : "id";
                var query = $"SELECT {table}::text FROM {table} ORDER BY {key}";
                var expected = await RowsAsync(perEvent, query);
                Assert.NotEmpty(expected);
                Assert.Equal(expected, await RowsAsync(setBased, query));
            }

            // The rows show what EXCLUDED would have got wrong: the trigger's upper case only on insert, the
            // unrounded amount doubled.
            Assert.Equal(["(10,né36)"], await RowsAsync(perEvent, "SELECT shouted::text FROM shouted WHERE id = 10"));
            Assert.Equal(["(10,36.001,72.0010)"], await RowsAsync(perEvent, "SELECT scaled::text FROM scaled WHERE id = 10"));
            Assert.Equal(["(10,né36,Né36)"], await RowsAsync(perEvent, "SELECT collated::text FROM collated WHERE id = 10"));
            Assert.StartsWith("(1,again,123456789.124,,xyz,abcde,,1,", (await RowsAsync(perEvent, "SELECT wide::text FROM wide WHERE id = 1"))[0], StringComparison.Ordinal);
            Assert.StartsWith("(10,né36/né32/né28/", (await RowsAsync(perEvent, "SELECT wide::text FROM wide WHERE id = 10"))[0], StringComparison.Ordinal);

            // One by one: one statement per upsert. Set-based: far fewer, except where EXCLUDED is refused.
            var upserts = events.Count(e => e.Operation != EventOperation.Delete);
            foreach (var table in ExcludedTables)
            {
                var statements = $"SELECT count(*) FROM statements WHERE tbl = '{table}'";
                Assert.Equal(upserts, await ScalarAsync(perEvent, statements));
                if (table is "shouted" or "scaled" or "collated")
                {
                    Assert.Equal(upserts, await ScalarAsync(setBased, statements));
                }
                else
                {
                    Assert.True(await ScalarAsync(setBased, statements) < upserts / 3, table);
                }
            }

            var perEventLogs = logs.Messages.Where(m => m.Id == 1206).Select(m => m.Message).ToList();
            Assert.Equal(3, perEventLogs.Count);
            Assert.Contains(perEventLogs, m => m.Contains("shouted: sql is applied one event at a time", StringComparison.Ordinal)
                && m.Contains("uses :name and a BEFORE INSERT row trigger (shouted_shout on shouted)", StringComparison.Ordinal));
            Assert.Contains(perEventLogs, m => m.Contains("scaled: sql is applied one event at a time", StringComparison.Ordinal)
                && m.Contains("uses :amount, but column amount has a type modifier", StringComparison.Ordinal));
            Assert.Contains(perEventLogs, m => m.Contains("collated: sql is applied one event at a time", StringComparison.Ordinal)
                && m.Contains("uses :name, but column name has a collation of its own", StringComparison.Ordinal));
        }

        static string Counting() => string.Concat(ExcludedTables.Select(t =>
            $"CREATE TRIGGER {t}_statements AFTER INSERT ON {t} FOR EACH STATEMENT EXECUTE FUNCTION count_statement();\n"));
    }

    [Fact]
    public async Task The_target_catalog_has_types_modifiers_collations_generated_columns_and_before_insert_triggers_of_partitions()
    {
        await using var database = await CreateDestinationAsync("excl_catalog", """
            CREATE SCHEMA "My Schema";
            CREATE TABLE "My Schema"."Parts" (id bigint, "Name" varchar(5) COLLATE "C.utf8", amount numeric(12, 3), twice bigint GENERATED ALWAYS AS (id * 2) STORED, gone int, tags text[])
                PARTITION BY RANGE (id);
            ALTER TABLE "My Schema"."Parts" DROP COLUMN gone;
            CREATE TABLE "My Schema".low PARTITION OF "My Schema"."Parts" FOR VALUES FROM (0) TO (100);
            CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER on_low BEFORE INSERT ON "My Schema".low FOR EACH ROW EXECUTE FUNCTION keep();
            CREATE TRIGGER after_low AFTER INSERT ON "My Schema".low FOR EACH ROW EXECUTE FUNCTION keep();
            CREATE TRIGGER statement_low BEFORE INSERT ON "My Schema".low FOR EACH STATEMENT EXECUTE FUNCTION keep();
            CREATE TRIGGER update_low BEFORE UPDATE ON "My Schema".low FOR EACH ROW EXECUTE FUNCTION keep();
            CREATE VIEW parts_view AS SELECT * FROM "My Schema"."Parts";
            """);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);

        var parts = await SetBasedTarget.ReadAsync(connection, "\"My Schema\".\"Parts\"", Ct);
        Assert.NotNull(parts);
        Assert.Equal("p", parts.Kind);
        Assert.Equal(["on_low on \"My Schema\".low"], parts.BeforeInsertRowTriggers);
        Assert.Equal(["Name", "amount", "id", "tags", "twice"], parts.Columns.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new SetBasedTargetColumn("pg_catalog.int8", -1, false, true), parts.Columns["id"]);
        Assert.Equal(new SetBasedTargetColumn("pg_catalog.\"varchar\"", 9, false, false), parts.Columns["Name"]);
        Assert.Equal(new SetBasedTargetColumn("pg_catalog.\"numeric\"", 786439, false, true), parts.Columns["amount"]);
        Assert.True(parts.Columns["twice"].Generated);
        Assert.Equal("pg_catalog._text", parts.Columns["tags"].Type);

        Assert.Equal("v", (await SetBasedTarget.ReadAsync(connection, "parts_view", Ct))?.Kind);
        Assert.Null(await SetBasedTarget.ReadAsync(connection, "missing", Ct));
    }

    private static ConsumerSchemaModel Consumer(Destination database, string upsert = Upsert)
        => new("orders-service", "items", Source, database.Slug, upsert, Delete);

    private Task<Destination> ApplyAsync(string name, IReadOnlyList<StoredEvent> events, bool setBased, int pageSize, int batchSize)
        => ApplyAsync(name, events, setBased, pageSize, batchSize, DestinationDdl, database =>
        [Consumer(database), Journal(database)]);

    private async Task<Destination> ApplyAsync(string name, IReadOnlyList<StoredEvent> events, bool setBased, int pageSize, int batchSize,
        string ddl, Func<Destination, ConsumerSchemaModel[]> consumers, ILogger? logger = null)
    {
        var database = await CreateDestinationAsync(name, ddl);
        var options = new ReJotSyncOptions { SetBasedApply = setBased, ReadPageSize = pageSize, ApplyBatchSize = batchSize };
        var source = new ListSource(events);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pumps = consumers(database).Select(c => (Status: new ConsumerStatus(c), Consumer: c)).ToList();
        var runs = pumps.Select(p => new ConsumerPump(p.Consumer, source, database.DataSource, options, p.Status, new SyncMetrics(), logger ?? NullLogger.Instance, TimeProvider.System).RunAsync(stop.Token)).ToList();
        Eventually.Describe = () => string.Join("; ", pumps.Select(p => System.Text.Json.JsonSerializer.Serialize(p.Status.Snapshot())));
        await Eventually.WaitAsync(() => pumps.All(p => p.Status.Snapshot() is { Faulted: false } s && s.CursorLsn == events[^1].CommitLsn), $"{name}: every event applied");
        stop.Cancel();
        await Task.WhenAll(runs);
        return database;
    }

    private async Task<Destination> CreateDestinationAsync(string name, string destinationDdl = DestinationDdl)
    {
        var connectionString = await postgres.CreateDatabaseAsync(name);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 };
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var ddl = dataSource.CreateCommand(destinationDdl))
        {
            await ddl.ExecuteNonQueryAsync(Ct);
        }

        await DestinationCursors.MigrateAsync(dataSource, Ct);
        return new Destination(name, dataSource);
    }

    private static async Task<long> ScalarAsync(Destination database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> RowsAsync(Destination database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : reader.GetProviderSpecificValue(i) switch
            {
                Array array => "{" + string.Join(',', array.Cast<object?>().Select(v => v?.ToString() ?? "null")) + "}",
                DateTime t => t.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            })));
        }

        return rows;
    }

    private sealed record Destination(string Slug, NpgsqlDataSource DataSource) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }

    /// <summary>A fixed list of events; waiting for more never completes (until cancelled).</summary>
    private sealed class ListSource(IReadOnlyList<StoredEvent> events) : IEventSource
    {
        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey schema, EventPosition after, int limit, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<StoredEvent>>(events.Where(e => e.Position.CompareTo(after) > 0).Take(limit).ToList());

        public Task WaitForEventsAsync(PublicSchemaKey schema, EventPosition after, CancellationToken cancellationToken)
            => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>Keeps every log entry's event id and message.</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly ConcurrentQueue<(int Id, string Message)> _messages = new();

        public IReadOnlyList<(int Id, string Message)> Messages => [.. _messages];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _messages.Enqueue((eventId.Id, formatter(state, exception)));
    }

    /// <summary>Events of consecutive source transactions (one commit LSN each, indexes from 0).</summary>
    private sealed class SourceTransactions(long lsn)
    {
        public List<StoredEvent> Events { get; } = [];

        public void Add((EventOperation Op, string Json)[] changes)
        {
            lsn += 0x10;
            for (var i = 0; i < changes.Length; i++)
            {
                Events.Add(new StoredEvent(Source, 0, lsn, i, changes[i].Op, changes[i].Json));
            }
        }
    }
}
