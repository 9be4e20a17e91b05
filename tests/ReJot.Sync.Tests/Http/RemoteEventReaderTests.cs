using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using ReJot.Sync.EventStore;
using ReJot.Sync.Http;
using ReJot.TestSupport;
using static ReJot.Sync.Tests.Http.SyncHttpTestServer;

namespace ReJot.Sync.Tests.Http;

public sealed class RemoteEventReaderTests(PostgresFixture postgres)
{
    private static readonly HttpClient s_http = RemoteEventSourceFactory.CreateHttpClient();

    [Fact]
    public async Task Reader_found_through_the_env_resolver_reads_every_event_in_order_across_pages()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("client_env"));
        await server.CommitAsync(0x100, Upsert(1, "a"), Upsert(2, "b"));
        await server.CommitAsync(0x200, Upsert(3, "c"));
        await server.CommitAsync(0x300, Upsert(1, "a2", EventOperation.Update), Delete(2));
        var resolver = new EnvironmentResolver(new Dictionary<string, string> { ["REJOT_SYNC_SERVICE_accounts-service"] = $"127.0.0.1:{server.BaseUri.Port}" });
        var reader = new RemoteEventReader(s_http, resolver, Account, new RemoteEventReaderOptions { Token = Token });

        var seen = new List<StoredEvent>();
        var position = EventPosition.Start;
        for (var page = 0; page < 10; page++)
        {
            var events = await reader.ReadEventsAsync(Account, position, limit: 1, TestContext.Current.CancellationToken);
            if (events.Count == 0)
            {
                break;
            }

            seen.AddRange(events);
            position = events[^1].Position;
        }

        Assert.Equal(
            ["Insert 0000000000000100 {\"id\":1,\"name\":\"a\"}", "Insert 0000000000000100 {\"id\":2,\"name\":\"b\"}", "Insert 0000000000000200 {\"id\":3,\"name\":\"c\"}",
             "Update 0000000000000300 {\"id\":1,\"name\":\"a2\"}", "Delete 0000000000000300 {\"id\":2}"],
            seen.Select(e => $"{e.Operation} {e.TransactionId} {Compact(e.ObjectJson)}"));
        Assert.All(seen, e => Assert.Equal(3, e.Minor));
        Assert.All(seen, e => Assert.Equal(Account, e.Schema));
    }

    [Fact]
    public async Task Reader_found_through_the_static_resolver_continues_from_inside_a_transaction()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("client_static"));
        await server.CommitAsync(0x100, Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Resolvers:accounts-service"] = server.BaseUri.ToString() }).Build();
        var reader = new RemoteEventReader(s_http, SyncServiceResolvers.Create("static", configuration, 0), Account, new RemoteEventReaderOptions { Token = Token });

        // A consumer that stopped after the first event of a transaction gets exactly the rest of it.
        var rest = await reader.ReadEventsAsync(Account, new EventPosition(0x100, 0), 100, TestContext.Current.CancellationToken);

        Assert.Equal([1, 2], rest.Select(e => e.Index));
        Assert.Equal(["{\"id\":2,\"name\":\"b\"}", "{\"id\":3,\"name\":\"c\"}"], rest.Select(e => Compact(e.ObjectJson)));
    }

    [Fact]
    public async Task Waiting_reader_wakes_within_milliseconds_of_a_commit_and_reuses_the_fetched_page()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("client_wait"));
        await server.CommitAsync(0x100, Upsert(1, "a"));
        var reader = new RemoteEventReader(s_http, new StaticResolver([new("accounts-service", server.BaseUri.ToString())]), Account,
            new RemoteEventReaderOptions { Token = Token, LongPollWait = TimeSpan.FromSeconds(10) });
        var after = EventPosition.AfterTransaction(0x100);

        var latencies = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var waiting = reader.WaitForEventsAsync(Account, after, TestContext.Current.CancellationToken);
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.False(waiting.IsCompleted);
            var stopwatch = Stopwatch.StartNew();
            var lsn = 0x200L + (i * 0x100);
            await server.CommitAsync(lsn, Upsert(10 + i, "n"));
            await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);

            var events = await reader.ReadEventsAsync(Account, after, 100, TestContext.Current.CancellationToken);
            Assert.Equal(lsn, Assert.Single(events).CommitLsn);
            after = events[^1].Position;
        }

        latencies.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine($"remote wake-up after commit (ms): {string.Join(", ", latencies.Select(l => l.ToString("F0")))}; median {latencies[1]:F0}");
    }

    [Fact]
    public async Task Failures_are_typed_so_the_consumer_knows_whether_to_retry()
    {
        var database = await postgres.CreateDatabaseAsync("client_errors");
        var server = await StartAsync(database);
        var resolver = new StaticResolver([new("accounts-service", server.BaseUri.ToString())]);
        try
        {
            var wrongToken = new RemoteEventReader(s_http, resolver, Account, new RemoteEventReaderOptions { Token = "nope" });
            var unauthorized = await Assert.ThrowsAsync<RemoteSyncServiceException>(() => wrongToken.ReadTransactionsAsync(null, 10, TimeSpan.Zero, TestContext.Current.CancellationToken));
            Assert.Equal(RemoteReadFailure.Unauthorized, unauthorized.Failure);
            Assert.Equal(401, unauthorized.StatusCode);
            Assert.False(unauthorized.IsTransient);
            Assert.Contains("ReJot:Http:ClientToken", unauthorized.Message, StringComparison.Ordinal);

            var unknownSchema = new PublicSchemaKey("accounts-service", "account", 9);
            var badRequest = await Assert.ThrowsAsync<RemoteSyncServiceException>(
                () => new RemoteEventReader(s_http, resolver, unknownSchema, new RemoteEventReaderOptions { Token = Token }).ReadTransactionsAsync(null, 10, TimeSpan.Zero, TestContext.Current.CancellationToken));
            Assert.Equal(RemoteReadFailure.BadRequest, badRequest.Failure);
            Assert.Contains("does not publish accounts-service->account@9", badRequest.Message, StringComparison.Ordinal);

            var unresolved = await Assert.ThrowsAsync<RemoteSyncServiceException>(
                () => new RemoteEventReader(s_http, new EnvironmentResolver(new Dictionary<string, string>()), Account, new RemoteEventReaderOptions()).ReadTransactionsAsync(null, 10, TimeSpan.Zero, TestContext.Current.CancellationToken));
            Assert.Equal(RemoteReadFailure.Unresolved, unresolved.Failure);
            Assert.Contains("REJOT_SYNC_SERVICE_accounts-service", unresolved.Message, StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
        }

        // The service is gone: transient, so the consumer backs off and tries again.
        var reader = new RemoteEventReader(s_http, resolver, Account, new RemoteEventReaderOptions { Token = Token, RequestTimeout = TimeSpan.FromSeconds(3) });
        var down = await Assert.ThrowsAsync<RemoteSyncServiceException>(() => reader.ReadTransactionsAsync(null, 10, TimeSpan.Zero, TestContext.Current.CancellationToken));
        Assert.Equal(RemoteReadFailure.Unreachable, down.Failure);
        Assert.True(down.IsTransient);
    }

    [Fact]
    public async Task Read_against_a_restarted_service_on_the_same_port_continues_without_loss()
    {
        var database = await postgres.CreateDatabaseAsync("client_restart");
        var first = await StartAsync(database);
        var port = first.BaseUri.Port;
        await first.CommitAsync(0x100, Upsert(1, "a"));
        var reader = new RemoteEventReader(s_http, new StaticResolver([new("accounts-service", $"127.0.0.1:{port}")]), Account, new RemoteEventReaderOptions { Token = Token });
        var before = await reader.ReadEventsAsync(Account, EventPosition.Start, 100, TestContext.Current.CancellationToken);
        await first.CommitAsync(0x200, Upsert(2, "b"));
        await first.DisposeAsync();

        await using var second = await StartAsync(database, url: $"http://127.0.0.1:{port}");
        var after = await reader.ReadEventsAsync(Account, before[^1].Position, 100, TestContext.Current.CancellationToken);

        Assert.Equal(0x200, Assert.Single(after).CommitLsn);
    }

    /// <summary>jsonb stores objects normalised ("{"id": 1}"); compare without the spaces.</summary>
    private static string Compact(string json) => System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Factory_creates_readers_only_for_resolvable_manifests_with_their_token()
    {
        var options = new ReJotHttpOptions { ClientToken = "default" };
        options.ClientTokens["accounts-service"] = "accounts-token";
        var factory = new RemoteEventSourceFactory(s_http, new StaticResolver([new("accounts-service", "http://accounts:80")]), options);

        Assert.IsType<RemoteEventReader>(factory.TryCreate(Account));
        Assert.Null(factory.TryCreate(new PublicSchemaKey("orders", "order", 1)));
    }
}
