using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReJot.Cli.Output;
using ReJot.Manifest;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;

namespace ReJot.Cli.Commands.Manifest.Sync;

/// <summary>
/// Loads the manifests (each argument as a workspace root), verifies them, and runs the same host as
/// <c>AddReJotSync()</c> plus the HTTP routes until cancelled. The first Ctrl+C (or SIGTERM) stops cleanly:
/// batches in flight roll back and cursors stay consistent. A second Ctrl+C exits immediately.
/// </summary>
internal sealed class ManifestSyncAction(CliContext context)
{
    public async Task<int> RunAsync(ManifestSyncSettings settings, CancellationToken cancellationToken)
    {
        var manifests = new List<ManifestDocument>();
        var valid = true;
        foreach (var argument in settings.Manifests)
        {
            var path = context.ResolvePath(argument);
            if (!File.Exists(path))
            {
                throw new CliException($"Manifest '{argument}' not found (looked for {path}).");
            }

            var workspace = await ManifestWorkspace.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            if (workspace.Problems.Count > 0)
            {
                await DiagnosticPrinter.PrintAsync(context.Error, workspace.Problems).ConfigureAwait(false);
            }

            var result = workspace.Verify(new ManifestVerificationOptions { CheckExternalReferences = false });
            if (!result.IsValid)
            {
                valid = false;
                await DiagnosticPrinter.PrintAsync(context.Error, result.Diagnostics.Where(d => d.IsError).ToList()).ConfigureAwait(false);
            }

            manifests.AddRange(workspace.Manifests.Select(m => m.Manifest));
        }

        if (!valid)
        {
            throw new CliException("Cannot sync: invalid manifest configuration.");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = context.CurrentDirectory, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SyncHttpServiceCollectionExtensions.ResolverKey] = settings.Resolver,
            [SyncHttpServiceCollectionExtensions.ApiPortKey] = settings.ApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(ParseLevel(settings.LogLevel));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{settings.Hostname}:{settings.ApiPort}");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddReJotSync(o => o.UseGeneratedManifests = false).AddManifests(manifests);
        await using var app = builder.Build();
        app.MapReJotSync();

        // The engine's health (rejot-sync check) for probes and supervisors: 200 when healthy or degraded, 503 when
        // a source fails or a consumer is faulted; the body is the status and its reason.
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = (http, report) =>
            {
                http.Response.ContentType = "text/plain; charset=utf-8";
                var reasons = report.Entries.Values.Select(e => e.Description).Where(d => !string.IsNullOrEmpty(d));
                return http.Response.WriteAsync($"{report.Status}: {string.Join("; ", reasons)}");
            },
        });

        var presses = 0;
        ConsoleCancelEventHandler secondPress = (_, e) =>
        {
            if (Interlocked.Increment(ref presses) >= 2)
            {
                context.Error.WriteLine("Second interrupt: exiting now.");
                Environment.Exit(130);
            }

            e.Cancel = true;
        };
        Console.CancelKeyPress += secondPress;
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            using (var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping))
            {
                try
                {
                    await app.Services.GetRequiredService<ReJotSyncRuntime>().WhenStartedAsync(startup.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                    throw new CliException("Cannot sync: the engine could not start (see the log above).");
                }
            }

            await context.Output.WriteLineAsync($"ReJot sync running: {manifests.Count} manifest(s), API on http://{settings.Hostname}:{settings.ApiPort}. Press Ctrl+C to stop.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping).Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            var stoppedByEngine = !cancellationToken.IsCancellationRequested;
            await context.Output.WriteLineAsync("Stopping…").ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            var status = app.Services.GetRequiredService<IReJotSyncStatus>().GetStatus();
            if (stoppedByEngine && status.State != SyncState.Stopped)
            {
                // The hosted service stopped the application: it logged why (a configuration error).
                return ExitCodes.Failure;
            }

            await context.Output.WriteLineAsync("Stopped.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= secondPress;
        }
    }

    private static LogLevel ParseLevel(string level) => level switch
    {
        "error" => LogLevel.Error,
        "warn" => LogLevel.Warning,
        "debug" => LogLevel.Debug,
        "trace" => LogLevel.Trace,
        _ => LogLevel.Information,
    };
}
