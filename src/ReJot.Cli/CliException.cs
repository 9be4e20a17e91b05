namespace ReJot.Cli;

/// <summary>
/// An error a user can act on: printed as one line (<c>error: …</c>) without a stack trace, exit code
/// <see cref="ExitCode"/>.
/// </summary>
internal sealed class CliException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it, in one line.</param>
    /// <param name="exitCode">The process exit code.</param>
    public CliException(string message, int exitCode = ExitCodes.Failure)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}

/// <summary>Exit codes of <c>rejot</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed (invalid manifest, missing file, bad value…).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong (unknown option, missing required option…).</summary>
    public const int Usage = 2;
}
