using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.EventStore;

public sealed class PostgresEventStoreTests(PostgresFixture postgres)
{
    private static readonly PublicSchemaKey Accounts = new("accounts-service", "account", 1);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(PostgresEventStore Store, NpgsqlDataSource DataSource)> CreateStoreAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("eventstore"));
        var store = new PostgresEventStore(dataSource);
        await store.MigrateAsync(Ct);
        return (store, dataSource);
    }

    private static async Task WriteAsync(IEventStore store, long commitLsn, params NewEvent[] events)
    {
        await using var tx = await store.BeginAsync("accounts", "slot", commitLsn, Ct);
        await tx.AppendAsync(events, Ct);
        await tx.CommitAsync(commitLsn + 8, Ct);
    }

    private static NewEvent Insert(int id) => new(Accounts, 0, EventOperation.Insert, $$"""{"id":{{id}}}""");

    [Fact]
    public async Task Migrations_are_idempotent_and_safe_to_run_concurrently()
    {
        var (store, dataSource) = await CreateStoreAsync();
        await using var _ = dataSource;
        await using var __ = store;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.MigrateAsync(Ct)));
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM rejot_events.schema_migrations");
        Assert.Equal(PostgresEventStore.Migrations.Count, Convert.ToInt32(await command.ExecuteScalarAsync(Ct)));
    }

    [Fact]
    public async Task Events_and_source_position_commit_together_and_an_abandoned_write_leaves_nothing()
    {
        var (store, dataSource) = await CreateStoreAsync();
        await using var _ = dataSource;
        await using var __ = store;
        Assert.Null(await store.GetSourcePositionAsync("accounts", Ct));

        await WriteAsync(store, 0x100, Insert(1), Insert(2));
        await using (var abandoned = await store.BeginAsync("accounts", "slot", 0x200, Ct))
        {
            await abandoned.AppendAsync([Insert(3)], Ct);
        }

        var position = await store.GetSourcePositionAsync("accounts", Ct);
        Assert.Equal(new SourcePosition("accounts", "slot", 0x100, 0x108), position);
        var events = await store.ReadEventsAsync(Accounts, EventPosition.Start, 100, Ct);
        Assert.Equal([0, 1], events.Select(e => e.Index));
        Assert.All(events, e => Assert.Equal(0x100, e.CommitLsn));
        Assert.Equal("""{"id": 1}""", events[0].ObjectJson);
    }

    [Fact]
    public async Task Events_written_through_the_binary_copy_come_back_exactly_across_buffer_boundaries_and_schemas()
    {
        var (store, dataSource) = await CreateStoreAsync();
        await using var _ = dataSource;
        await using var __ = store;
        var other = new PublicSchemaKey("accöunts-sérvice", "äccount \"x\"", 7);
        var big = new string('é', 100_000);
        var events = new List<NewEvent>();
        for (var i = 0; i < 3000; i++)
        {
            // Enough rows to cross the send threshold many times, one object bigger than the buffer, non-ASCII text,
            // two schemas (each with its own index sequence) and every operation.
            var json = i == 1500 ? $$"""{"id":{{i}},"text":"{{big}}"}""" : $$"""{"id":{{i}},"name":"名前 \"{{i}}\" \\ ☃"}""";
            events.Add(new NewEvent(i % 3 == 0 ? other : Accounts, i % 5, (EventOperation)(i % 3), json));
        }

        await using (var tx = await store.BeginAsync("accounts", "slot", 0x100, Ct))
        {
            await tx.AppendAsync(events.Take(1000).ToList(), Ct);
            tx.StartTransaction(0x200);
            await tx.AppendAsync(events.Skip(1000).ToList(), Ct);
            await tx.CommitAsync(0x208, Ct);
        }

        var read = new List<StoredEvent>();
        foreach (var schema in new[] { Accounts, other })
        {
            var after = EventPosition.Start;
            while ((await store.ReadEventsAsync(schema, after, 700, Ct)) is { Count: > 0 } page)
            {
                read.AddRange(page);
                after = page[^1].Position;
            }
        }

        Assert.Equal(events.Count, read.Count);
        foreach (var schema in new[] { Accounts, other })
        {
            var expected = events.Select((e, i) => (e, i)).Where(x => x.e.Schema == schema).ToList();
            var actual = read.Where(e => e.Schema == schema).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var k = 0; k < expected.Count; k++)
            {
                var (e, i) = expected[k];
                Assert.Equal(i < 1000 ? 0x100 : 0x200, actual[k].CommitLsn);
                Assert.Equal(e.Minor, actual[k].Minor);
                Assert.Equal(e.Operation, actual[k].Operation);
                // jsonb normalises the text (spaces after separators); the values are equal.
                Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(e.ObjectJson), System.Text.Json.Nodes.JsonNode.Parse(actual[k].ObjectJson)), $"event {i}");
            }

            // Indexes restart per schema in each source transaction and have no gaps.
            foreach (var group in actual.GroupBy(e => e.CommitLsn))
            {
                Assert.Equal(Enumerable.Range(0, group.Count()), group.Select(e => e.Index));
            }
        }

        await using var count = dataSource.CreateCommand("SELECT count(*) FROM rejot_events.events WHERE data_store = 'accounts'");
        Assert.Equal(3000L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public void Transaction_ids_are_fixed_width_so_they_order_as_text_and_as_numbers()
    {
        var small = TransactionIds.Format(0x0FFFFFFF);
        var large = TransactionIds.Format(0x10000000);
        Assert.Equal(16, small.Length);
        Assert.True(string.CompareOrdinal(small, large) < 0);
        Assert.True(TransactionIds.TryParse(large, out var parsed));
        Assert.Equal(0x10000000, parsed);
        Assert.True(TransactionIds.TryParse("1/A0", out var slashed));
        Assert.Equal(0x1000000A0, slashed);
        Assert.False(TransactionIds.TryParse("not-hex", out _));
    }

    [Fact]
    public async Task Reading_whole_transactions_never_splits_the_transaction_the_limit_lands_in()
    {
        var (store, dataSource) = await CreateStoreAsync();
        await using var _ = dataSource;
        await using var __ = store;
        // Commit LSNs across a hex digit rollover: text order of unpadded hex would put them the wrong way round.
        await WriteAsync(store, 0x0FFFFFFF, Insert(1), Insert(2), Insert(3));
        await WriteAsync(store, 0x10000000, Insert(4));

        var first = await store.ReadTransactionsAsync(Accounts, 0, 2, Ct);
        var only = Assert.Single(first);
        Assert.Equal(3, only.Events.Count);
        Assert.Equal("000000000FFFFFFF", only.TransactionId);

        var rest = await store.ReadTransactionsAsync(Accounts, only.CommitLsn, 2, Ct);
        Assert.Equal(0x10000000, Assert.Single(rest).CommitLsn);
        Assert.Empty(await store.ReadTransactionsAsync(Accounts, 0x10000000, 2, Ct));

        var page = await store.ReadEventsAsync(Accounts, new EventPosition(0x0FFFFFFF, 1), 10, Ct);
        Assert.Equal([(0x0FFFFFFFL, 2), (0x10000000L, 0)], page.Select(e => (e.CommitLsn, e.Index)));

        var tail = await store.TailAsync(Ct);
        Assert.Equal(0x10000000, tail[Accounts]);
    }

    [Fact]
    public async Task A_waiting_consumer_is_woken_by_the_commit_not_by_a_poll()
    {
        var (store, dataSource) = await CreateStoreAsync();
        await using var _ = dataSource;
        await using var __ = new PostgresEventStore(dataSource) { WaitFallback = TimeSpan.FromMinutes(5) };
        await using var waiterStore = new PostgresEventStore(dataSource) { WaitFallback = TimeSpan.FromMinutes(5) };
        await using var ___ = store;

        var wait = waiterStore.WaitForEventsAsync(Accounts, EventPosition.Start, Ct);
        // The wait must be parked (nothing stored yet).
        var early = await Task.WhenAny(wait, Task.Delay(300, Ct));
        Assert.NotSame(wait, early);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await WriteAsync(store, 0x300, Insert(9));
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"woken after {started.Elapsed}");

        // Events already there: returns at once.
        await waiterStore.WaitForEventsAsync(Accounts, EventPosition.Start, Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }
}
