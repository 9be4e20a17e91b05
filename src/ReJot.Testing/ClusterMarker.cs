using System.Globalization;

namespace ReJot.Testing;

/// <summary>
/// The file that marks a directory as one of our throwaway clusters and names its owner process. Orphans are
/// recognised only by this file (never by process name): owner gone, or its PID reused by another process.
/// </summary>
internal sealed record ClusterMarker(int OwnerProcessId, string? OwnerStartTime, string Prefix, string BinariesDirectory)
{
    public const string FileName = ".rejot-throwaway-postgres";
    private const string Header = "rejot-throwaway-postgres 1";

    public void Write(string clusterDirectory)
    {
        var path = Path.Combine(clusterDirectory, FileName);
        var temporary = path + ".tmp";
        File.WriteAllLines(temporary,
        [
            Header,
            "pid=" + OwnerProcessId.ToString(CultureInfo.InvariantCulture),
            "start=" + (OwnerStartTime ?? string.Empty),
            "prefix=" + Prefix,
            "bin=" + BinariesDirectory,
        ]);

        // Rename so a reaper never reads a half-written marker.
        File.Move(temporary, path, overwrite: true);
    }

    public static ClusterMarker? TryRead(string clusterDirectory)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(clusterDirectory, FileName));
            if (lines.Length == 0 || lines[0] != Header)
            {
                return null;
            }

            var values = lines.Skip(1)
                .Select(l => l.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            if (!values.TryGetValue("pid", out var pidText) || !int.TryParse(pidText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            values.TryGetValue("start", out var start);
            values.TryGetValue("prefix", out var prefix);
            values.TryGetValue("bin", out var bin);
            return new ClusterMarker(pid, string.IsNullOrEmpty(start) ? null : start, prefix ?? string.Empty, bin ?? string.Empty);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while the owner process runs (same PID and same start time).</summary>
    public bool OwnerIsAlive()
    {
        var current = ProcessStartTime(OwnerProcessId);
        if (current is null)
        {
            return false;
        }

        // Without a recorded start time the PID alone has to do.
        return OwnerStartTime is null || string.Equals(current, OwnerStartTime, StringComparison.Ordinal);
    }

    /// <summary>
    /// A stable identity of a process's start: on Linux field 22 of /proc/PID/stat (clock ticks since boot),
    /// elsewhere the start time reported by <see cref="System.Diagnostics.Process"/>. Null when no such process runs.
    /// </summary>
    public static string? ProcessStartTime(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");

                // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

                // A zombie (state Z) has exited; only its parent has not collected it yet.
                return rest.Length > 19 && rest[0] != "Z" ? rest[19] : null;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
