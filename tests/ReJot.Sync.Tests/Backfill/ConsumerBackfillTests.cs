using ReJot.Sync.Backfill;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;
using TestSchemas = ReJot.Sync.Tests.Engine.Schemas;

namespace ReJot.Sync.Tests.Backfill;

/// <summary>Backfills for one consumer only, and consumers that start at the end of the stream.</summary>
public sealed class ConsumerBackfillTests(PostgresFixture postgres)
{
    private const string SourceDdl = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";

    private const string DestinationDdl = """
        CREATE TABLE a_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE b_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE applied (seq bigserial PRIMARY KEY, consumer text NOT NULL, op text NOT NULL, id bigint NOT NULL);
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ConsumerSchemaModel Sink(string name, string table) => TestSchemas.Consumer(
        name,
        $"WITH l AS (INSERT INTO applied (consumer, op, id) VALUES ('{name}', 'upsert', :id)) INSERT INTO {table} (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance",
        $"WITH l AS (INSERT INTO applied (consumer, op, id) VALUES ('{name}', 'delete', :id)) DELETE FROM {table} WHERE id = :id");

    private static SyncModel Model(SyncHarness h, params ConsumerSchemaModel[] consumers) => h.Model(
        [TestSchemas.AccountSchema(extra: new TransformationModel(TransformOperation.Delete, TableName.Parse("accounts"), "SELECT :id AS id"))],
        consumers);

    private static async Task<BackfillRecord> WaitForStateAsync(SyncEngine engine, long id, string status)
    {
        BackfillRecord? record = null;
        await Eventually.WaitAsync(async () => (record = await engine.Backfills!.Store.GetAsync(id, Ct))?.Status == status, $"backfill {id} {status}", TimeSpan.FromMinutes(4));
        return record!;
    }

    private static async Task WaitForEqualAsync(SyncHarness h, string table)
    {
        List<string> source = [], sink = [];
        await Eventually.WaitAsync(
            async () =>
            {
                source = await h.RowsAsync(h.Source, "SELECT id, name, balance FROM accounts ORDER BY id");
                sink = await h.RowsAsync(h.Destination, $"SELECT id, name, balance FROM {table} ORDER BY id");
                return source.SequenceEqual(sink);
            },
            $"{table} to equal the source",
            TimeSpan.FromMinutes(3));
        Assert.Equal(source, sink);
    }

    [Fact]
    public async Task A_backfill_for_one_consumer_under_concurrent_changes_fills_only_that_consumer_and_the_other_gets_live_changes_only()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_for_one", SourceDdl, DestinationDdl);
        h.Options.BackfillChunkSize = 150;
        const int Rows = 4_000;
        await h.ExecuteAsync(h.Source, $"INSERT INTO accounts SELECT i, 'initial ' || i, i FROM generate_series(1, {Rows}) AS i");
        var model = Model(h, Sink("a", "a_accounts"), Sink("b", "b_accounts"));
        var engine = await h.StartAsync(model);

        var consumerA = BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "a", remote: false);
        Assert.Equal("orders-service/a", consumerA);
        var (record, created) = await engine.Backfills!.RequestAsync(TestSchemas.Account, null, consumerA, "test", Ct);
        Assert.True(created);
        Assert.Equal("orders-service/a", record.ForConsumer);

        // A backfill for everyone is a different target: it may run beside the one for A.
        var (forA, again) = await engine.Backfills.RequestAsync(TestSchemas.Account, null, consumerA, "test", Ct);
        Assert.False(again);
        Assert.Equal(record.Id, forA.Id);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var deleted = new System.Collections.Concurrent.ConcurrentBag<long>();
        var updated = new System.Collections.Concurrent.ConcurrentBag<long>();
        async Task WriteAsync(int seed)
        {
            var random = new Random(seed);
            long seen = -1;
            while (!stop.IsCancellationRequested)
            {
                var current = (await engine.Backfills!.Store.GetAsync(record.Id, Ct))!;
                if (current.Chunks == seen)
                {
                    await Task.Delay(10, Ct);
                    continue;
                }

                seen = current.Chunks;
                for (var i = 0; i < 8; i++)
                {
                    var id = Math.Clamp(current.RowsRead + random.Next(-100, 400), 1, Rows);
                    if (random.Next(4) == 0)
                    {
                        await h.ExecuteAsync(h.Source, $"DELETE FROM accounts WHERE id = {id}");
                        deleted.Add(id);
                    }
                    else
                    {
                        await h.ExecuteAsync(h.Source, $"UPDATE accounts SET name = 'w{seed}', balance = balance + 1 WHERE id = {id}");
                        updated.Add(id);
                    }
                }
            }
        }

        var writers = Enumerable.Range(1, 2).Select(seed => Task.Run(() => WriteAsync(seed), CancellationToken.None)).ToList();
        var done = await WaitForStateAsync(engine, record.Id, "completed");
        await stop.CancelAsync();
        await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1000000, 'live after', 1)");
        Assert.True(deleted.Count > 5, $"the writers deleted only {deleted.Count} rows");

        // A: every row, equal to the source, and no deleted row came back.
        await WaitForEqualAsync(h, "a_accounts");
        Assert.Empty(await h.RowsAsync(h.Destination, """
            SELECT d.id FROM applied d
            WHERE d.consumer = 'a' AND d.op = 'delete' AND EXISTS (SELECT 1 FROM applied u WHERE u.consumer = 'a' AND u.id = d.id AND u.op = 'upsert' AND u.seq > d.seq)
            """));

        // B: the live changes only (the rows updated and not deleted, and the live insert), none of the backfill's events.
        var expectedB = updated.Except(deleted).Append(1_000_000).Distinct().Order().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM b_accounts WHERE id = 1000000") == 1, "the live insert in B");
        Assert.Equal(expectedB, await h.RowsAsync(h.Destination, "SELECT id FROM b_accounts ORDER BY id"));
        var liveUpserts = await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.events WHERE operation <> 'delete'");
        Assert.Equal(liveUpserts, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE consumer = 'b' AND op = 'upsert'"));

        // The backfill's events are stored for A alone.
        Assert.Equal(done.RowsEmitted, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.consumer_events WHERE consumer = 'orders-service/a'"));
        Assert.Equal(done.RowsEmitted, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.consumer_events"));
        Assert.True(done.RowsEmitted > Rows / 2, $"events stored {done.RowsEmitted}");
    }

    [Fact]
    public async Task A_backfill_for_an_unknown_consumer_is_refused_with_the_known_ones_and_a_remote_consumer_must_be_named_in_full()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_for_unknown", SourceDdl, DestinationDdl);
        var model = Model(h, Sink("a", "a_accounts"), Sink("b", "b_accounts"));

        var unknown = Assert.Throws<SyncConfigurationException>(() => BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "c", remote: false));
        Assert.Contains("orders-service/a, orders-service/b", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("remote consumer", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("orders-service/b", BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "orders-service/b", remote: false));
        Assert.Equal("billing/ledger", BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "billing/ledger", remote: true));
        var bare = Assert.Throws<SyncConfigurationException>(() => BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "ledger", remote: true));
        Assert.Contains("manifest-slug/consumer-name", bare.Message, StringComparison.Ordinal);
        Assert.Throws<SyncConfigurationException>(() => BackfillCoordinator.ResolveConsumer(model.Consumers, new("other", "account", 1), "a", remote: false));
    }

    [Fact]
    public async Task A_new_consumer_configured_to_start_at_the_end_applies_only_later_changes_also_after_a_restart()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "consumer_start_end", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(Model(h, Sink("a", "a_accounts")));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts SELECT i, 'early ' || i, i FROM generate_series(1, 50) AS i");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM a_accounts") == 50, "A to apply the early rows");
        await h.StopAsync(engine);

        // A setting for a consumer that does not exist is a configuration error, not silently ignored.
        h.Options.Consumers["orders-service/nobody"] = new ConsumerOptions { StartFrom = ConsumerStart.End };
        var typo = await Assert.ThrowsAsync<SyncConfigurationException>(() => h.StartAsync(Model(h, Sink("a", "a_accounts"))));
        Assert.Contains("orders-service/a", typo.Message, StringComparison.Ordinal);
        h.Options.Consumers.Clear();

        // B is new: with StartFrom = End it skips the 50 stored events; A (by default from the beginning) is unaffected.
        h.Options.Consumers["b"] = new ConsumerOptions { StartFrom = ConsumerStart.End };
        var model = Model(h, Sink("a", "a_accounts"), Sink("b", "b_accounts"));
        engine = await h.StartAsync(model);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM rejot_data_store.consumer_cursors WHERE consumer_name = 'b'") == 1, "B's cursor at the end");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (51, 'late', 1)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM b_accounts") == 1, "B to apply the late row");
        Assert.Equal(["51"], await h.RowsAsync(h.Destination, "SELECT id FROM b_accounts"));

        // After a restart B continues from its stored cursor (the events stored while it was down are applied).
        await h.StopAsync(engine);
        await h.ExecuteAsync(h.Source, "UPDATE accounts SET name = 'while down' WHERE id = 7");
        engine = await h.StartAsync(model);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM b_accounts") == 2, "B to apply the change made while it was down");
        Assert.Equal(["7|while down", "51|late"], await h.RowsAsync(h.Destination, "SELECT id, name FROM b_accounts ORDER BY id"));
        Assert.Equal(0, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE consumer = 'b' AND id < 51 AND id <> 7"));

        // Then a backfill for B alone brings the rest, without replaying to A (A settled first: it applies the change
        // made while down on its own schedule, independently of B).
        await Eventually.WaitAsync(async () => await h.ScalarAsync<string>(h.Destination, "SELECT name FROM a_accounts WHERE id = 7") == "while down", "A to apply the change made while it was down");
        var appliedA = await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE consumer = 'a'");
        var (record, _) = await engine.Backfills!.RequestAsync(TestSchemas.Account, null, "orders-service/b", "test", Ct);
        await WaitForStateAsync(engine, record.Id, "completed");
        await WaitForEqualAsync(h, "b_accounts");
        await WaitForEqualAsync(h, "a_accounts");
        Assert.Equal(appliedA, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE consumer = 'a'"));
    }
}
