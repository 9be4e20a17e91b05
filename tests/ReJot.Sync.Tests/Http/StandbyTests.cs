using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Http;

/// <summary>A standby instance reads no slot of its own and still serves <c>/read</c> from the event store.</summary>
public sealed class StandbyTests(PostgresFixture postgres)
{
    private const string Token = "standby-token";
    private const string SourceDdl = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Standby_serves_read_from_the_event_store_without_a_slot_while_the_active_instance_captures_and_after_it_stops()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "standby", SourceDdl, "SELECT 1");
        var model = h.Model([Engine.Schemas.AccountSchema(extra: new Model.TransformationModel(Model.TransformOperation.Delete, Model.TableName.Parse("accounts"), """SELECT :id AS "id" """))], []);
        var active = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'before', 1)");
        await Eventually.WaitAsync(() => active.GetStatus().Sources[0].Events == 1, "the active instance stores the first event");

        var standbyOptions = new ReJotSyncOptions { Standby = true, RetryInitialDelay = h.Options.RetryInitialDelay, RetryMaxDelay = h.Options.RetryMaxDelay };
        await using var standby = new SyncEngine(model, standbyOptions, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());
        await standby.StartAsync(Ct);
        await using var api = await ServeAsync(standby);
        using var http = new HttpClient { BaseAddress = new Uri(api.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

        // No slot of its own, nothing to report as a source or consumer, and started.
        Assert.Equal(1L, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
        Assert.Equal(SyncState.Started, standby.GetStatus().State);
        Assert.Empty(standby.GetStatus().Sources);
        Assert.Empty(standby.GetStatus().Consumers);

        Assert.Equal(["insert 1 before"], await ReadAsync(http, wait: 0));

        // A long poll on the standby wakes up for a transaction the active instance stores.
        var polling = ReadAsync(http, wait: 30_000, after: await LastTransactionIdAsync(http));
        await h.ExecuteAsync(h.Source, "UPDATE accounts SET name = 'after' WHERE id = 1");
        Assert.Equal(["update 1 after"], await polling);

        // The active instance goes away: the standby still serves everything stored.
        await h.ExecuteAsync(h.Source, "DELETE FROM accounts WHERE id = 1");
        await Eventually.WaitAsync(() => active.GetStatus().Sources[0].Events == 3, "the active instance stores the delete");
        await h.StopAsync(active);
        Assert.Equal(["insert 1 before", "update 1 after", "delete 1 "], await ReadAsync(http, wait: 0));
        Assert.Equal(1L, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
    }

    [Fact]
    public async Task Standby_refuses_to_start_on_an_event_store_that_is_not_migrated()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "standby_empty", SourceDdl, "SELECT 1");
        var model = h.Model([Engine.Schemas.AccountSchema()], []);
        await using var standby = new SyncEngine(model, new ReJotSyncOptions { Standby = true }, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => standby.StartAsync(Ct));

        Assert.Contains("is not migrated", error.Message, StringComparison.Ordinal);
        Assert.Contains("Start the active instance", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM pg_namespace WHERE nspname = 'rejot_events'"));
        Assert.Equal(0L, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
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
        await app.StartAsync(Ct);
        return app;
    }

    private static string Cursors(string? transactionId)
        => "cursors=" + Uri.EscapeDataString("""[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":"""
            + (transactionId is null ? "null" : $"\"{transactionId}\"") + "}]");

    private static async Task<JsonElement> GetAsync(HttpClient http, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{pathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The events after <paramref name="after"/> as "operation id name".</summary>
    private static async Task<List<string>> ReadAsync(HttpClient http, int wait, string? after = null)
    {
        var root = await GetAsync(http, $"/read?{Cursors(after)}&limit=100&wait={wait}");
        var events = new List<string>();
        foreach (var transaction in root.EnumerateArray())
        {
            foreach (var e in transaction.GetProperty("operations").EnumerateArray())
            {
                var obj = e.TryGetProperty("object", out var o) ? o : e.GetProperty("objectKeys");
                var name = obj.TryGetProperty("name", out var n) ? n.GetString() : string.Empty;
                events.Add($"{e.GetProperty("type").GetString()} {obj.GetProperty("id").GetInt64()} {name}");
            }
        }

        return events;
    }

    private static async Task<string> LastTransactionIdAsync(HttpClient http)
    {
        var root = await GetAsync(http, $"/read?{Cursors(null)}&limit=100");
        return root.EnumerateArray().Last().GetProperty("transactionId").GetString()!;
    }
}
