using ReJot.Sync.Backfill;
using ReJot.Sync.Tests.Engine;
using TestSchemas = ReJot.Sync.Tests.Engine.Schemas;

namespace ReJot.Sync.Tests.Backfill;

public sealed class BackfillTrackerTests
{
    [Fact]
    public void Snapshot_visibility_follows_xmin_xmax_and_the_running_list_across_the_32_bit_wrap()
    {
        var snapshot = XidSnapshot.Parse("100:110:103,107");
        Assert.True(snapshot.IsVisible(99));
        Assert.True(snapshot.IsVisible(104));
        Assert.False(snapshot.IsVisible(103));
        Assert.False(snapshot.IsVisible(107));
        Assert.False(snapshot.IsVisible(110));
        Assert.False(snapshot.IsVisible(5000));
        Assert.True(snapshot.IsBeforeXmin(99));
        Assert.False(snapshot.IsBeforeXmin(104));

        // Epoch 1: full ids 2^32 + 5 … ; 32-bit ids from before the wrap are older, small ones after xmax are newer.
        var wrapped = XidSnapshot.Parse($"{(1L << 32) - 5}:{(1L << 32) + 10}:{(1L << 32) + 2}");
        Assert.True(wrapped.IsVisible(uint.MaxValue - 1));
        Assert.True(wrapped.IsVisible(1));
        Assert.False(wrapped.IsVisible(2));
        Assert.False(wrapped.IsVisible(10));
        Assert.False(wrapped.IsVisible(20));
    }

    [Fact]
    public void A_chunk_drops_objects_whose_key_an_invisible_transaction_changed_and_keeps_the_rest()
    {
        var tracker = new BackfillTracker();
        var schema = TestSchemas.AccountSchema();
        var run = tracker.Start(7, schema);
        tracker.Observe(TestSchemas.Account, """{"id":1,"name":"new","balance":1}""", 105); // committed after the snapshot
        tracker.Observe(TestSchemas.Account, """{"id":2}""", 99);                               // a delete the snapshot saw
        tracker.Observe(TestSchemas.Account, """{"id":3}""", 103);                              // a delete still running for the snapshot

        var chunk = new BackfillChunk(7, run, 1, 0, "100:104:103", ["4"], 4, false, false,
            ["""{"id":1,"name":"old","balance":0}""", """{"id":2,"name":"b","balance":0}""", """{"id":3,"name":"c","balance":0}""", """{"id":4,"name":"d","balance":0}"""]);
        var accepted = tracker.Accept(BackfillChunk.Parse(chunk.ToJson()));
        Assert.NotNull(accepted);
        Assert.Equal(["""{"id":2,"name":"b","balance":0}""", """{"id":4,"name":"d","balance":0}"""], accepted.Value.Objects);

        // Another run's chunk, or a stopped backfill's, is ignored (it is read again from stored progress).
        Assert.Null(tracker.Accept(chunk with { Session = "other" }));
        Assert.NotEqual(run, new BackfillTracker().Start(7, schema));
        tracker.Stored([(TestSchemas.Account, chunk, new ChunkOutcome(2, null))]);
        Assert.Equal(2, tracker.TrackedKeys(TestSchemas.Account)); // xid 99 is before xmin 100: forgotten
        tracker.Stop(7, TestSchemas.Account);
        Assert.Null(tracker.Accept(chunk));
        var again = tracker.Start(7, schema);
        Assert.NotEqual(run, again);
        Assert.Null(tracker.Accept(chunk)); // an earlier attempt's chunk: its watch had a gap
        tracker.Stop(7, TestSchemas.Account);
        Assert.False(tracker.Active);
    }

    [Fact]
    public void With_two_backfills_of_one_schema_a_change_is_remembered_until_both_have_stored_a_chunk_that_saw_it()
    {
        // A backfill for every consumer and one for a single consumer run together; their chunks interleave.
        var tracker = new BackfillTracker();
        var schema = TestSchemas.AccountSchema();
        var forAll = tracker.Start(1, schema);
        var forOne = tracker.Start(2, schema);
        tracker.Observe(TestSchemas.Account, """{"id":3,"name":"new","balance":1}""", 103);

        // The single-consumer backfill read its chunk while 103 ran; the other backfill's newer chunk, which saw 103
        // finished, is stored first. 103 must still supersede the older chunk's row.
        var older = new BackfillChunk(2, forOne, 1, 0, "100:104:103", ["3"], 2, false, false,
            ["""{"id":2,"name":"b","balance":0}""", """{"id":3,"name":"old","balance":0}"""], "orders-service/a");
        var newer = new BackfillChunk(1, forAll, 1, 0, "200:210:", ["9"], 1, false, false, ["""{"id":9,"name":"i","balance":0}"""]);
        Assert.Equal(["""{"id":9,"name":"i","balance":0}"""], tracker.Accept(newer)!.Value.Objects);
        tracker.Stored([(TestSchemas.Account, newer, new ChunkOutcome(1, null))]);
        Assert.Equal(1, tracker.TrackedKeys(TestSchemas.Account));
        var accepted = tracker.Accept(BackfillChunk.Parse(older.ToJson()));
        Assert.Equal(["""{"id":2,"name":"b","balance":0}"""], accepted!.Value.Objects);
        Assert.Equal("orders-service/a", BackfillChunk.Parse(older.ToJson()).ForConsumer);

        // Once both have stored a chunk whose xmin is past 103, it is forgotten.
        tracker.Stored([(TestSchemas.Account, older with { Snapshot = "150:160:" }, new ChunkOutcome(1, null))]);
        Assert.Equal(0, tracker.TrackedKeys(TestSchemas.Account));
    }

    [Theory]
    [InlineData("id > 10", null)]
    [InlineData("name = 'a;b' AND (id > 1)", null)]
    [InlineData("true; DROP TABLE accounts", "';'")]
    [InlineData("id > 1) OR (true", "unmatched ')'")]
    [InlineData("id > :x", "placeholder")]
    [InlineData("  ", "empty")]
    public void Filters_must_be_one_condition(string filter, string? problem)
    {
        var result = BackfillRunner.ValidateFilter(filter);
        if (problem is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(problem, result, StringComparison.Ordinal);
        }
    }
}
