namespace ReJot.Cli;

/// <summary>
/// What a command needs from the outside world: where to write, the environment and the working directory.
/// Injected so tests run the CLI in-process and capture its output.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="output">Normal output (stdout).</param>
    /// <param name="error">Errors and warnings (stderr).</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable; the process environment when null.</param>
    /// <param name="currentDirectory">Base of relative paths; the process's current directory when null.</param>
    public CliContext(TextWriter output, TextWriter error, Func<string, string?>? getEnvironmentVariable = null, string? currentDirectory = null)
    {
        Output = output;
        Error = error;
        GetEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        CurrentDirectory = currentDirectory ?? Directory.GetCurrentDirectory();
    }

    /// <summary>Normal output.</summary>
    public TextWriter Output { get; }

    /// <summary>Error output.</summary>
    public TextWriter Error { get; }

    /// <summary>Reads an environment variable (null when unset).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; }

    /// <summary>Base directory of relative paths.</summary>
    public string CurrentDirectory { get; }

    /// <summary>Resolves a path given on the command line against <see cref="CurrentDirectory"/>.</summary>
    /// <param name="path">The path as given.</param>
    /// <returns>The full path.</returns>
    public string ResolvePath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
