using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;
using ReJot.Sync.Model;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;
using static ReJot.Sync.Tests.Http.SyncHttpTestServer;

namespace ReJot.Sync.Tests.Http;

/// <summary>A consumer of another service's public schema, reading through a proxy that can fail on demand.</summary>
public sealed class RemoteConsumerPumpTests(PostgresFixture postgres)
{
    private const string DestinationDdl = """
        CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE applications (id bigint PRIMARY KEY, n integer NOT NULL);
        """;

    // Counts applications per id, so an event applied twice (or skipped) is visible.
    private const string Count1 = "WITH counted AS (INSERT INTO applications (id, n) VALUES (:id, 1) ON CONFLICT (id) DO UPDATE SET n = applications.n + 1 RETURNING 1) ";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Remote_consumer_reports_5xx_timeouts_and_dropped_connections_backs_off_and_catches_up_without_skipping_or_doubling()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("pump_remote_store"));
        await using var proxy = await FlakyProxy.StartAsync(server.BaseUri);
        var destination = await postgres.CreateDatabaseAsync("pump_remote_dst");
        await using var db = NpgsqlDataSource.Create(destination);
        await using (var ddl = db.CreateCommand(DestinationDdl))
        {
            await ddl.ExecuteNonQueryAsync(Ct);
        }

        var remote = new RemoteEventSourceFactory(RemoteEventSourceFactory.CreateHttpClient(), new StaticResolver([new("accounts-service", proxy.BaseUri.ToString())]),
            new ReJotHttpOptions { ClientToken = Token }, new RemoteEventReaderOptions { LongPollWait = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(1) });
        var consumer = new ConsumerSchemaModel("orders-service", "accounts-into-orders", Account, "destination",
            Count1 + "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name",
            Count1 + "DELETE FROM order_accounts WHERE id = :id");
        var options = new ReJotSyncOptions { RetryInitialDelay = TimeSpan.FromMilliseconds(200), RetryMaxDelay = TimeSpan.FromMilliseconds(800) };
        await using var engine = new SyncEngine(new SyncModel([], [], [consumer], new Dictionary<string, string> { ["destination"] = destination }, null),
            options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics(), remote);
        await engine.StartAsync(Ct);
        ConsumerStatusSnapshot Status() => engine.GetStatus().Consumers.Single();
        Eventually.Describe = () => System.Text.Json.JsonSerializer.Serialize(Status()) + $" proxy mode {proxy.Mode}, hits {proxy.Hits}";

        await server.CommitAsync(0x100, Upsert(1, "a"), Upsert(2, "b"));
        await Eventually.WaitAsync(async () => await Scalar(db, "SELECT string_agg(id || ':' || name, ';' ORDER BY id) FROM order_accounts") == "1:a;2:b", "the first transaction");

        // 5xx: reported as faulted with the server's answer, retried with backoff (one request per attempt, no
        // hot loop), and nothing after the cursor is applied or skipped meanwhile.
        // (The long poll in flight when the mode changes still gets its answer: wait for the first failed request.)
        proxy.Fail(FlakyProxy.Modes.ServerError);
        await Eventually.WaitAsync(() => proxy.Hits >= 1, "a request after the mode change");
        await server.CommitAsync(0x200, Upsert(3, "c"), Upsert(1, "a2", ReJot.Sync.EventStore.EventOperation.Update));
        await Eventually.WaitAsync(() => Status() is { Faulted: true, Attempts: >= 3 } s && s.Error!.Contains("failed (503)", StringComparison.Ordinal), "the consumer reports the 503s");
        var attempts = Status().Attempts;
        Assert.InRange(proxy.Hits, 1, attempts + 2);
        Assert.Equal(0x100, Status().CursorLsn);

        // No answer within the request timeout.
        proxy.Fail(FlakyProxy.Modes.Hang);
        await Eventually.WaitAsync(() => Status() is { Faulted: true } s && s.Error!.Contains("did not answer", StringComparison.Ordinal), "the consumer reports the timeout");

        // The connection drops without an answer.
        proxy.Fail(FlakyProxy.Modes.Drop);
        await Eventually.WaitAsync(() => Status() is { Faulted: true } s && s.Error!.Contains("unreachable", StringComparison.Ordinal), "the consumer reports the dropped connection");
        Assert.Equal(0x100, Status().CursorLsn);

        // Back: it catches up from its cursor; each event applied exactly once.
        proxy.Fail(FlakyProxy.Modes.Forward);
        await server.CommitAsync(0x300, Delete(2));
        await Eventually.WaitAsync(() => Status() is { Faulted: false, CursorLsn: 0x300 }, "catch-up after the failures");
        Assert.Equal("1:a2;3:c", await Scalar(db, "SELECT string_agg(id || ':' || name, ';' ORDER BY id) FROM order_accounts"));
        Assert.Equal("1:2;2:2;3:1", await Scalar(db, "SELECT string_agg(id || ':' || n, ';' ORDER BY id) FROM applications"));
        Assert.Equal(0, Status().Attempts);
        Assert.Null(Status().Error);
    }

    private static async Task<string?> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync(Ct) as string;
    }

    /// <summary>Forwards to the real service, or fails in a chosen way.</summary>
    private sealed class FlakyProxy : IAsyncDisposable
    {
        private static readonly HttpClient s_forward = new() { Timeout = TimeSpan.FromSeconds(60) };
        private readonly WebApplication _app;
        private int _mode;
        private int _hits;

        private FlakyProxy(WebApplication app)
        {
            _app = app;
            BaseUri = new Uri($"http://127.0.0.1:{new Uri(app.Urls.First()).Port}/");
        }

        public enum Modes
        {
            Forward,
            ServerError,
            Hang,
            Drop,
        }

        public Uri BaseUri { get; }

        public Modes Mode => (Modes)Volatile.Read(ref _mode);

        /// <summary>Requests answered with a failure since the last mode change.</summary>
        public int Hits => Volatile.Read(ref _hits);

        public void Fail(Modes mode)
        {
            Volatile.Write(ref _mode, (int)mode);
            Interlocked.Exchange(ref _hits, 0);
        }

        public static async Task<FlakyProxy> StartAsync(Uri target)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            FlakyProxy? proxy = null;
            app.Run(async context =>
            {
                var mode = proxy!.Mode;
                if (mode != Modes.Forward)
                {
                    Interlocked.Increment(ref proxy._hits);
                }

                switch (mode)
                {
                    case Modes.ServerError:
                        context.Response.StatusCode = 503;
                        await context.Response.WriteAsJsonAsync(new { statusCode = 503, message = "event store unavailable (injected)" });
                        return;
                    case Modes.Hang:
                        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                        return;
                    case Modes.Drop:
                        context.Abort();
                        return;
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, context.Request.Path + context.Request.QueryString));
                if (context.Request.Headers.Authorization.Count > 0)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
                }

                using var response = await s_forward.SendAsync(request, context.RequestAborted);
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
                await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            });
            await app.StartAsync(Ct);
            proxy = new FlakyProxy(app);
            return proxy;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
