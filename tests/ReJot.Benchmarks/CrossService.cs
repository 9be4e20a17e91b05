using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;

namespace ReJot.Benchmarks;

/// <summary>
/// Issue 5: two sync services in this process. The publisher (source database and event store in cluster A) serves
/// /read on loopback with a token; the subscriber (its own database in cluster B) pulls with long polls and applies.
/// Delay = source commit timestamp → seen_at in the subscriber's table.
/// </summary>
internal static class CrossService
{
    private const string Token = "bench-token";

    public static async Task<Measurement> RunAsync(Harness harness, BenchSizes sizes)
    {
        var sourceConnection = await harness.A.CreateDatabaseAsync("xs_publisher");
        var sinkConnection = await harness.B.CreateDatabaseAsync("xs_subscriber");
        await using var source = NpgsqlDataSource.Create(sourceConnection);
        await using var sink = NpgsqlDataSource.Create(sinkConnection);
        await Harness.ExecuteAsync(source, BenchModel.SourceDdl);
        await Harness.ExecuteAsync(sink, BenchModel.SinkDdl);
        const string slot = "rejot_bench_cross";
        var options = new ReJotSyncOptions();
        await using var publisher = new SyncEngine(BenchModel.Publisher(sourceConnection, slot), options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());
        await publisher.StartAsync(CancellationToken.None);
        var api = await ServeAsync(publisher);
        try
        {
            var port = new Uri(api.Urls.First()).Port;
            var remote = new RemoteEventSourceFactory(RemoteEventSourceFactory.CreateHttpClient(),
                new StaticResolver([new(BenchModel.Key.ManifestSlug, $"127.0.0.1:{port}")]),
                new ReJotHttpOptions { ClientToken = Token },
                new RemoteEventReaderOptions { LongPollWait = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(3) });
            await using var subscriber = new SyncEngine(BenchModel.Subscriber(sinkConnection), options, NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics(), remote);
            await subscriber.StartAsync(CancellationToken.None);
            var result = await Scenarios.MeasureLatencyAsync(source, sink, sizes, async () =>
            {
                await subscriber.StopAsync(CancellationToken.None);
                await publisher.StopAsync(CancellationToken.None);
            }, () => null);
            return result;
        }
        finally
        {
            await api.StopAsync();
            await api.DisposeAsync();
            await publisher.StopAsync(CancellationToken.None);
            await Harness.DropSlotAsync(source, slot);
        }
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
        await app.StartAsync();
        return app;
    }
}
