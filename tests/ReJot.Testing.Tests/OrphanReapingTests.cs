using System.Diagnostics;
using System.Globalization;

namespace ReJot.Testing.Tests;

public sealed class OrphanReapingTests
{
    [Fact]
    public async Task Cluster_of_a_killed_owner_process_is_stopped_and_deleted_by_the_next_start()
    {
        var root = Directory.CreateTempSubdirectory("rejot-reap-");
        try
        {
            using var child = StartOwnerChild(root.FullName);
            var (postmaster, directory) = await ReadReadyLineAsync(child);
            var postmasterStart = ClusterMarker.ProcessStartTime(postmaster);
            Assert.True(Support.ProcessRuns(postmaster, postmasterStart));

            // The owner is alive: nothing to reap.
            Assert.Equal(0, await LocalCluster.ReapOrphansAsync(root.FullName, TestContext.Current.CancellationToken));
            Assert.True(Directory.Exists(directory));

            child.Kill(entireProcessTree: false); // SIGKILL: no ProcessExit handler runs
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(Support.ProcessRuns(postmaster, postmasterStart), "the server outlives its killed owner (that is the problem being solved)");

            await using var next = await ThrowawayPostgres.StartAsync(Support.LocalOptions(root.FullName), TestContext.Current.CancellationToken);

            Assert.False(Directory.Exists(directory));
            await Support.WaitUntilAsync(() => !Support.ProcessRuns(postmaster, postmasterStart), TimeSpan.FromSeconds(10), "the orphaned postmaster exits");
            Assert.True(Directory.Exists(next.ClusterDirectory));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Cluster_whose_owner_pid_now_belongs_to_another_process_is_reaped()
    {
        var root = Directory.CreateTempSubdirectory("rejot-reuse-");
        using var child = StartOwnerChild(root.FullName);
        try
        {
            var (postmaster, directory) = await ReadReadyLineAsync(child);
            var postmasterStart = ClusterMarker.ProcessStartTime(postmaster);

            // Simulate PID reuse: the marker's PID runs (this process) but started at another time.
            new ClusterMarker(Environment.ProcessId, "1", "orphan", ClusterMarker.TryRead(directory)!.BinariesDirectory).Write(directory);

            Assert.Equal(1, await LocalCluster.ReapOrphansAsync(root.FullName, TestContext.Current.CancellationToken));

            Assert.False(Directory.Exists(directory));
            await Support.WaitUntilAsync(() => !Support.ProcessRuns(postmaster, postmasterStart), TimeSpan.FromSeconds(10), "the reaped postmaster exits");
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Directories_without_our_marker_are_never_touched()
    {
        var root = Directory.CreateTempSubdirectory("rejot-foreign-");
        try
        {
            var foreign = Directory.CreateDirectory(Path.Combine(root.FullName, "someone-elses"));
            await File.WriteAllTextAsync(Path.Combine(foreign.FullName, "postmaster.pid"), "1\n", TestContext.Current.CancellationToken);

            Assert.Equal(0, await LocalCluster.ReapOrphansAsync(root.FullName, TestContext.Current.CancellationToken));
            Assert.True(foreign.Exists);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static Process StartOwnerChild(string root)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "ReJot.Testing.Tests");
        var startInfo = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(Program.OrphanChildArgument);
        startInfo.ArgumentList.Add(root);
        return Process.Start(startInfo)!;
    }

    private static async Task<(int Postmaster, string Directory)> ReadReadyLineAsync(Process child)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var line = await child.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            var stderr = await child.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"The owner child did not start a cluster: '{line}' {stderr}");
        }

        var parts = line.Split(' ', 3);
        return (int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
    }
}
