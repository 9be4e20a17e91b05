using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ReJot.Sync.Hosting;

/// <summary>Unhealthy while a source fails or a consumer is faulted; degraded when a source has been silent too long.</summary>
internal sealed class ReJotSyncHealthCheck(IReJotSyncStatus status, IOptions<ReJotSyncOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = status.GetStatus();
        var data = new Dictionary<string, object>
        {
            ["state"] = snapshot.State.ToString(),
        };
        var problems = new List<string>();
        if (snapshot.State == SyncState.Initial && status is ReJotSyncRuntime { StartFailure: { } startFailure })
        {
            problems.Add($"cannot start: {startFailure}");
        }

        foreach (var source in snapshot.Sources)
        {
            data[$"source:{source.DataStore}:transaction"] = source.LastTransactionId;
            if (source.RetainedWalBytes is { } wal)
            {
                data[$"source:{source.DataStore}:retained_wal_bytes"] = wal;
            }

            if (source.Error is not null)
            {
                problems.Add($"source {source.DataStore}: {source.Error}");
            }
        }

        foreach (var consumer in snapshot.Consumers)
        {
            data[$"consumer:{consumer.ManifestSlug}/{consumer.Name}:cursor"] = consumer.CursorTransactionId;
            if (consumer.Faulted)
            {
                problems.Add($"consumer {consumer.ManifestSlug}/{consumer.Name} faulted at {consumer.FaultedAt}: {consumer.Error}");
            }
        }

        if (problems.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(string.Join("; ", problems), data: data));
        }

        if (snapshot.State != SyncState.Started)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"ReJot sync is {snapshot.State.ToString().ToLowerInvariant()}", data: data));
        }

        var now = timeProvider.GetUtcNow();
        var silent = snapshot.Sources.Where(s => s.LastActivityUtc is { } last && now - last > options.Value.UnhealthySourceSilence).Select(s => s.DataStore).ToList();
        return Task.FromResult(silent.Count > 0
            ? HealthCheckResult.Degraded($"No replication messages from {string.Join(", ", silent)} for more than {options.Value.UnhealthySourceSilence}", data: data)
            : HealthCheckResult.Healthy("ReJot sync is running", data));
    }
}
