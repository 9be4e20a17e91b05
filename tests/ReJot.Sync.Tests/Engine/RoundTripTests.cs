using ReJot.Sync.EventStore;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

public sealed class RoundTripTests(PostgresFixture postgres)
{
    private const string SourceDdl = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";
    private const string DestinationDdl = "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";
    private const string Upsert = "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance";
    private const string Delete = "DELETE FROM order_accounts WHERE id = :id";

    [Fact]
    public async Task Insert_update_and_delete_reach_the_destination_with_exact_values()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "roundtrip", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("accounts-into-orders", Upsert, Delete)]));

        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'Ada', 12345678901234567890.123456789), (2, 'Bob', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 2, "two inserted rows");
        Assert.Equal(["1|Ada|12345678901234567890.123456789", "2|Bob|null"], await h.RowsAsync(h.Destination, "SELECT id, name, balance::text FROM order_accounts ORDER BY id"));

        await h.ExecuteAsync(h.Source, "UPDATE accounts SET name = 'Ada L.' WHERE id = 1");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<string>(h.Destination, "SELECT name FROM order_accounts WHERE id = 1") == "Ada L.", "the update");

        await h.ExecuteAsync(h.Source, "DELETE FROM accounts WHERE id = 2");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 1, "the delete");

        var events = await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 100, TestContext.Current.CancellationToken);
        Assert.Equal([EventOperation.Insert, EventOperation.Insert, EventOperation.Update, EventOperation.Delete], events.Select(e => e.Operation));
        Assert.Equal("""{"id": 2}""", events[^1].ObjectJson);
        var consumer = Assert.Single(engine.GetStatus().Consumers);
        Assert.Equal(events[^1].CommitLsn, consumer.CursorLsn);
        Assert.False(consumer.Faulted);
    }
}
