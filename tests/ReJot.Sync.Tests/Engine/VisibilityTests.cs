using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Testing;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

/// <summary>
/// The walsender may decode and send a commit before the committing backend has left the proc array, so a
/// snapshot taken right after the commit arrives may not see the transaction yet. The transformation must not
/// mistake that for "the row was deleted since".
/// </summary>
public sealed class VisibilityTests(PostgresFixture postgres)
{
    private const string SourceDdl = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_single_row_transaction_committed_while_the_engine_is_idle_yields_exactly_one_event()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "visibility", SourceDdl, "SELECT 1");
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], []));

        // Two writers, one INSERT per transaction: the engine keeps up, so each commit is transformed the moment
        // it is decoded (the race window), not long after as in a backlog.
        const int writers = 2;
        const int perWriter = 600;
        long lastLsn = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            await using var connection = await h.Source.OpenConnectionAsync(Ct);
            await using var command = new NpgsqlCommand("INSERT INTO accounts VALUES ($1, 'n', 1) RETURNING pg_current_wal_insert_lsn()::text", connection);
            var id = new NpgsqlParameter<long> { TypedValue = 0 };
            command.Parameters.Add(id);
            for (var i = 0; i < perWriter; i++)
            {
                id.TypedValue = (w * perWriter) + i + 1;
                var lsn = ParseLsn((string)(await command.ExecuteScalarAsync(Ct))!);
                InterlockedMax(ref lastLsn, lsn);
            }
        }));

        // Everything committed is stored once the source position passes the last insert.
        await Eventually.WaitAsync(() => engine.GetStatus().Sources[0].LastCommitLsn >= Interlocked.Read(ref lastLsn), "the source position passes the last insert", TimeSpan.FromSeconds(90));
        var events = await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 100_000, Ct);
        var ids = events.Select(e => System.Text.Json.JsonDocument.Parse(e.ObjectJson).RootElement.GetProperty("id").GetInt64()).ToList();
        var missing = Enumerable.Range(1, writers * perWriter).Select(i => (long)i).Except(ids).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {writers * perWriter} committed inserts produced no event, e.g. ids {string.Join(", ", missing.Take(10))}");
        Assert.Equal(writers * perWriter, ids.Count);
        Assert.All(events, e => Assert.Equal(EventOperation.Insert, e.Operation));
    }

    [Fact]
    public async Task A_commit_decoded_before_it_is_visible_to_queries_is_transformed_once_it_is_visible()
    {
        // Synchronous replication to a standby that never connects holds the committing session after its commit
        // record is flushed and before it leaves the proc array: the walsender sends the commit, but new
        // snapshots still see the transaction as running. That widens PostgreSQL's normal (microseconds) window
        // into one the test controls. Only sessions that ask for synchronous_commit = on wait; the engine's own
        // sessions use the server default 'local'.
        var options = new ThrowawayPostgresOptions { NamePrefix = "rejot-visibility", ConnectionEnvironmentVariable = null };
        options.Settings["synchronous_standby_names"] = "rejot_never_connects";
        options.Settings["synchronous_commit"] = "local";
        await using var server = await ThrowawayPostgres.StartAsync(options, Ct);
        await using var h = await SyncHarness.CreateAsync(name => server.CreateDatabaseAsync(name, Ct), "held", SourceDdl, "SELECT 1");
        h.Options.TransactionVisibilityTimeout = TimeSpan.FromMilliseconds(200);
        // A cast makes it a query (a plain projection would be rendered from the WAL row without waiting).
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema("SELECT id, name, balance::numeric AS balance FROM accounts WHERE id = :id")], []));

        await using var writer = await h.Source.OpenConnectionAsync(Ct);
        var writerPid = writer.ProcessID;
        await using (var set = new NpgsqlCommand("SET synchronous_commit = on", writer))
        {
            await set.ExecuteNonQueryAsync(Ct);
        }

        await using var insert = new NpgsqlCommand("INSERT INTO accounts VALUES (1, 'held', 1)", writer);
        var inserting = insert.ExecuteNonQueryAsync(Ct);
        try
        {
            await Eventually.WaitAsync(
                async () => await h.ScalarAsync<string>(h.Source, $"SELECT wait_event FROM pg_stat_activity WHERE pid = {writerPid}") == "SyncRep",
                "the writer's commit is flushed and waits for synchronous replication");

            // The engine has the commit but may not read the row yet: it must wait (and say so), not store nothing.
            await Eventually.WaitAsync(
                () => engine.GetStatus().Sources[0] is var s && (s.LastCommitLsn > 0 || (s.Error?.Contains("not visible", StringComparison.Ordinal) ?? false)),
                "the engine reports that the committed transaction is not visible yet");
            Assert.Equal(0, engine.GetStatus().Sources[0].LastCommitLsn);
            Assert.Empty(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
        }
        finally
        {
            // Never leave the writer waiting (also when an assertion above failed).
            await h.ExecuteAsync(h.Source, $"SELECT pg_cancel_backend({writerPid})");
        }

        // Released (the commit stays: it is durable locally), the transaction becomes visible and is published.
        Assert.Equal(1, await inserting);
        await Eventually.WaitAsync(() => engine.GetStatus().Sources[0].LastCommitLsn > 0, "the transaction is stored once visible");
        var stored = Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
        Assert.Equal(EventOperation.Insert, stored.Operation);
        Assert.Equal("""{"id": 1, "name": "held", "balance": 1}""", stored.ObjectJson);
        Assert.Null(engine.GetStatus().Sources[0].Error);
    }

    [Fact]
    public async Task A_projection_is_published_from_the_wal_row_without_waiting_for_visibility()
    {
        var options = new ThrowawayPostgresOptions { NamePrefix = "rejot-visibility", ConnectionEnvironmentVariable = null };
        options.Settings["synchronous_standby_names"] = "rejot_never_connects";
        options.Settings["synchronous_commit"] = "local";
        await using var server = await ThrowawayPostgres.StartAsync(options, Ct);
        await using var h = await SyncHarness.CreateAsync(name => server.CreateDatabaseAsync(name, Ct), "held_projection", SourceDdl, "SELECT 1");
        h.Options.TransactionVisibilityTimeout = TimeSpan.FromMilliseconds(200);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], []));

        await using var writer = await h.Source.OpenConnectionAsync(Ct);
        var writerPid = writer.ProcessID;
        await using (var set = new NpgsqlCommand("SET synchronous_commit = on", writer))
        {
            await set.ExecuteNonQueryAsync(Ct);
        }

        await using var insert = new NpgsqlCommand("INSERT INTO accounts VALUES (1, 'held', 1)", writer);
        var inserting = insert.ExecuteNonQueryAsync(Ct);
        try
        {
            await Eventually.WaitAsync(
                async () => await h.ScalarAsync<string>(h.Source, $"SELECT wait_event FROM pg_stat_activity WHERE pid = {writerPid}") == "SyncRep",
                "the writer's commit is flushed and waits for synchronous replication");

            // No query, so nothing to wait for: the event is the row as decoded from the WAL.
            await Eventually.WaitAsync(() => engine.GetStatus().Sources[0].LastCommitLsn > 0, "the transaction is stored while its session is still held");
            Assert.Equal("SyncRep", await h.ScalarAsync<string>(h.Source, $"SELECT wait_event FROM pg_stat_activity WHERE pid = {writerPid}"));
            var stored = Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
            Assert.Equal("""{"id": 1, "name": "held", "balance": 1}""", stored.ObjectJson);
            Assert.Null(engine.GetStatus().Sources[0].Error);
        }
        finally
        {
            await h.ExecuteAsync(h.Source, $"SELECT pg_cancel_backend({writerPid})");
        }

        Assert.Equal(1, await inserting);
    }

    private static long ParseLsn(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return (long)((ulong.Parse(text[..slash], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 32)
            | ulong.Parse(text[(slash + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
