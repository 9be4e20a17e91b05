using ReJot.Sync.EventStore;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Backfill;

/// <summary>A contract built from two tables: live changes of either table supersede the backfill's rows of the other.</summary>
public sealed class MultiTableBackfillTests(PostgresFixture postgres)
{
    private const string SourceDdl = """
        CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE settings (account_id bigint PRIMARY KEY REFERENCES accounts (id), theme text NOT NULL);
        """;

    private const string Joined = "SELECT a.id, a.name, s.theme FROM accounts a LEFT JOIN settings s ON s.account_id = a.id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PublicSchemaModel Schema() => new(
        Engine.Schemas.Account, 0, "source",
        """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"theme":{"type":["string","null"]}},"required":["id","name"],"additionalProperties":false}""",
        ["id"],
        [
            new(TransformOperation.Insert, TableName.Parse("accounts"), Joined + " WHERE a.id = :id"),
            new(TransformOperation.Update, TableName.Parse("accounts"), Joined + " WHERE a.id = :id"),
            new(TransformOperation.Delete, TableName.Parse("accounts"), "SELECT :id AS id"),
            new(TransformOperation.Insert, TableName.Parse("settings"), Joined + " WHERE a.id = :account_id"),
            new(TransformOperation.Update, TableName.Parse("settings"), Joined + " WHERE a.id = :account_id"),

            // The engine needs every delete published; settings rows are deleted only with their account here.
            new(TransformOperation.Delete, TableName.Parse("settings"), "SELECT :account_id AS id"),
        ]);

    [Fact]
    public async Task Changes_to_either_table_of_a_two_table_contract_during_its_backfill_leave_the_sink_equal_to_the_joined_source()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_two_tables", SourceDdl,
            "CREATE TABLE sink (id bigint PRIMARY KEY, name text NOT NULL, theme text);");
        h.Options.BackfillChunkSize = 100;
        const int Rows = 2_000;
        await h.ExecuteAsync(h.Source, $"""
            INSERT INTO accounts SELECT i, 'a' || i FROM generate_series(1, {Rows}) AS i;
            INSERT INTO settings SELECT i, 't' || i FROM generate_series(1, {Rows}) AS i WHERE i % 2 = 0;
            """);
        var engine = await h.StartAsync(h.Model([Schema()],
        [
            Engine.Schemas.Consumer("sink",
                "INSERT INTO sink (id, name, theme) VALUES (:id, :name, :theme) ON CONFLICT (id) DO UPDATE SET name = :name, theme = :theme",
                "DELETE FROM sink WHERE id = :id"),
        ]));

        var (record, _) = await engine.Backfills!.RequestAsync(Engine.Schemas.Account, null, "test", Ct);

        // Writers change both tables around the backfill's cursor: names (accounts), themes (settings, also
        // creating them), and deletes of whole accounts; the backfill reads accounts first, then settings.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        async Task WriteAsync(int seed)
        {
            var random = new Random(seed);
            long seen = -1;
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var current = (await engine.Backfills!.Store.GetAsync(record.Id, Ct))!;
                if (current.Chunks == seen)
                {
                    await Task.Delay(10, Ct);
                    continue;
                }

                seen = current.Chunks;
                var cursor = current.RowsRead % Rows;
                for (var i = 0; i < 8; i++)
                {
                    var id = Math.Clamp(cursor + random.Next(-50, 300), 1, Rows);
                    n++;
                    await h.ExecuteAsync(h.Source, random.Next(6) switch
                    {
                        0 => $"BEGIN; DELETE FROM settings WHERE account_id = {id}; DELETE FROM accounts WHERE id = {id}; COMMIT;",
                        1 or 2 => $"UPDATE accounts SET name = 'w{seed}-{n}' WHERE id = {id}",
                        _ => $"INSERT INTO settings SELECT id, 'w{seed}-{n}' FROM accounts WHERE id = {id} ON CONFLICT (account_id) DO UPDATE SET theme = excluded.theme",
                    });
                }
            }
        }

        var writers = Enumerable.Range(1, 2).Select(seed => Task.Run(() => WriteAsync(seed), CancellationToken.None)).ToList();
        await Eventually.WaitAsync(async () => (await engine.Backfills.Store.GetAsync(record.Id, Ct))!.Status == "completed", "the backfill to complete", TimeSpan.FromMinutes(4));
        await stop.CancelAsync();
        await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        var done = (await engine.Backfills.Store.GetAsync(record.Id, Ct))!;
        TestContext.Current.TestOutputHelper?.WriteLine($"rows read {done.RowsRead} (both tables), events stored {done.RowsEmitted}");

        List<string> source = [], sink = [];
        await Eventually.WaitAsync(
            async () =>
            {
                source = await h.RowsAsync(h.Source, Joined + " ORDER BY a.id");
                sink = await h.RowsAsync(h.Destination, "SELECT id, name, theme FROM sink ORDER BY id");
                return source.SequenceEqual(sink);
            },
            "the sink to equal the joined source",
            TimeSpan.FromMinutes(3));
        Assert.Equal(source, sink);
        Assert.True(done.RowsRead > Rows, $"both tables read: {done.RowsRead}");
        Assert.True(done.RowsEmitted < done.RowsRead, "some rows were superseded by live changes");
    }
}
