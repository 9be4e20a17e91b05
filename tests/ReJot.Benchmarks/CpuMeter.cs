using System.Globalization;

namespace ReJot.Benchmarks;

/// <summary>
/// CPU time (user + system, core-seconds) from /proc on Linux: of every process of a throwaway cluster (the
/// postmaster with what its exited children used, plus its live children) and of one process. On two cores the
/// work a replicator needs bounds how fast it can be: the wall time is at least its CPU time / cores.
/// </summary>
internal static class CpuMeter
{
    // USER_HZ: the unit of the times in /proc/<pid>/stat; 100 on Linux for every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds used so far by the clusters' processes, or null where /proc is not available.</summary>
    public static double? ClusterSeconds(params string?[] clusterDirectories)
    {
        double total = 0;
        foreach (var directory in clusterDirectories)
        {
            if (directory is null || !File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
            {
                return null;
            }

            var postmaster = int.Parse(File.ReadLines(Path.Combine(directory, "data", "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
            if (Stat(postmaster) is not { } own)
            {
                return null;
            }

            // The postmaster's own time plus its waited-for (exited) children's: backends of closed connections count.
            total += own.Self + own.Children;
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } child && child.Parent == postmaster)
                {
                    total += child.Self;
                }
            }
        }

        return total;
    }

    /// <summary>CPU seconds used so far by one process (not its children), or null.</summary>
    public static double? ProcessSeconds(int pid) => Stat(pid)?.Self;

    private static (int Parent, double Self, double Children)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) start after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            double Field(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return ((int)Field(4), (Field(14) + Field(15)) / TicksPerSecond, (Field(16) + Field(17)) / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
