using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReJot.Sync.Backfill;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using TestSchemas = ReJot.Sync.Tests.Engine.Schemas;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Backfill;

public sealed class BackfillTests(PostgresFixture postgres)
{
    private const string SourceDdl = """
        CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        """;

    private const string DestinationDdl = """
        CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE applied (seq bigserial PRIMARY KEY, op text NOT NULL, id bigint NOT NULL);
        """;

    private const string Upsert = "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance";
    private const string Delete = "DELETE FROM order_accounts WHERE id = :id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SyncModel Model(SyncHarness h) => h.Model(
        [TestSchemas.AccountSchema(extra: new TransformationModel(TransformOperation.Delete, TableName.Parse("accounts"), "SELECT :id AS id"))],
        [
            TestSchemas.Consumer("sink", Upsert, Delete),
            TestSchemas.Consumer("log", "INSERT INTO applied (op, id) VALUES ('upsert', :id)", "INSERT INTO applied (op, id) VALUES ('delete', :id)"),
        ]);

    private static async Task<BackfillRecord> WaitForStateAsync(SyncEngine engine, long id, string status, TimeSpan? timeout = null)
    {
        BackfillRecord? record = null;
        try
        {
            await Eventually.WaitAsync(async () => (record = await engine.Backfills!.Store.GetAsync(id, Ct))?.Status == status,
                $"backfill {id} {status}", timeout ?? TimeSpan.FromMinutes(4));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {record}", e);
        }

        return record!;
    }

    private static async Task WaitForSinkEqualsSourceAsync(SyncHarness h)
    {
        const string Rows = "SELECT id, name, balance FROM {0} ORDER BY id";
        List<string> source = [], sink = [];
        await Eventually.WaitAsync(
            async () =>
            {
                source = await h.RowsAsync(h.Source, string.Format(System.Globalization.CultureInfo.InvariantCulture, Rows, "accounts"));
                sink = await h.RowsAsync(h.Destination, string.Format(System.Globalization.CultureInfo.InvariantCulture, Rows, "order_accounts"));
                return source.SequenceEqual(sink);
            },
            "the sink to equal the source",
            TimeSpan.FromMinutes(3));
        Assert.Equal(source, sink);
    }

    [Fact]
    public async Task A_backfill_under_concurrent_updates_and_deletes_ends_with_the_sink_equal_to_the_source_and_no_deleted_row_reappears()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_race", SourceDdl, DestinationDdl);
        h.Options.BackfillChunkSize = 200;
        const int Rows = 10_000;
        await h.ExecuteAsync(h.Source, $"INSERT INTO accounts SELECT i, 'initial ' || i, i FROM generate_series(1, {Rows}) AS i");
        var engine = await h.StartAsync(Model(h));

        var (record, created) = await engine.Backfills!.RequestAsync(TestSchemas.Account, null, "test", Ct);
        Assert.True(created);

        // Writers hit the rows around and ahead of the backfill's cursor until it completes: a burst of changes per
        // stored chunk (unthrottled writers would only measure how far the reader falls behind them).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var deleted = new System.Collections.Concurrent.ConcurrentBag<long>();
        async Task WriteAsync(int seed)
        {
            var random = new Random(seed);
            var n = 0;
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
                for (var i = 0; i < 12; i++)
                {
                    var id = Math.Clamp(current.RowsRead + random.Next(-100, 600), 1, Rows);
                    n++;
                    if (random.Next(4) == 0)
                    {
                        await h.ExecuteAsync(h.Source, $"DELETE FROM accounts WHERE id = {id}");
                        deleted.Add(id);
                    }
                    else
                    {
                        await h.ExecuteAsync(h.Source, $"BEGIN; UPDATE accounts SET name = 'w{seed}-{n}', balance = balance + 1 WHERE id = {id}; UPDATE accounts SET name = name || '!' WHERE id = {Math.Min(Rows, id + 1)}; COMMIT;");
                    }
                }
            }
        }

        var writers = Enumerable.Range(1, 3).Select(seed => Task.Run(() => WriteAsync(seed), CancellationToken.None)).ToList();
        var done = await WaitForStateAsync(engine, record.Id, "completed");
        await stop.CancelAsync();
        await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.True(deleted.Count > 10, $"the writers deleted only {deleted.Count} rows during the backfill");
        TestContext.Current.TestOutputHelper?.WriteLine($"rows read {done.RowsRead}, events stored {done.RowsEmitted} (superseded {done.RowsRead - done.RowsEmitted}), deletes {deleted.Count}");
        Assert.True(done.RowsRead <= Rows && done.RowsRead > Rows - deleted.Count - 1, $"rows read {done.RowsRead}");
        await WaitForSinkEqualsSourceAsync(h);

        // A deleted row never comes back: no upsert of it is applied after its delete.
        var reappeared = await h.RowsAsync(h.Destination, """
            SELECT d.id FROM applied d
            WHERE d.op = 'delete' AND EXISTS (SELECT 1 FROM applied u WHERE u.id = d.id AND u.op = 'upsert' AND u.seq > d.seq)
            """);
        Assert.Empty(reappeared);
        Assert.Equal(0, await h.ScalarAsync<long>(h.Destination, $"SELECT count(*) FROM order_accounts WHERE id IN ({string.Join(", ", deleted.Distinct())})"));
    }

    [Fact]
    public async Task A_backfill_interrupted_by_an_engine_restart_resumes_from_its_last_chunk_and_completes_without_duplicates()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_restart", SourceDdl, DestinationDdl);
        h.Options.BackfillChunkSize = 100;
        h.Options.BackfillChunkDelay = TimeSpan.FromMilliseconds(20);
        const int Rows = 3_000;
        await h.ExecuteAsync(h.Source, $"INSERT INTO accounts SELECT i, 'row ' || i, i FROM generate_series(1, {Rows}) AS i");
        var model = Model(h);
        var engine = await h.StartAsync(model);
        var (record, _) = await engine.Backfills!.RequestAsync(TestSchemas.Account, null, "test", Ct);
        await Eventually.WaitAsync(async () => (await engine.Backfills.Store.GetAsync(record.Id, Ct))!.RowsRead >= 500, "some chunks stored", TimeSpan.FromMinutes(2));
        await h.StopAsync(engine);

        await using var eventStore = Npgsql.NpgsqlDataSource.Create(h.SourceConnectionString);
        var interrupted = (await new BackfillStore(eventStore).GetAsync(record.Id, Ct))!;
        Assert.Equal("running", interrupted.Status);
        Assert.InRange(interrupted.RowsRead, 500, Rows - 1);
        Assert.NotNull(interrupted.LastKey);
        Assert.Equal(interrupted.RowsRead.ToString(System.Globalization.CultureInfo.InvariantCulture), interrupted.LastKey![0]);

        engine = await h.StartAsync(model);
        var done = await WaitForStateAsync(engine, record.Id, "completed");
        Assert.Equal(Rows, done.RowsRead);
        Assert.Equal(Rows, done.RowsEmitted);
        Assert.True(done.RowsEstimated > 0);
        await WaitForSinkEqualsSourceAsync(h);

        // One event per row: chunks stored before the restart were not read again.
        Assert.Equal(Rows, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM rejot_events.events WHERE operation = 'insert'"));
        Assert.Equal(Rows, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE op = 'upsert'"));
    }

    [Fact]
    public async Task A_filtered_backfill_publishes_only_matching_rows_and_a_bad_filter_fails_with_the_reason()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_filter", SourceDdl, DestinationDdl);
        h.Options.BackfillChunkSize = 64;
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts SELECT i, 'row ' || i, i FROM generate_series(1, 1000) AS i");
        var engine = await h.StartAsync(Model(h));

        var (record, _) = await engine.Backfills!.RequestAsync(TestSchemas.Account, "id % 10 = 0 AND name LIKE 'row %'", "test", Ct);
        var done = await WaitForStateAsync(engine, record.Id, "completed");
        Assert.Equal(100, done.RowsRead);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 100, "the filtered rows");
        Assert.Equal(0, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts WHERE id % 10 <> 0"));
        Assert.Equal("row 990|990", string.Join("|", await h.RowsAsync(h.Destination, "SELECT name, balance FROM order_accounts WHERE id = 990")));

        var error = await Assert.ThrowsAsync<SyncConfigurationException>(() => engine.Backfills.RequestAsync(TestSchemas.Account, "true; DROP TABLE accounts", "test", Ct));
        Assert.Contains("';'", error.Message, StringComparison.Ordinal);

        var (bad, _) = await engine.Backfills.RequestAsync(TestSchemas.Account, "no_such_column > 1", "test", Ct);
        var failed = await WaitForStateAsync(engine, bad.Id, "failed");
        Assert.Contains("no_such_column", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Initial_mode_backfills_a_new_public_schema_once_and_not_again_after_a_restart()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_initial", SourceDdl, DestinationDdl);
        h.Options.InitialBackfill = InitialBackfillMode.NewSchemas;
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts SELECT i, 'row ' || i, i FROM generate_series(1, 300) AS i");
        var model = Model(h);
        var engine = await h.StartAsync(model);

        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 300, "the existing rows");
        var all = await engine.Backfills!.Store.ListAsync(Ct);
        var only = Assert.Single(all);
        Assert.StartsWith("initial", (await h.ScalarAsync<string>(h.Source, $"SELECT requested_by FROM rejot_events.backfills WHERE id = {only.Id}"))!, StringComparison.Ordinal);
        await WaitForStateAsync(engine, only.Id, "completed");

        await h.StopAsync(engine);
        engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (301, 'live', 1)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 301, "the live row");
        Assert.Single(await engine.Backfills!.Store.ListAsync(Ct));
        Assert.Equal(300, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM applied WHERE op = 'upsert' AND id <= 300"));
    }

    [Fact]
    public async Task The_hosting_api_starts_a_backfill_reports_its_progress_and_refuses_before_the_engine_started()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "backfill_hosting", SourceDdl, DestinationDdl);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts SELECT i, 'row ' || i, i FROM generate_series(1, 700) AS i");
        var directory = Directory.CreateTempSubdirectory("rejot-backfill-").FullName;
        try
        {
            var manifest = Path.Combine(directory, "rejot-manifest.json");
            File.WriteAllText(manifest, """
                {"slug": "accounts-service", "manifestVersion": 0,
                 "publicSchemas": [{"name": "account", "source": {"dataStoreSlug": "source"}, "version": {"major": 1, "minor": 0}, "keys": ["id"],
                   "outputSchema": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id", "name"]},
                   "config": {"publicSchemaType": "postgres", "transformations": [
                     {"operation": "insert", "table": "accounts", "sql": "SELECT id, name FROM accounts WHERE id = :id"},
                     {"operation": "update", "table": "accounts", "sql": "SELECT id, name FROM accounts WHERE id = :id"}]}}],
                 "consumerSchemas": [{"name": "into-orders", "sourceManifestSlug": "accounts-service", "publicSchema": {"name": "account", "majorVersion": 1},
                   "config": {"consumerSchemaType": "postgres", "destinationDataStoreSlug": "destination",
                     "sql": "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name",
                     "deleteSql": "DELETE FROM order_accounts WHERE id = :id"}}]}
                """);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:source"] = h.SourceConnectionString,
                ["ConnectionStrings:destination"] = h.DestinationConnectionString,
                ["ReJot:ManifestPaths:0"] = manifest,
                ["ReJot:UseGeneratedManifests"] = "false",
                ["ReJot:DataStores:source:SlotName"] = h.SlotName,
                ["ReJot:BackfillChunkSize"] = "100",
            });
            builder.Services.AddReJotSync();
            using var host = builder.Build();
            var backfills = host.Services.GetRequiredService<IReJotBackfills>();
            var early = await Assert.ThrowsAsync<InvalidOperationException>(() => backfills.StartAsync("account", cancellationToken: Ct));
            Assert.Contains("has not started", early.Message, StringComparison.Ordinal);

            await host.StartAsync(Ct);
            await host.Services.GetRequiredService<ReJotSyncRuntime>().WhenStartedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            var unknown = await Assert.ThrowsAsync<SyncConfigurationException>(() => backfills.StartAsync("nope", cancellationToken: Ct));
            Assert.Contains("accounts-service/account@1", unknown.Message, StringComparison.Ordinal);

            var started = await backfills.StartAsync("accounts-service/account@1", cancellationToken: Ct);
            Assert.Equal(started.Id, (await backfills.StartAsync("account", cancellationToken: Ct)).Id); // one active per schema
            BackfillInfo? info = null;
            await Eventually.WaitAsync(async () => (info = await backfills.GetAsync(started.Id, Ct))?.State == BackfillState.Completed, "the backfill to complete");
            Assert.Equal(700, info!.RowsRead);
            Assert.Equal(700, info.EventsStored);
            Assert.True(info.RowsPerSecond > 0);
            Assert.Null(info.EstimatedRemaining);
            Assert.Contains(await backfills.ListAsync(Ct), b => b.Id == started.Id);
            await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 700, "the rows through the hosted engine");
            Assert.False(await backfills.CancelAsync(started.Id, Ct));
            await host.StopAsync(Ct);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
