using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReJot.Sync.Hosting;
using ReJot.Testing;
using ShopJot.Accounts;
using ShopJot.Common;
using ShopJot.Orders;

namespace ShopJot;

/// <summary>
/// Runs the example: databases (configured, or throwaway local clusters), both services in this process on loopback
/// ports, the scenario, and then either exits (<c>--once</c>) or keeps running until Ctrl+C.
/// </summary>
internal static class ShopJotRun
{
    private const string Usage = """
        Usage: dotnet run --project examples/ShopJot [-- [--once] [--timeout <seconds>] [configuration]]
          --once               exit after the scenario: 0 when its final state arrived on both sides, 1 otherwise
          --timeout <seconds>  how long to wait for the changes to arrive (default 120)
          configuration        ConnectionStrings:accounts=..., ConnectionStrings:orders=..., ShopJot:AccountsPort=...,
                               ShopJot:OrdersPort=..., ShopJot:Token=... (also as environment variables, e.g.
                               ConnectionStrings__accounts); without connection strings each service gets a throwaway
                               local PostgreSQL cluster that is deleted on exit.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var output = new Output(Console.Out);
        var once = false;
        var timeout = TimeSpan.FromSeconds(120);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--once":
                    once = true;
                    break;
                case "--timeout" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    timeout = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
                case "-h" or "--help" or "-?":
                    output.Line(Usage);
                    return 0;
                default:
                    if (!args[i].Contains('=', StringComparison.Ordinal) && !(args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length))
                    {
                        output.Line($"Unknown argument '{args[i]}'.");
                        output.Line(Usage);
                        return 2;
                    }

                    rest.Add(args[i]);
                    break;
            }
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. rest])
            .Build();

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        try
        {
            return await RunAsync(configuration, once, timeout, output, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            output.Line("Stopped; the throwaway databases (if any) are deleted.");
            return once ? 130 : 0;
        }
        catch (Exception e) when (e is ThrowawayPostgresException or InvalidOperationException or SocketException or IOException or Npgsql.NpgsqlException)
        {
            output.Line($"ShopJot failed: {e.Message}");
            return 1;
        }

        void Interrupt(PosixSignalContext context)
        {
            // Stop gracefully: the services stop, then the throwaway databases are deleted.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> RunAsync(IConfiguration configuration, bool once, TimeSpan timeout, Output output, CancellationToken stop)
    {
        var started = Stopwatch.StartNew();
        output.Line("ShopJot: an accounts service and an orders service, each with its own PostgreSQL, syncing through ReJot contracts.");

        await using var databases = new Databases();
        var accountsDb = configuration.GetConnectionString(AccountsService.DataStore);
        var ordersDb = configuration.GetConnectionString(OrdersService.DataStore);
        var throwaway = await Task.WhenAll(
            accountsDb is null ? databases.StartAsync("accounts", stop) : Task.FromResult<string?>(null),
            ordersDb is null ? databases.StartAsync("orders", stop) : Task.FromResult<string?>(null));
        accountsDb ??= throwaway[0]!;
        ordersDb ??= throwaway[1]!;
        output.Line(databases.Description(accountsDb == throwaway[0], ordersDb == throwaway[1]));

        var accountsPort = Port(configuration, "ShopJot:AccountsPort");
        var ordersPort = Port(configuration, "ShopJot:OrdersPort");
        var accountsUrl = $"http://127.0.0.1:{accountsPort}";
        var ordersUrl = $"http://127.0.0.1:{ordersPort}";
        var token = configuration["ShopJot:Token"] is { Length: > 0 } configured ? configured : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        await using var accounts = AccountsService.Build(Options("ShopJot.Accounts"), builder => Configure(builder, configuration, accountsUrl, new()
        {
            [$"ConnectionStrings:{AccountsService.DataStore}"] = accountsDb,
            // Where the orders service's /read is, and the bearer token both services accept and send.
            ["ReJot:Resolver"] = "static",
            ["ReJot:Resolvers:orders"] = ordersUrl,
        }, token));
        await using var orders = OrdersService.Build(Options("ShopJot.Orders"), builder => Configure(builder, configuration, ordersUrl, new()
        {
            [$"ConnectionStrings:{OrdersService.DataStore}"] = ordersDb,
            ["ReJot:Resolver"] = "static",
            ["ReJot:Resolvers:accounts"] = accountsUrl,
        }, token));

        var arrivals = new Arrivals(output);
        accounts.Services.GetRequiredService<ReceivedFeed>().Received += arrivals.OnReceived;
        orders.Services.GetRequiredService<ReceivedFeed>().Received += arrivals.OnReceived;

        try
        {
            await Task.WhenAll(accounts.StartAsync(stop), orders.StartAsync(stop));
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(stop, accounts.Lifetime.ApplicationStopping, orders.Lifetime.ApplicationStopping);
            try
            {
                using var startTimeout = CancellationTokenSource.CreateLinkedTokenSource(failed.Token);
                startTimeout.CancelAfter(timeout);
                await Task.WhenAll(
                    Ready(accounts, startTimeout.Token),
                    Ready(orders, startTimeout.Token));
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                output.Line(accounts.Lifetime.ApplicationStopping.IsCancellationRequested || orders.Lifetime.ApplicationStopping.IsCancellationRequested
                    ? "ShopJot failed: a service stopped while starting (its error is logged above)."
                    : $"ShopJot failed: the services did not start within {timeout.TotalSeconds:0} s (see the log above).");
                await StopAsync(accounts, orders);
                return 1;
            }

            s_starting = false;
            output.Line($"  accounts  {accountsUrl}  publishes account@1, receives order@1 from orders");
            output.Line($"  orders    {ordersUrl}  publishes order@1, receives account@1 from accounts");
            output.Line($"Ready after {started.Elapsed.TotalSeconds:0.0} s ({SinceProcessStart():0.0} s since the process started).");
            output.Line();

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var scenario = new Scenario(http, new Uri(accountsUrl + "/"), new Uri(ordersUrl + "/"), arrivals, output);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(failed.Token);
            deadline.CancelAfter(timeout);
            bool arrived;
            try
            {
                arrived = await scenario.RunAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                output.Line(accounts.Lifetime.ApplicationStopping.IsCancellationRequested || orders.Lifetime.ApplicationStopping.IsCancellationRequested
                    ? "ShopJot failed: a service stopped during the scenario (its error is logged above)."
                    : $"ShopJot failed: timed out after {timeout.TotalSeconds:0} s waiting for: {string.Join("; ", arrivals.Pending.DefaultIfEmpty("the services to answer"))}.");
                await StopAsync(accounts, orders);
                return 1;
            }

            arrivals.ScenarioDone();
            var delays = arrivals.Delays.Select(d => d.TotalMilliseconds).Order().ToList();
            if (delays.Count > 0)
            {
                output.Line(string.Create(CultureInfo.InvariantCulture,
                    $"Delays over {delays.Count} changes: min {delays[0]:0} ms, median {delays[delays.Count / 2]:0} ms, max {delays[^1]:0} ms (API call to commit on the other side)."));
            }

            if (!arrived)
            {
                await StopAsync(accounts, orders);
                return 1;
            }

            if (once)
            {
                output.Line($"ShopJot: final state arrived ({started.Elapsed.TotalSeconds:0.0} s in all).");
                await StopAsync(accounts, orders);
                return 0;
            }

            output.Line();
            output.Line("Still running; changes made through the APIs are printed as they arrive. Try:");
            output.Line($"  curl -s -X POST {accountsUrl}/accounts -H 'content-type: application/json' -d '{{\"name\":\"Edsger Dijkstra\"}}'");
            output.Line($"  curl -s {ordersUrl}/received");
            output.Line("Ctrl+C stops the services" + (databases.Count > 0 ? " and deletes the throwaway databases." : "."));
            try
            {
                await Task.Delay(Timeout.Infinite, failed.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                output.Line("ShopJot failed: a service stopped (its error is logged above).");
                await StopAsync(accounts, orders);
                return 1;
            }

            return 0;
        }
        finally
        {
            // Also on Ctrl+C: stop both services before the databases go away.
            await StopAsync(accounts, orders);
        }
    }

    private static async Task Ready(WebApplication app, CancellationToken cancellationToken)
    {
        // The engine starts in the background; changes are captured once its replication slots exist.
        var status = app.Services.GetRequiredService<IReJotSyncStatus>();
        await app.Services.GetRequiredService<ReceivedFeed>().Listening.WaitAsync(cancellationToken);
        while (status.GetStatus().State != SyncState.Started)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static volatile bool s_stopping;
    private static volatile bool s_starting = true;

    private static async Task StopAsync(params WebApplication[] apps)
    {
        // Each service reads the other's /read: while both stop, a consumer may find its peer gone. Expected here.
        s_stopping = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(apps.Select(a => a.StopAsync(timeout.Token)));
    }

    private static WebApplicationOptions Options(string name) => new()
    {
        ApplicationName = name,
        ContentRootPath = AppContext.BaseDirectory,
        EnvironmentName = Environments.Production,
    };

    private static void Configure(WebApplicationBuilder builder, IConfiguration configuration, string url, Dictionary<string, string?> settings, string token)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Quiet by default: the example prints what matters; warnings and errors still show.
            ["Logging:LogLevel:Default"] = "Warning",
            // Retry quickly while the other service is still starting.
            ["ReJot:RetryInitialDelay"] = "00:00:00.200",
            ["ReJot:RetryMaxDelay"] = "00:00:05",
        });
        builder.Configuration.AddConfiguration(configuration);
        settings["ReJot:Http:Tokens"] = token;
        settings["ReJot:Http:ClientToken"] = token;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls(url);
        // Warnings and errors by default (Logging:LogLevel:<category> can say more), but nothing below Critical once
        // the example stops both services.
        // While both start, a consumer may find the other service not ready yet (it retries): not worth a line either.
        builder.Services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null, null, LogLevel.Warning,
            (_, category, level) => level >= LogLevel.Critical || !(s_stopping || (s_starting && category?.StartsWith("ReJot.Sync.Apply", StringComparison.Ordinal) == true)))));
        // This process hosts two services: Ctrl+C is handled once, by the example, not by each host.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
    }

    private static int Port(IConfiguration configuration, string key)
    {
        if (configuration[key] is { Length: > 0 } text)
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new InvalidOperationException($"{key} must be a TCP port, not '{text}'.");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static double SinceProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return (DateTime.Now - process.StartTime).TotalSeconds;
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Throwaway PostgreSQL clusters, one per service that has no configured connection string.</summary>
internal sealed class Databases : IAsyncDisposable
{
    private readonly List<(string Name, ThrowawayPostgres Server)> _servers = [];

    public int Count
    {
        get
        {
            lock (_servers)
            {
                return _servers.Count;
            }
        }
    }

    public async Task<string?> StartAsync(string name, CancellationToken cancellationToken)
    {
        var server = await ThrowawayPostgres.StartAsync(new ThrowawayPostgresOptions
        {
            NamePrefix = "shopjot-" + name,
            // The example's figures should be honest: keep fsync on.
            Durable = true,
            // Always a cluster of our own: the tests' shared server variable is not the example's configuration.
            ConnectionEnvironmentVariable = null,
        }, cancellationToken);
        lock (_servers)
        {
            _servers.Add((name, server));
        }

        return server.GetConnectionString("postgres");
    }

    public string Description(bool accountsThrowaway, bool ordersThrowaway)
    {
        string Describe(string name, bool throwawayServer)
        {
            if (!throwawayServer)
            {
                return $"{name}: ConnectionStrings:{name}";
            }

            lock (_servers)
            {
                var server = _servers.Single(s => s.Name == name).Server;
                return string.Create(CultureInfo.InvariantCulture, $"{name}: throwaway {server.Kind} ({server.StartupTime.TotalSeconds:0.0} s)");
            }
        }

        return $"Databases: {Describe("accounts", accountsThrowaway)}; {Describe("orders", ordersThrowaway)}.";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, server) in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
