using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.Backfill;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;
using TestSchemas = ReJot.Sync.Tests.Engine.Schemas;

namespace ReJot.Sync.Tests.Backfill;

/// <summary>A backfill for one consumer of another service, which reads over HTTP; progress in /status and metrics.</summary>
public sealed class RemoteConsumerBackfillTests(PostgresFixture postgres)
{
    private const string Token = "backfill-token";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ConsumerSchemaModel Sink(string name, string table) => TestSchemas.Consumer(
        name,
        $"INSERT INTO {table} (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance",
        $"DELETE FROM {table} WHERE id = :id");

    [Fact]
    public async Task A_backfill_for_a_remote_consumer_reaches_only_that_consumer_over_http_and_status_and_metrics_show_its_progress()
    {
        const int Rows = 1_500;
        await using var accounts = await SyncHarness.CreateAsync(postgres, "backfill_remote", "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);", "SELECT 1");
        accounts.Options.BackfillChunkSize = 200;
        await accounts.ExecuteAsync(accounts.Source, $"INSERT INTO accounts SELECT i, 'row ' || i, i FROM generate_series(1, {Rows}) AS i");

        // The publisher's engine with its own meter, so the listener sees only its measurements.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        long rowsRead = 0;
        var running = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name is "rejot.backfill.rows_read" or "rejot.backfill.running")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref rowsRead, value));
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref running, value));
        listener.Start();

        var model = accounts.Model([TestSchemas.AccountSchema(extra: new TransformationModel(TransformOperation.Delete, TableName.Parse("accounts"), "SELECT :id AS id"))], []);
        await using var accountsEngine = new SyncEngine(model, accounts.Options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics(meterFactory));
        await accountsEngine.StartAsync(Ct);
        await using var api = await ServeAsync(accountsEngine);
        var port = new Uri(api.Urls.First()).Port;

        // Orders: two consumers of the contract in another service, reading over HTTP.
        var ordersConnection = await postgres.CreateDatabaseAsync("backfill_remote_orders");
        await using var orders = NpgsqlDataSource.Create(ordersConnection);
        await using (var ddl = orders.CreateCommand("""
            CREATE TABLE a_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
            CREATE TABLE b_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
            """))
        {
            await ddl.ExecuteNonQueryAsync(Ct);
        }

        var resolver = new EnvironmentResolver(new Dictionary<string, string> { ["REJOT_SYNC_SERVICE_accounts-service"] = $"127.0.0.1:{port}" });
        var remote = new RemoteEventSourceFactory(RemoteEventSourceFactory.CreateHttpClient(), resolver, new ReJotHttpOptions { ClientToken = Token },
            new RemoteEventReaderOptions { LongPollWait = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(5) });
        var ordersModel = new SyncModel([], [], [Sink("a", "a_accounts"), Sink("b", "b_accounts")], new Dictionary<string, string> { ["destination"] = ordersConnection }, null);
        await using var ordersEngine = new SyncEngine(ordersModel, accounts.Options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics(), remote);
        await ordersEngine.StartAsync(Ct);
        Eventually.Describe = () => "orders: " + JsonSerializer.Serialize(ordersEngine.GetStatus());

        // The publisher does not run consumer "a": it is accepted only as a remote consumer, named in full.
        Assert.Throws<SyncConfigurationException>(() => BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "orders-service/a", remote: false));
        var target = BackfillCoordinator.ResolveConsumer(model.Consumers, TestSchemas.Account, "orders-service/a", remote: true);
        var (record, _) = await accountsEngine.Backfills!.RequestAsync(TestSchemas.Account, null, target, "test", Ct);
        await Eventually.WaitAsync(async () => (await accountsEngine.Backfills.Store.GetAsync(record.Id, Ct))!.Status == "completed", "the backfill to complete", TimeSpan.FromMinutes(3));
        await accounts.ExecuteAsync(accounts.Source, "UPDATE accounts SET name = 'live' WHERE id = 5");

        await Eventually.WaitAsync(async () => await ScalarAsync(orders, "SELECT count(*) FROM a_accounts") == Rows
            && await ScalarAsync(orders, "SELECT count(*) FROM a_accounts WHERE id = 5 AND name = 'live'") == 1, "A to hold every row and the live change", TimeSpan.FromMinutes(2));
        await Eventually.WaitAsync(async () => await ScalarAsync(orders, "SELECT count(*) FROM b_accounts WHERE id = 5") == 1, "B to get the live change");
        Assert.Equal(1, await ScalarAsync(orders, "SELECT count(*) FROM b_accounts"));

        // Over HTTP: /read without consumer= (the original's protocol) has no backfill event; with it, all of them.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var cursors = "cursors=" + Uri.EscapeDataString("""[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":null}]""");
        Assert.Equal(1, Operations(await GetAsync(http, "/read?" + cursors + "&limit=1000")));
        Assert.Equal(Rows + 1, await AllOperationsAsync(http, cursors + "&consumer=" + Uri.EscapeDataString("orders-service/a")));
        Assert.Equal(1, Operations(await GetAsync(http, "/read?" + cursors + "&limit=1000&consumer=orders-service%2Fb")));
        using (var bad = await SendAsync(http, "/read?" + cursors + "&consumer=nobody"))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        }

        // /status lists the backfill with its progress; the metrics counted its rows and it no longer runs.
        using var status = JsonDocument.Parse(await GetAsync(http, "/status"));
        Assert.Equal("started", status.RootElement.GetProperty("state").GetString());
        var listed = Assert.Single(status.RootElement.GetProperty("backfills").EnumerateArray());
        Assert.Equal(record.Id, listed.GetProperty("id").GetInt64());
        Assert.Equal("accounts-service/account@1", listed.GetProperty("publicSchema").GetString());
        Assert.Equal("orders-service/a", listed.GetProperty("forConsumer").GetString());
        Assert.Equal("completed", listed.GetProperty("state").GetString());
        Assert.Equal(Rows, listed.GetProperty("rowsRead").GetInt64());
        Assert.Equal(Rows, listed.GetProperty("eventsStored").GetInt64());
        Assert.True(listed.GetProperty("rowsPerSecond").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("etaSeconds").ValueKind);
        Assert.Equal(Rows, Interlocked.Read(ref rowsRead));
        await Eventually.WaitAsync(() => Volatile.Read(ref running) == 0, "the running gauge back to 0");
        await ordersEngine.StopAsync(CancellationToken.None);
    }

    private static async Task<WebApplication> ServeAsync(SyncEngine engine)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var options = new ReJotHttpOptions();
        options.Tokens.Add(Token);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ISyncHttpBackend>(new SyncEngineHttpBackend(engine));
        var app = builder.Build();
        app.MapReJotSync();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await http.SendAsync(request, Ct);
    }

    private static async Task<string> GetAsync(HttpClient http, string pathAndQuery)
    {
        using var response = await SendAsync(http, pathAndQuery);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }

    private static int Operations(string readBody)
    {
        using var document = JsonDocument.Parse(readBody);
        return document.RootElement.EnumerateArray().Sum(t => t.GetProperty("operations").GetArrayLength());
    }

    /// <summary>Every operation a reader gets by following transaction ids page by page.</summary>
    private static async Task<int> AllOperationsAsync(HttpClient http, string query)
    {
        var total = 0;
        string? after = null;
        while (true)
        {
            var cursor = Uri.EscapeDataString("""[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":"""
                + (after is null ? "null" : $"\"{after}\"") + "}]");
            using var page = JsonDocument.Parse(await GetAsync(http, "/read?" + query.Replace(query[..query.IndexOf('&', StringComparison.Ordinal)], "cursors=" + cursor, StringComparison.Ordinal) + "&limit=500"));
            var transactions = page.RootElement.EnumerateArray().ToList();
            if (transactions.Count == 0)
            {
                return total;
            }

            total += transactions.Sum(t => t.GetProperty("operations").GetArrayLength());
            after = transactions[^1].GetProperty("transactionId").GetString();
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
