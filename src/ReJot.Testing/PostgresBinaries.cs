namespace ReJot.Testing;

/// <summary>Finds a directory holding <c>initdb</c> and <c>pg_ctl</c>.</summary>
internal static class PostgresBinaries
{
    public const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>Returns the directory, or null with a description of each place looked at in <paramref name="tried"/>.</summary>
    public static async Task<string?> FindAsync(string? overrideDirectory, List<string> tried, CancellationToken cancellationToken)
    {
        if (overrideDirectory is not null)
        {
            if (HasTools(overrideDirectory))
            {
                return Path.GetFullPath(overrideDirectory);
            }

            tried.Add($"binaries directory '{overrideDirectory}' (from options): no initdb/pg_ctl there");
            return null;
        }

        var fromPgConfig = await FromPgConfigAsync(cancellationToken).ConfigureAwait(false);
        if (fromPgConfig is not null && HasTools(fromPgConfig))
        {
            return fromPgConfig;
        }

        tried.Add(fromPgConfig is null
            ? "pg_config --bindir: pg_config not found on PATH"
            : $"pg_config --bindir: '{fromPgConfig}' has no initdb/pg_ctl");

        var onPath = FindOnPath("initdb");
        if (onPath is not null)
        {
            var resolved = File.ResolveLinkTarget(onPath, returnFinalTarget: true)?.FullName ?? onPath;
            var directory = Path.GetDirectoryName(resolved);
            if (directory is not null && HasTools(directory))
            {
                return directory;
            }
        }

        tried.Add("initdb on PATH: not found");

        var debian = HighestDebianVersion();
        if (debian is not null)
        {
            return debian;
        }

        tried.Add($"{DebianRoot}/<version>/bin: no initdb found");
        return null;
    }

    private static bool HasTools(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static async Task<string?> FromPgConfigAsync(CancellationToken cancellationToken)
    {
        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is null)
        {
            return null;
        }

        var result = await ProcessRunner.RunAsync(pgConfig, ["--bindir"], asServerUser: false, workingDirectory: null, TimeSpan.FromSeconds(10), cancellationToken)
            .ConfigureAwait(false);
        var directory = result.StandardOutput.Trim();
        return result.Succeeded && directory.Length > 0 ? directory : null;
    }

    private static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? HighestDebianVersion()
    {
        if (!Directory.Exists(DebianRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(DebianRoot)
            .Select(d => (Directory: d, Version: decimal.TryParse(Path.GetFileName(d), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1m))
            .Where(x => x.Version >= 0 && HasTools(Path.Combine(x.Directory, "bin")))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Directory, "bin"))
            .FirstOrDefault();
    }
}
