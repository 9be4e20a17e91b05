using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ReJot.Sync.EventStore;
using ReJot.Sync.Http;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;
using static ReJot.Sync.Tests.Http.SyncHttpTestServer;

namespace ReJot.Sync.Tests.Http;

public sealed class SyncHttpRouteTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Root_reports_health_and_routes_without_a_token()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_root"));

        var (status, body) = await server.SendAsync("/", token: null);

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("ok", json.RootElement.GetProperty("health").GetString());
        var paths = json.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("method").GetString() + " " + r.GetProperty("path").GetString()).ToArray();
        Assert.Equal(["GET /", "GET /status", "GET /public-schemas", "GET /data-store/cursors", "GET /read"], paths);
    }

    [Theory]
    [InlineData("/read")]
    [InlineData("/status")]
    [InlineData("/public-schemas")]
    [InlineData("/data-store/cursors")]
    public async Task Routes_refuse_requests_without_a_valid_token(string path)
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_auth"));

        using (var request = server.Get(path, token: null))
        using (var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(path, token: "s3cret-tokeN")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(path)).Status);
    }

    [Fact]
    public async Task Service_listening_beyond_loopback_without_tokens_refuses_everything_until_configured()
    {
        var database = await postgres.CreateDatabaseAsync("http_open");
        await using (var server = await StartAsync(database, o => o.Tokens.Clear(), url: "http://0.0.0.0:0"))
        {
            var (status, body) = await server.SendAsync("/status", token: null);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("ReJot:Http:Tokens", body, StringComparison.Ordinal);
        }

        await using (var loopback = await StartAsync(database, o => o.Tokens.Clear()))
        {
            Assert.Equal(HttpStatusCode.OK, (await loopback.SendAsync("/status", token: null)).Status);
        }

        await using (var explicitlyOpen = await StartAsync(database, o => { o.Tokens.Clear(); o.RequireAuthentication = false; }, url: "http://0.0.0.0:0"))
        {
            Assert.Equal(HttpStatusCode.OK, (await explicitlyOpen.SendAsync("/status", token: null)).Status);
        }
    }

    [Fact]
    public async Task Read_returns_transactions_in_the_original_json_shape()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_read"));
        await server.CommitAsync(0x100, Upsert(1, "Ada"), Upsert(2, "Bob"), new NewEvent(Invoice, 0, EventOperation.Insert, """{"no":7}"""));
        await server.CommitAsync(0x200, Upsert(1, "Ada L.", EventOperation.Update), Delete(2));

        var (status, body) = await server.SendAsync("/read?" + CursorsQuery(Account, null));

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = """
            [{"transactionId":"0000000000000100","operations":[
              {"type":"insert","sourceManifestSlug":"accounts-service","sourcePublicSchema":{"name":"account","version":{"major":1,"minor":3}},"object":{"id":1,"name":"Ada"}},
              {"type":"insert","sourceManifestSlug":"accounts-service","sourcePublicSchema":{"name":"account","version":{"major":1,"minor":3}},"object":{"id":2,"name":"Bob"}}]},
             {"transactionId":"0000000000000200","operations":[
              {"type":"update","sourceManifestSlug":"accounts-service","sourcePublicSchema":{"name":"account","version":{"major":1,"minor":3}},"object":{"id":1,"name":"Ada L."}},
              {"type":"delete","sourceManifestSlug":"accounts-service","sourcePublicSchema":{"name":"account","version":{"major":1,"minor":3}},"objectKeys":{"id":2}}]}]
            """;
        Assert.Equal(Canonical(expected), Canonical(body));

        // After the first transaction (16-hex or the original X/Y LSN form), only the second comes back.
        foreach (var id in (string[])["0000000000000100", "0/100"])
        {
            var (_, after) = await server.SendAsync("/read?" + CursorsQuery(Account, id));
            using var json = JsonDocument.Parse(after);
            Assert.Equal(["0000000000000200"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("transactionId").GetString()));
        }
    }

    [Fact]
    public async Task Read_merges_several_cursors_by_transaction()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_merge"));
        await server.CommitAsync(0x100, Upsert(1, "Ada"), new NewEvent(Invoice, 0, EventOperation.Insert, """{"no":7}"""));
        await server.CommitAsync(0x180, new NewEvent(Invoice, 0, EventOperation.Insert, """{"no":8}"""));

        var cursors = """[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":null},{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"invoice","version":{"major":2}}},"transactionId":null}]""";
        var (status, body) = await server.SendAsync("/read?cursors=" + Uri.EscapeDataString(cursors));

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var transactions = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["0000000000000100", "0000000000000180"], transactions.Select(t => t.GetProperty("transactionId").GetString()));
        Assert.Equal(["account", "invoice"], transactions[0].GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("sourcePublicSchema").GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Limit_never_splits_a_transaction()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_limit"));
        await server.CommitAsync(0x100, Upsert(1, "a"), Upsert(2, "b"), Upsert(3, "c"));
        await server.CommitAsync(0x200, Upsert(4, "d"));

        var (_, body) = await server.SendAsync("/read?" + CursorsQuery(Account, null) + "&limit=1");

        using var json = JsonDocument.Parse(body);
        var transaction = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(3, transaction.GetProperty("operations").GetArrayLength());
    }

    [Theory]
    [InlineData("cursors=not-json", "cursors is not valid JSON")]
    [InlineData("cursors=%7B%7D", "cursors must be a JSON array")]
    [InlineData("cursors=%5B%7B%7D%5D", "cursors[0].schema is missing")]
    [InlineData("cursors=%5B%7B%22schema%22%3A%7B%22manifest%22%3A%7B%7D%7D%7D%5D", "cursors[0].schema.manifest.slug is missing")]
    [InlineData("limit=0", "limit must be a whole number from 1 to 1000")]
    [InlineData("limit=1001", "limit must be a whole number from 1 to 1000")]
    [InlineData("limit=ten", "limit must be a whole number from 1 to 1000")]
    [InlineData("limit=-5", "limit must be a whole number from 1 to 1000")]
    [InlineData("limit=1&limit=2", "limit is given more than once")]
    [InlineData("wait=999999999", "wait must be a whole number of milliseconds")]
    public async Task Malformed_query_gets_400_with_a_message(string query, string message)
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_bad"));

        var (status, body) = await server.SendAsync("/read?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(400, json.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Contains(message, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"zz\"")]
    [InlineData("\"00000000000000001\"")]
    [InlineData("17")]
    public async Task Malformed_transaction_id_gets_400(string transactionId)
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_badtx"));
        var cursors = """[{"schema":{"manifest":{"slug":"accounts-service"},"schema":{"name":"account","version":{"major":1}}},"transactionId":""" + transactionId + "}]";

        var (status, body) = await server.SendAsync("/read?cursors=" + Uri.EscapeDataString(cursors));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cursors[0].transactionId", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cursor_for_a_schema_the_service_does_not_publish_gets_400_listing_what_it_publishes()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_unknown"));

        var (status, body) = await server.SendAsync("/read?" + CursorsQuery(new PublicSchemaKey("accounts-service", "account", 2), null));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("accounts-service->account@2", body, StringComparison.Ordinal);
        Assert.Contains("accounts-service->account@1", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_poll_answers_at_once_with_an_empty_page_when_the_host_stops()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_wait_stop"), o => o.MaxWait = TimeSpan.FromMinutes(10));
        await server.CommitAsync(0x100, Upsert(1, "a"));

        // A ten-minute wait that the host's stop must cut short (before, the server waited for it to expire).
        var pending = server.SendAsync("/read?" + CursorsQuery(Account, "0000000000000100") + "&wait=600000");
        await Eventually.WaitAsync(() => Task.FromResult(server.OpenRequests > 0), "the long poll to reach the server");
        Assert.False(pending.IsCompleted, "the long poll returned before there was anything to return");
        var stopping = server.StopAsync();

        var (status, body) = await pending.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[]", body);
        await stopping.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Long_poll_answers_as_soon_as_a_transaction_is_committed()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_wait"));
        await server.CommitAsync(0x100, Upsert(1, "a"));

        // Nothing after 0x100 yet: with wait the request is held until the commit below.
        var stopwatch = Stopwatch.StartNew();
        var pending = server.SendAsync("/read?" + CursorsQuery(Account, "0000000000000100") + "&wait=10000");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted, "the long poll returned before there was anything to return");
        var committedAt = stopwatch.Elapsed;
        await server.CommitAsync(0x200, Upsert(2, "b"));

        var (status, body) = await pending;
        var latency = stopwatch.Elapsed - committedAt;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("0000000000000200", body, StringComparison.Ordinal);
        Assert.True(latency < TimeSpan.FromSeconds(5), $"long poll took {latency.TotalMilliseconds:F0} ms after the commit");
        TestContext.Current.TestOutputHelper?.WriteLine($"long-poll wake-up after commit: {latency.TotalMilliseconds:F0} ms");

        // Without new events, the wait expires with an empty page.
        var (_, empty) = await server.SendAsync("/read?" + CursorsQuery(Account, "0000000000000200") + "&wait=200");
        Assert.Equal("[]", empty);
    }

    [Fact]
    public async Task Status_public_schemas_and_cursors_have_the_original_shapes()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_meta"));

        Assert.Equal("""{"state":"started"}""", (await server.SendAsync("/status")).Body);

        using var schemas = JsonDocument.Parse((await server.SendAsync("/public-schemas")).Body);
        var account = schemas.RootElement[0];
        Assert.Equal("account", account.GetProperty("name").GetString());
        Assert.Equal("accounts-service", account.GetProperty("manifestSlug").GetString());
        Assert.Equal("accounts-db", account.GetProperty("source").GetProperty("dataStoreSlug").GetString());
        Assert.Equal("public.accounts", account.GetProperty("source").GetProperty("tables")[0].GetString());
        Assert.Equal(1, account.GetProperty("version").GetProperty("major").GetInt32());
        Assert.Equal(3, account.GetProperty("version").GetProperty("minor").GetInt32());
        Assert.Equal("object", account.GetProperty("outputSchema").GetProperty("type").GetString());

        var cursors = (await server.SendAsync("/data-store/cursors")).Body;
        Assert.Equal(
            Canonical("""[{"schema":{"manifest":{"slug":"billing"},"schema":{"name":"customer","version":{"major":1}}},"transactionId":"0000000000001A2B"},{"schema":{"manifest":{"slug":"billing"},"schema":{"name":"plan","version":{"major":1}}},"transactionId":null}]"""),
            Canonical(cursors));
    }

    [Fact]
    public async Task Instance_without_an_event_store_answers_read_with_503()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync("http_nostore"), withStore: false);

        var (status, body) = await server.SendAsync("/read?" + CursorsQuery(Account, null));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("no event store", body, StringComparison.Ordinal);

        // While the engine starts, the answer says so (consumers retry).
        server.State = "initial";
        (status, body) = await server.SendAsync("/read?" + CursorsQuery(Account, null));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("is starting; retry shortly", body, StringComparison.Ordinal);
    }

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
