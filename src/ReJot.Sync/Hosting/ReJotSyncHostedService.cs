using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ReJot.Manifest;
using ReJot.Sync.Model;

namespace ReJot.Sync.Hosting;

/// <summary>
/// Runs the engine for the host's lifetime. Configuration errors stop the host with one clear log line;
/// unreachable databases at start are retried with backoff. Stopping rolls back batches in flight (their
/// cursors did not move, so nothing is lost or applied twice).
/// </summary>
internal sealed class ReJotSyncHostedService(
    ReJotSyncRuntime runtime,
    IOptions<ReJotSyncOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ReJotSyncHostedService> logger,
    TimeProvider timeProvider) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runtime.StartAsync(stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SyncConfigurationException or ManifestException or ReJot.Manifest.EnvironmentReferenceException)
            {
                Log.CannotStart(logger, e.Message);
                lifetime.StopApplication();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                // A database that is down or still starting: keep the process up, say why in health and logs, retry.
                attempt++;
                var delay = Capture.Backoff.Delay(attempt, options.Value.RetryInitialDelay, options.Value.RetryMaxDelay);
                var reason = Failures.Describe(e);
                runtime.ReportStartFailure($"{reason} (attempt {attempt}, retrying in {delay})");
                Log.CannotStartYet(logger, attempt, delay, reason);
                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await runtime.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
