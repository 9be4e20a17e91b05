using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Http;

/// <summary>Two sync services, each with its own databases: accounts publishes, orders consumes over HTTP.</summary>
public sealed class FederationTests(PostgresFixture postgres)
{
    private const string Token = "federation-token";
    private const string SourceDdl = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";
    private const string DestinationDdl = """
        CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE applications (id bigint PRIMARY KEY, n integer NOT NULL);
        """;

    // Each application of an event also counts it per id, so an event applied twice (or lost) is visible.
    private const string Count1 = "WITH counted AS (INSERT INTO applications (id, n) VALUES (:id, 1) ON CONFLICT (id) DO UPDATE SET n = applications.n + 1 RETURNING 1) ";
    private const string Upsert = Count1 + "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance";
    private const string Delete = Count1 + "DELETE FROM order_accounts WHERE id = :id";

    [Theory]
    [InlineData("static")]
    [InlineData("env")]
    public async Task Changes_in_accounts_reach_orders_over_http_including_deletes_and_survive_a_restart_of_the_remote_service(string resolverName)
    {
        var ct = TestContext.Current.CancellationToken;

        // Accounts: its own source database (and event store), served on a loopback port with a token.
        await using var accounts = await SyncHarness.CreateAsync(postgres, "fed_accounts_" + resolverName, SourceDdl, "SELECT 1");
        var accountsEngine = await accounts.StartAsync(accounts.Model([Engine.Schemas.AccountSchema(extra: new TransformationModel(TransformOperation.Delete, TableName.Parse("accounts"), """SELECT :id AS "id" """))], []));
        var api = await ServeAsync(accountsEngine, "http://127.0.0.1:0");
        var port = new Uri(api.Urls.First()).Port;

        // Orders: its own database, no source; the consumer reads accounts' events through the resolver under test.
        var ordersConnection = await postgres.CreateDatabaseAsync("fed_orders_" + resolverName);
        await using var orders = NpgsqlDataSource.Create(ordersConnection);
        await using (var ddl = orders.CreateCommand(DestinationDdl))
        {
            await ddl.ExecuteNonQueryAsync(ct);
        }

        ISyncServiceResolver resolver = resolverName == "env"
            ? new EnvironmentResolver(new Dictionary<string, string> { ["REJOT_SYNC_SERVICE_accounts-service"] = $"127.0.0.1:{port}" })
            : SyncServiceResolvers.Create("static", new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Resolvers:accounts-service"] = $"http://127.0.0.1:{port}/" }).Build(), 0);
        Assert.Equal(resolverName, resolver.Name);
        var httpOptions = new ReJotHttpOptions { ClientToken = Token };
        var remote = new RemoteEventSourceFactory(RemoteEventSourceFactory.CreateHttpClient(), resolver, httpOptions,
            new RemoteEventReaderOptions { LongPollWait = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(3) });
        var ordersModel = new SyncModel([], [], [Engine.Schemas.Consumer("accounts-into-orders", Upsert, Delete)], new Dictionary<string, string> { ["destination"] = ordersConnection }, null);
        await using var ordersEngine = new SyncEngine(ordersModel, accounts.Options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics(), remote);
        await ordersEngine.StartAsync(ct);
        Eventually.Describe = () => "orders: " + System.Text.Json.JsonSerializer.Serialize(ordersEngine.GetStatus()) + " accounts: " + System.Text.Json.JsonSerializer.Serialize(accountsEngine.GetStatus())
            + " stored after the consumer's cursor: " + StoredAfter(accounts.Source, ordersEngine.GetStatus().Consumers.Single().CursorLsn);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await accounts.ExecuteAsync(accounts.Source, "INSERT INTO accounts VALUES (1, 'Ada', 10.5), (2, 'Bob', NULL), (3, 'Cy', 3)");
            await accounts.ExecuteAsync(accounts.Source, "UPDATE accounts SET name = 'Ada L.' WHERE id = 1");
            await accounts.ExecuteAsync(accounts.Source, "DELETE FROM accounts WHERE id = 2");
            await Eventually.WaitAsync(async () => await Rows(orders) == "1|Ada L.|10.5;3|Cy|3", "inserts, the update and the delete over HTTP");

            // The real service refuses requests without the token and rejects malformed cursors and limits.
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/read?" + Cursors(null), token: null));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/read?" + Cursors(null), token: "wrong-token"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/read?" + Cursors(null)));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/read?cursors=not-json"));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/read?" + Cursors("\"zz\"")));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/read?" + Cursors(null) + "&limit=0"));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/read?" + Cursors(null) + "&limit=abc"));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/read?" + Cursors(null) + "&limit=1000000"));

            // Delay from a commit in accounts to the row in orders.
            var delays = new List<double>();
            for (var i = 0; i < 9; i++)
            {
                var id = 100 + i;
                var stopwatch = Stopwatch.StartNew();
                await accounts.ExecuteAsync(accounts.Source, $"INSERT INTO accounts VALUES ({id}, 'n{id}', 1)");
                var started = stopwatch.Elapsed;
                await Eventually.WaitAsync(async () => await Count(orders, $"id = {id}") == 1, $"row {id}");
                delays.Add((stopwatch.Elapsed - started).TotalMilliseconds);
            }

            delays.Sort();
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"commit in accounts -> row in orders over HTTP (ms): {string.Join(", ", delays.Select(d => d.ToString("F0", CultureInfo.InvariantCulture)))}; median {delays[delays.Count / 2]:F0}"));

            // Mid-stream: single-row transactions keep coming; the remote service goes away while the consumer is
            // applying them, accounts keeps capturing into its event store, then the service comes back.
            var writer = Task.Run(async () =>
            {
                for (var id = 1000; id < 1200; id++)
                {
                    await accounts.ExecuteAsync(accounts.Source, $"INSERT INTO accounts VALUES ({id}, 'bulk{id}', {id})");
                    if (id % 3 == 0)
                    {
                        await accounts.ExecuteAsync(accounts.Source, $"UPDATE accounts SET balance = balance + 1 WHERE id = {id}");
                    }

                    if (id % 7 == 0)
                    {
                        await accounts.ExecuteAsync(accounts.Source, $"DELETE FROM accounts WHERE id = {id}");
                    }
                }
            }, ct);
            await Eventually.WaitAsync(async () => await Count(orders, "id >= 1000") >= 20 || writer.IsCompleted, "the consumer is applying the stream");
            var appliedWhenStopped = await Count(orders, "id >= 1000");
            await api.StopAsync(ct);
            await api.DisposeAsync();
            await writer;
            TestContext.Current.TestOutputHelper?.WriteLine($"remote service stopped after {appliedWhenStopped} of the 200 streamed rows were applied");
            await Eventually.WaitAsync(() => ordersEngine.GetStatus().Consumers.Single().Faulted, "the consumer notices the remote service is down");

            api = await ServeAsync(accountsEngine, $"http://127.0.0.1:{port}");
            await Eventually.WaitAsync(async () => await Rows(orders) == await Rows(accounts.Source, "accounts"), "catch-up after the remote service is back: orders equals accounts", TimeSpan.FromSeconds(60));

            // Nothing lost and nothing applied twice: every stored event was applied exactly once (the consumer's
            // SQL counts applications per id) and the cursor is at the last stored transaction.
            var stored = await accountsEngine.EventStore.ReadEventsAsync(Engine.Schemas.Account, ReJot.Sync.EventStore.EventPosition.Start, 100_000, ct);
            await Eventually.WaitAsync(() => ordersEngine.GetStatus().Consumers.Single() is { Faulted: false } c && c.CursorLsn == stored[^1].CommitLsn, "the consumer's cursor reaches the last stored transaction");
            var expected = stored.GroupBy(e => System.Text.Json.JsonDocument.Parse(e.ObjectJson).RootElement.GetProperty("id").GetInt64())
                .OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            Assert.Equal(string.Join(";", expected), await Applications(orders));
            // Transformations read current rows, so an insert or update transformed after a later delete yields no
            // event; the deletes themselves always do (1 early, 29 in the stream).
            Assert.Equal(1 + 29, stored.Count(e => e.Operation == ReJot.Sync.EventStore.EventOperation.Delete));
        }
        finally
        {
            await ordersEngine.StopAsync(CancellationToken.None);
            await api.DisposeAsync();
        }
    }

    private static string Cursors(string? transactionId)
        => "cursors=" + Uri.EscapeDataString("""[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":"""
            + (transactionId ?? "null") + "}]");

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string pathAndQuery, string? token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<WebApplication> ServeAsync(SyncEngine engine, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var options = new ReJotHttpOptions();
        options.Tokens.Add(Token);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ISyncHttpBackend>(new SyncEngineHttpBackend(engine));
        var app = builder.Build();
        app.MapReJotSync();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static string StoredAfter(NpgsqlDataSource source, long cursor)
    {
        using var command = source.CreateCommand($"SELECT string_agg(to_hex(commit_lsn) || '#' || idx, ',') FROM rejot_events.events WHERE commit_lsn > {cursor}");
        return command.ExecuteScalar() as string ?? "none";
    }

    private static async Task<string> Rows(NpgsqlDataSource db, string table = "order_accounts")
    {
        await using var command = db.CreateCommand($"SELECT string_agg(id || '|' || name || '|' || coalesce(balance::text, 'null'), ';' ORDER BY id) FROM {table}");
        return (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)) as string ?? string.Empty;
    }

    private static async Task<string> Applications(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT string_agg(id || ':' || n, ';' ORDER BY id) FROM applications");
        return (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)) as string ?? string.Empty;
    }

    private static async Task<long> Count(NpgsqlDataSource db, string where)
    {
        await using var command = db.CreateCommand($"SELECT count(*) FROM order_accounts WHERE {where}");
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
