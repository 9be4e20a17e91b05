using System.Diagnostics;
using ReJot.Reliability.Tests.Harness;

namespace ReJot.Reliability.Tests;

/// <summary>
/// Faults against a running <c>rejot manifest sync</c> under a seeded mixed workload; afterwards the sink equals
/// the source, every committed change is applied exactly once, and the engine reports healthy. Quick by default;
/// <c>REJOT_SOAK_SECONDS</c> makes each test inject faults for that long; <c>REJOT_RELIABILITY_SEED</c> replays
/// a run (the seed is printed, and named in every failure).
/// </summary>
public sealed class FaultTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(150);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sync_process_killed_with_sigkill_at_random_moments_and_restarted_loses_and_duplicates_nothing()
    {
        var seed = ReliabilitySettings.Seed();
        Report($"seed {seed} (replay with {ReliabilitySettings.SeedVariable}={seed})");
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        await using var topology = await Topology.CreateAsync(Ct);
        await using var sync = topology.CreateSync();
        sync.Start();
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);

        var workload = new Workload(topology.SourceConnection, seed);
        using var stopWorkload = new CancellationTokenSource();
        var writing = workload.RunAsync(stopWorkload.Token);
        var keepGoing = ReliabilitySettings.KeepGoing(quickIterations: 8);
        var kills = 0;
        try
        {
            for (var i = 0; keepGoing(i); i++)
            {
                // Mostly while running; a quarter of the kills land during start-up (migrations, slot checks, catch-up).
                var wait = random.Next(100) < 25 ? random.Next(0, 1200) : random.Next(400, 3500);
                await Task.Delay(wait, Ct);
                await sync.KillAsync();
                kills++;
                sync.Start();
            }
        }
        finally
        {
            await stopWorkload.CancelAsync();
            await writing;
        }

        Report($"{kills} SIGKILLs; workload: {workload}");
        await AssertRecoveredAsync(topology, sync, $"seed {seed}, after {kills} SIGKILLs");

        // One more kill once everything is applied: a restart must not apply anything again.
        await sync.KillAsync();
        sync.Start();
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);
        await Db.ExecuteAsync(topology.SourceConnection,
            "WITH i AS (INSERT INTO accounts (version, name, balance) VALUES (1, 'marker', 0) RETURNING id) INSERT INTO journal SELECT 'accounts', id, 1 FROM i", Ct);
        await AssertRecoveredAsync(topology, sync, $"seed {seed}, after a restart with nothing pending");
        Report($"done in {watch.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task Database_crashes_terminated_connections_and_failing_consumer_statements_lose_and_duplicate_nothing()
    {
        var seed = ReliabilitySettings.Seed();
        Report($"seed {seed} (replay with {ReliabilitySettings.SeedVariable}={seed})");
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        await using var topology = await Topology.CreateAsync(Ct);
        await using var sync = topology.CreateSync();
        // Lines with a stack trace (collected) are checked below for routine database and network failures.
        sync.Collect = "   at ";
        sync.Start();
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);

        var workload = new Workload(topology.SourceConnection, seed);
        using var stopWorkload = new CancellationTokenSource();
        var writing = workload.RunAsync(stopWorkload.Token);
        var faults = Enum.GetValues<Fault>();
        // Quick: every fault once, in a seeded order. Soak: random faults until the time is up.
        var order = faults.OrderBy(_ => random.Next()).ToList();
        var keepGoing = ReliabilitySettings.KeepGoing(quickIterations: order.Count);
        var injected = new List<string>();
        try
        {
            for (var i = 0; keepGoing(i); i++)
            {
                var fault = i < order.Count ? order[i] : faults[random.Next(faults.Length)];
                await Task.Delay(random.Next(300, 2500), Ct);
                injected.Add(await InjectAsync(topology, sync, fault, random));
                Assert.False(sync.HasExited, $"The engine exited after {fault} (seed {seed}):\n{sync.Tail()}");
            }
        }
        finally
        {
            await topology.SetConsumerFailureAsync(false, CancellationToken.None);
            await stopWorkload.CancelAsync();
            await writing;
        }

        Report($"faults: {string.Join(", ", injected)}; workload: {workload}");
        await AssertRecoveredAsync(topology, sync, $"seed {seed}, after {string.Join(", ", injected)}");
        Assert.False(sync.HasExited, "The engine exited instead of retrying.");
        // Databases restarting and connections cut are routine: one line each, no stack traces for operators (the
        // collected lines are stack frames; Npgsql's NullReferenceException on a terminated walsender included).
        var frames = sync.AllLinesContaining;
        Assert.True(frames.Count == 0, $"Stack traces for routine failures in the engine output:\n{string.Join('\n', frames.Take(12))}");
        Report($"done in {watch.Elapsed.TotalSeconds:F0} s");
    }

    private enum Fault
    {
        CrashSource,
        CrashEventStore,
        CrashSink,
        TerminateReplicationConnection,
        TerminateSinkConnections,
        TerminateEventStoreConnections,
        ConsumerStatementFailsForAWhile,
    }

    private static async Task<string> InjectAsync(Topology topology, SyncProcess sync, Fault fault, Random random)
    {
        switch (fault)
        {
            case Fault.CrashSource:
            case Fault.CrashEventStore:
            case Fault.CrashSink:
                var server = fault switch
                {
                    Fault.CrashSource => topology.SourceServer,
                    Fault.CrashEventStore => topology.StoreServer,
                    _ => topology.SinkServer,
                };
                await server.StopAsync(immediate: true, Ct);
                await Task.Delay(random.Next(100, 2000), Ct);
                await server.RestartAsync(Ct);
                return fault.ToString();

            case Fault.TerminateReplicationConnection:
                return $"{fault} ({await topology.TerminateReplicationAsync(Ct)})";

            case Fault.TerminateSinkConnections:
                return $"{fault} ({await topology.TerminateSinkConnectionsAsync(Ct)})";

            case Fault.TerminateEventStoreConnections:
                return $"{fault} ({await topology.TerminateStoreConnectionsAsync(Ct)})";

            default:
                // The orders consumer's statements fail until the flag is cleared; the engine must say so.
                await topology.SetConsumerFailureAsync(true, Ct);
                var watch = Stopwatch.StartNew();
                (int Status, string Body)? health = null;
                while (watch.Elapsed < TimeSpan.FromSeconds(60))
                {
                    health = await sync.HealthAsync(Ct);
                    if (health is { Status: 503 } h && h.Body.Contains("injected consumer failure", StringComparison.Ordinal))
                    {
                        break;
                    }

                    await Task.Delay(100, Ct);
                }

                await topology.SetConsumerFailureAsync(false, Ct);
                Assert.True(health is { Status: 503 }, $"/health did not report the failing consumer: {health?.Status} {health?.Body}\n{sync.Tail()}");
                return fault.ToString();
        }
    }

    private static async Task AssertRecoveredAsync(Topology topology, SyncProcess sync, string context)
    {
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);
        await Consistency.WaitConsistentAsync(topology, sync, context, s_settle, Ct);
        await Consistency.WaitHealthyAsync(sync, context, TimeSpan.FromSeconds(60), Ct);
        // Healthy is not a reason to apply anything again: still consistent.
        Assert.Empty(await Consistency.ProblemsAsync(topology, Ct));
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
