using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Http;

namespace ReJot.Sync.Tests.Http;

/// <summary>A real Kestrel server with MapReJotSync over a real PostgreSQL event store.</summary>
internal sealed class SyncHttpTestServer : IAsyncDisposable
{
    public static readonly PublicSchemaKey Account = new("accounts-service", "account", 1);
    public static readonly PublicSchemaKey Invoice = new("accounts-service", "invoice", 2);
    public const string Token = "s3cret-token";

    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _dataSource;

    private readonly StrongBox<int> _openRequests;

    private SyncHttpTestServer(WebApplication app, NpgsqlDataSource dataSource, PostgresEventStore store, StrongBox<int> openRequests)
    {
        _openRequests = openRequests;
        _app = app;
        _dataSource = dataSource;
        Store = store;
        var address = app.Urls.First();
        var port = new Uri(address).Port;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        Client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public PostgresEventStore Store { get; }

    /// <summary>Requests the server is handling right now.</summary>
    public int OpenRequests => Volatile.Read(ref _openRequests.Value);

    public Uri BaseUri { get; }

    public HttpClient Client { get; }

    public string State { get; set; } = "started";

    public static async Task<SyncHttpTestServer> StartAsync(
        string eventStoreConnectionString, Action<ReJotHttpOptions>? configure = null, string url = "http://127.0.0.1:0", bool withStore = true)
    {
        var dataSource = NpgsqlDataSource.Create(eventStoreConnectionString);
        var store = new PostgresEventStore(dataSource);
        await store.MigrateAsync(TestContext.Current.CancellationToken);

        var options = new ReJotHttpOptions();
        options.Tokens.Add(Token);
        configure?.Invoke(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddSingleton(options);
        SyncHttpTestServer? server = null;
        builder.Services.AddSingleton<ISyncHttpBackend>(_ => new SyncHttpBackend(
            withStore ? store : null,
            [
                new PublishedSchema(Account, 3, "accounts-db", ["public.accounts"], """{"type":"object","properties":{"id":{"type":"integer"}}}"""),
                new PublishedSchema(Invoice, 0, "accounts-db", ["public.invoices"], """{"type":"object"}"""),
            ],
            () => server!.State,
            _ => Task.FromResult<IReadOnlyList<ConsumerCursor>>([new ConsumerCursor(new PublicSchemaKey("billing", "customer", 1), 0x1A2B), new ConsumerCursor(new PublicSchemaKey("billing", "plan", 1), null)])));
        var app = builder.Build();
        var openRequests = new StrongBox<int>();
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref openRequests.Value);
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref openRequests.Value);
            }
        });
        app.MapReJotSync();
        await app.StartAsync(TestContext.Current.CancellationToken);
        server = new SyncHttpTestServer(app, dataSource, store, openRequests);
        return server;
    }

    /// <summary>Stores one source transaction's events as the engine would.</summary>
    public async Task CommitAsync(long commitLsn, params NewEvent[] events)
    {
        await using var transaction = await Store.BeginAsync("accounts-db", "rejot_accounts", commitLsn, TestContext.Current.CancellationToken);
        await transaction.AppendAsync(events, TestContext.Current.CancellationToken);
        await transaction.CommitAsync(commitLsn + 8, TestContext.Current.CancellationToken);
    }

    public static NewEvent Upsert(long id, string name, EventOperation operation = EventOperation.Insert)
        => new(Account, 3, operation, $$"""{"id":{{id}},"name":"{{name}}"}""");

    public static NewEvent Delete(long id) => new(Account, 3, EventOperation.Delete, $$"""{"id":{{id}}}""");

    public HttpRequestMessage Get(string pathAndQuery, string? token = Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string pathAndQuery, string? token = Token)
    {
        using var request = Get(pathAndQuery, token);
        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public static string CursorsQuery(PublicSchemaKey schema, string? transactionId)
    {
        var id = transactionId is null ? "null" : $"\"{transactionId}\"";
        var json = "[{\"schema\":{\"manifest\":{\"slug\":\"" + schema.ManifestSlug + "\"},\"schema\":{\"name\":\"" + schema.Name + "\",\"version\":{\"major\":"
            + schema.Major.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}},\"transactionId\":" + id + "}]";
        return "cursors=" + Uri.EscapeDataString(json);
    }

    public async Task StopAsync() => await _app.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
