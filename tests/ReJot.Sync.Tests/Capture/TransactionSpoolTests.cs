using ReJot.Sync.Capture;
using ReJot.Sync.Model;

namespace ReJot.Sync.Tests.Capture;

public sealed class TransactionSpoolTests
{
    private static readonly RelationInfo Relation = new(42, 1, new TableName("public", "t"), 'd',
        [new RelationColumn("id", 20, true), new RelationColumn("payload", 25, false)]);

    private static CapturedChange Change(int id, int payloadChars, uint subXid = 0)
        => new(ChangeKind.Insert, Relation, subXid, new RowImage([id.ToString(System.Globalization.CultureInfo.InvariantCulture), new string((char)('a' + (id % 26)), payloadChars)], null), null);

    private static List<CapturedChange> Fill(TransactionSpool spool, int count, int payloadChars)
    {
        var added = new List<CapturedChange>();
        for (var i = 0; i < count; i++)
        {
            var change = Change(i, payloadChars, subXid: (uint)(i % 2 == 0 ? 0 : 7));
            spool.Add(change);
            added.Add(change);
        }

        return added;
    }

    [Fact]
    public async Task Large_rows_spill_once_the_size_budget_is_reached_even_below_the_change_count()
    {
        await using var spool = new TransactionSpool(1, maxInMemory: 100_000, (_, _) => Relation, maxInMemoryBytes: 64 * 1024);
        Fill(spool, 10, 1000);
        Assert.False(spool.Spilled);
        Fill(spool, 40, 1000);
        Assert.True(spool.Spilled);
    }

    [Fact]
    public async Task Small_rows_stay_in_memory_up_to_the_change_count()
    {
        await using var spool = new TransactionSpool(1, maxInMemory: 1000, (_, _) => Relation, maxInMemoryBytes: 64L * 1024 * 1024);
        Fill(spool, 1000, 10);
        Assert.False(spool.Spilled);
        spool.Add(Change(1000, 10));
        Assert.True(spool.Spilled);
    }

    [Theory]
    [InlineData(1_000_000_000L)]
    [InlineData(4096L)]
    public async Task Replay_returns_every_change_in_order_without_aborted_subtransactions_in_memory_or_spilled(long budget)
    {
        await using var spool = new TransactionSpool(1, maxInMemory: 100_000, (_, _) => Relation, maxInMemoryBytes: budget);
        var added = Fill(spool, 200, 100);
        spool.AbortSubtransaction(7);
        var replayed = spool.Replay().ToList();
        Assert.Equal(budget < 100_000, spool.Spilled);
        var expected = added.Where(c => c.SubXid != 7).ToList();
        Assert.Equal(expected.Count, replayed.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].New!.Values, replayed[i].New!.Values);
            Assert.Same(Relation, replayed[i].Relation);
        }
    }
}
